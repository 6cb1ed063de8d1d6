#!/usr/bin/env python3
"""Writes tiny NIR files with h5py in the layout of the reference writer (FORMAT.md §2).

usage: make_nir.py DIR [--broken] [--compact]
  --compact: lif.nir and rnn.nir only, fixed-length strings (tests/fuzz/corpus/nir/)
  the valid graphs (the fuzz seed corpus tests/fuzz/corpus/nir/ is this script's output):
    lif.nir    Input[2] -> Affine -> LIF -> Output (float32, old-style groups, as nir 0.2 wrote)
    rnn.nir    Input[3] -> Linear -> CubaLIF <-> Affine (recurrent), gzip-chunked float64,
               no w_in (default 1), compact groups
    misc.nir   Input[1,4,4] -> Conv2d -> AvgPool2d -> Flatten -> Scale -> Delay -> Threshold
               -> LI, I, IF -> Output
  --broken adds the negative cases: missing_param, unknown_type, missing_node, shape_mismatch,
    not_nir (an HDF5 file without /node), truncated (half of lif.nir), garbage (random bytes)
"""
import os
import sys

import h5py
import numpy as np

f32, f64 = np.float32, np.float64
# --compact (the fuzz corpus): fixed-length strings, which need no 4 KiB global-heap collection
COMPACT = "--compact" in sys.argv


def node(g, name, type_, **params):
    n = g.create_group(name)
    n.create_dataset("type", data=np.bytes_(type_) if COMPACT else type_)
    for k, v in params.items():
        if isinstance(v, tuple):  # (array, compress)
            n.create_dataset(k, data=v[0], compression="gzip", compression_opts=4)
        else:
            n.create_dataset(k, data=v)


def graph(path, nodes, edges, libver=None):
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("version", data=np.bytes_("0.2.0") if COMPACT else "0.2.0")
        g = f.create_group("node")
        g.create_dataset("type", data=np.bytes_("NIRGraph") if COMPACT else "NIRGraph")
        ns = g.create_group("nodes")
        for name, (type_, params) in nodes.items():
            node(ns, name, type_, **params)
        if COMPACT:
            g.create_dataset("edges", data=np.array(edges, dtype="S"))
        else:
            g.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())


def lif(path, libver=None, **over):
    nodes = {"in": ("Input", {"shape": np.array([2])}),
             "fc": ("Affine", {"weight": np.array([[1.0, 0.5]], f32), "bias": np.array([0.1], f32)}),
             "lif": ("LIF", {"tau": np.array([0.0025], f32), "r": np.array([1.0], f32),
                             "v_leak": np.array([0.0], f32), "v_threshold": np.array([0.1], f32)}),
             "out": ("Output", {"shape": np.array([1])})}
    edges = [["in", "fc"], ["fc", "lif"], ["lif", "out"]]
    for k, v in over.items():
        if k == "edges":
            edges = v
        elif v is None:
            del nodes[k]
        else:
            nodes[k] = v
    graph(path, nodes, edges, libver=libver)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    lif(f"{d}/lif.nir", libver="latest")
    rng = np.random.default_rng(3)
    z = lambda *s: (rng.normal(size=s).astype(f64), True)
    graph(f"{d}/rnn.nir", {
        "input": ("Input", {"shape": np.array([3])}),
        "w": ("Linear", {"weight": (rng.normal(size=(4, 3)).astype(f32), True)}),
        "cuba": ("CubaLIF", {"tau_syn": (np.full(4, 2e-4), True), "tau_mem": (np.full(4, 1e-3), True),
                             "r": (np.full(4, 10.0), True), "v_leak": (np.zeros(4), True),
                             "v_threshold": (np.ones(4), True)}),
        "rec": ("Affine", {"weight": z(4, 4), "bias": z(4)}),
        "output": ("Output", {"shape": np.array([4])})},
        [["rec", "cuba"], ["cuba", "output"], ["input", "w"], ["cuba", "rec"], ["w", "cuba"]], libver="latest")
    if COMPACT:  # the fuzz corpus stays under 20 KB
        return
    graph(f"{d}/misc.nir", {
        "input": ("Input", {"shape": np.array([1, 4, 4])}),
        "conv": ("Conv2d", {"weight": rng.normal(size=(2, 1, 3, 3)).astype(f32), "bias": np.zeros(2, f32),
                            "stride": np.array([1, 1]), "padding": np.array([1, 1]),
                            "dilation": np.array([1, 1]), "groups": 1, "input_shape": np.array([4, 4])}),
        "pool": ("AvgPool2d", {"kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
                               "padding": np.array([0, 0])}),
        "flat": ("Flatten", {"start_dim": 0, "end_dim": -1, "input_type": np.array([2, 2, 2])}),
        "scale": ("Scale", {"scale": np.full(8, 2.0, f32)}),
        "delay": ("Delay", {"delay": np.full(8, 2e-4)}),
        "thr": ("Threshold", {"threshold": np.full(8, 0.5)}),
        "li": ("LI", {"tau": np.full(8, 1e-3), "r": np.ones(8), "v_leak": np.zeros(8)}),
        "int": ("I", {"r": np.ones(8)}),
        "if": ("IF", {"r": np.ones(8), "v_threshold": np.ones(8)}),
        "output": ("Output", {"shape": np.array([8])})},
        [["input", "conv"], ["conv", "pool"], ["pool", "flat"], ["flat", "scale"], ["scale", "delay"],
         ["delay", "thr"], ["thr", "li"], ["thr", "int"], ["li", "if"], ["int", "if"], ["if", "output"]],
        libver="latest")
    if "--broken" not in sys.argv:
        return
    lif(f"{d}/missing_param.nir", lif=("LIF", {"tau": np.array([0.0025], f32), "r": np.array([1.0], f32),
                                               "v_leak": np.array([0.0], f32)}))
    lif(f"{d}/unknown_type.nir", lif=("LeakyIntegrator", {"tau": np.array([1.0])}))
    lif(f"{d}/missing_node.nir", edges=[["in", "fc"], ["fc", "lif"], ["lif", "nowhere"]])
    lif(f"{d}/shape_mismatch.nir", fc=("Affine", {"weight": np.ones((1, 3), f32), "bias": np.zeros(1, f32)}))
    with h5py.File(f"{d}/not_nir.nir", "w") as f:
        f.create_dataset("x", data=np.arange(3))
    data = open(f"{d}/lif.nir", "rb").read()
    open(f"{d}/truncated.nir", "wb").write(data[: len(data) // 2])
    open(f"{d}/garbage.nir", "wb").write(bytes(rng.integers(0, 256, 3000, dtype=np.uint8)))


main()
