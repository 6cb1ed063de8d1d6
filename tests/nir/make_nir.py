#!/usr/bin/env python3
"""Writes tiny NIR files with h5py in the layout of the reference writer (FORMAT.md §2).

usage: make_nir.py DIR [--broken] [--compact]
  --compact: lif.nir, rnn.nir, rnn_nested.nir and conv_small.nir only, fixed-length strings
             (tests/fuzz/corpus/nir/)
  the valid graphs (the fuzz seed corpus tests/fuzz/corpus/nir/ is this script's output):
    lif.nir    Input[2] -> Affine -> LIF -> Output (float32, old-style groups, as nir 0.2 wrote)
    rnn.nir    Input[3] -> Linear -> CubaLIF <-> Affine (recurrent), gzip-chunked float64,
               no w_in (default 1), compact groups
    misc.nir   Input[1,4,4] -> Conv2d -> AvgPool2d -> Flatten -> Scale -> Delay -> Threshold
               -> LI, I, IF -> Output
  nested graphs (NIRGraph nodes), each the same network as a flat one above:
    rnn_nested.nir   rnn.nir with Linear outside and the recurrent CubaLIF <-> Affine inside a
                     subgraph G (its own Input and Output)
    misc_nested.nir  misc.nir with Conv2d, AvgPool2d inside G and Flatten, Scale, Delay inside
                     G's subgraph H (two levels)
    conv_small.nir   Input[2,5,5] -> Conv2d (stride 2) -> Flatten -> Affine -> Output
    convs.nir        Input[4,9,9] -> Conv2d (groups 2, stride 2, padding [1,2], dilation [2,1]) ->
                     Flatten -> Affine -> Output
    conv1d.nir       Input[3,20] -> Conv1d (stride 2, padding 2) -> Output
    lif_nested.nir   lif.nir with Affine and LIF in a subgraph without an Input node, entered by
                     the dotted name "G.fc"
    deep16.nir       lif.nir wrapped in 16 levels of subgraphs (the deepest allowed); deep17.nir
                     one more (refused)
  --broken adds the negative cases: missing_param, unknown_type, missing_node, shape_mismatch,
    not_nir (an HDF5 file without /node), truncated (half of lif.nir), garbage (random bytes),
    and bad nesting: nested_no_input (an edge into a subgraph without Input), nested_two_outputs,
    nested_missing_node (an inner edge naming a missing node, as the paper's *_subgraph.nir),
    nested_shape (a subgraph Input declaring the wrong shape), nested_unconnected (a subgraph
    Input no edge enters), nested_into_input (an inner edge into its own Input), nested_empty,
    nested_link_cycle (a subgraph whose nodes group links back to an enclosing graph), deep17.nir
"""
import os
import sys

import h5py
import numpy as np

f32, f64 = np.float32, np.float64
# --compact (the fuzz corpus): fixed-length strings, which need no 4 KiB global-heap collection
COMPACT = "--compact" in sys.argv


def string(s):
    return np.bytes_(s) if COMPACT else s


def edge_set(g, edges):
    if COMPACT:
        g.create_dataset("edges", data=np.array(edges, dtype="S"))
    else:
        g.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())


def node(g, name, type_, **params):
    n = g.create_group(name)
    n.create_dataset("type", data=string(type_))
    if type_ == "NIRGraph":  # params: nodes (dict name -> (type, params)), edges
        ns = n.create_group("nodes")
        for sub, (t, p) in params["nodes"].items():
            node(ns, sub, t, **p)
        edge_set(n, params["edges"])
        return
    for k, v in params.items():
        if isinstance(v, tuple):  # (array, compress)
            n.create_dataset(k, data=v[0], compression="gzip", compression_opts=4)
        else:
            n.create_dataset(k, data=v)


def graph(path, nodes, edges, libver=None):
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("version", data=np.bytes_("0.2.0") if COMPACT else "0.2.0")
        g = f.create_group("node")
        g.create_dataset("type", data=string("NIRGraph"))
        ns = g.create_group("nodes")
        for name, (type_, params) in nodes.items():
            node(ns, name, type_, **params)
        edge_set(g, edges)


def sub(nodes, edges):
    """A NIRGraph node."""
    return ("NIRGraph", {"nodes": nodes, "edges": edges})


def lif_nodes():
    return {"in": ("Input", {"shape": np.array([2])}),
             "fc": ("Affine", {"weight": np.array([[1.0, 0.5]], f32), "bias": np.array([0.1], f32)}),
             "lif": ("LIF", {"tau": np.array([0.0025], f32), "r": np.array([1.0], f32),
                             "v_leak": np.array([0.0], f32), "v_threshold": np.array([0.1], f32)}),
             "out": ("Output", {"shape": np.array([1])})}


def lif(path, libver=None, **over):
    nodes = lif_nodes()
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
    w = ("Linear", {"weight": (rng.normal(size=(4, 3)).astype(f32), True)})
    cuba = ("CubaLIF", {"tau_syn": (np.full(4, 2e-4), True), "tau_mem": (np.full(4, 1e-3), True),
                        "r": (np.full(4, 10.0), True), "v_leak": (np.zeros(4), True),
                        "v_threshold": (np.ones(4), True)})
    rec = ("Affine", {"weight": z(4, 4), "bias": z(4)})
    graph(f"{d}/rnn.nir", {
        "input": ("Input", {"shape": np.array([3])}), "w": w, "cuba": cuba, "rec": rec,
        "output": ("Output", {"shape": np.array([4])})},
        [["rec", "cuba"], ["cuba", "output"], ["input", "w"], ["cuba", "rec"], ["w", "cuba"]], libver="latest")
    graph(f"{d}/rnn_nested.nir", {
        "input": ("Input", {"shape": np.array([3])}), "w": w,
        "G": sub({"in": ("Input", {"shape": np.array([4])}), "cuba": cuba, "rec": rec,
                  "out": ("Output", {"shape": np.array([4])})},
                 [["in", "cuba"], ["rec", "cuba"], ["cuba", "out"], ["cuba", "rec"]]),
        "output": ("Output", {"shape": np.array([4])})},
        [["G", "output"], ["input", "w"], ["w", "G"]], libver="latest")
    graph(f"{d}/conv_small.nir", {
        "input": ("Input", {"shape": np.array([2, 5, 5])}),
        "conv": ("Conv2d", {"weight": rng.normal(size=(3, 2, 3, 3)).astype(f32), "bias": np.zeros(3, f32),
                            "stride": np.array([2, 2]), "padding": np.array([1, 1])}),
        "flat": ("Flatten", {"start_dim": 0, "end_dim": -1}),
        "fc": ("Affine", {"weight": rng.normal(size=(2, 27)).astype(f32), "bias": np.zeros(2, f32)}),
        "output": ("Output", {"shape": np.array([2])})},
        [["input", "conv"], ["conv", "flat"], ["flat", "fc"], ["fc", "output"]], libver="latest")
    if COMPACT:  # the fuzz corpus stays under 20 KB each
        return
    misc = {
        "conv": ("Conv2d", {"weight": rng.normal(size=(2, 1, 3, 3)).astype(f32), "bias": np.zeros(2, f32),
                            "stride": np.array([1, 1]), "padding": np.array([1, 1]),
                            "dilation": np.array([1, 1]), "groups": 1, "input_shape": np.array([4, 4])}),
        "pool": ("AvgPool2d", {"kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
                               "padding": np.array([0, 0])}),
        "flat": ("Flatten", {"start_dim": 0, "end_dim": -1, "input_type": np.array([2, 2, 2])}),
        "scale": ("Scale", {"scale": np.full(8, 2.0, f32)}),
        "delay": ("Delay", {"delay": np.full(8, 2e-4)})}
    H = sub({"i": ("Input", {"shape": np.array([2, 2, 2])}), "flat": misc["flat"], "scale": misc["scale"],
             "delay": misc["delay"], "o": ("Output", {"shape": np.array([8])})},
            [["i", "flat"], ["flat", "scale"], ["scale", "delay"], ["delay", "o"]])
    G = sub({"in": ("Input", {"shape": np.array([1, 4, 4])}), "conv": misc["conv"], "pool": misc["pool"],
             "H": H, "out": ("Output", {"shape": np.array([8])})},
            [["in", "conv"], ["conv", "pool"], ["pool", "H"], ["H", "out"]])
    tail = {"thr": ("Threshold", {"threshold": np.full(8, 0.5)}),
            "li": ("LI", {"tau": np.full(8, 1e-3), "r": np.ones(8), "v_leak": np.zeros(8)}),
            "int": ("I", {"r": np.ones(8)}),
            "if": ("IF", {"r": np.ones(8), "v_threshold": np.ones(8)}),
            "output": ("Output", {"shape": np.array([8])})}
    tail_edges = [["thr", "li"], ["thr", "int"], ["li", "if"], ["int", "if"], ["if", "output"]]
    graph(f"{d}/misc_nested.nir", {"input": ("Input", {"shape": np.array([1, 4, 4])}), "G": G, **tail},
          [["input", "G"], ["G", "thr"]] + tail_edges, libver="latest")
    lif_sub = {k: v for k, v in lif_nodes().items() if k in ("fc", "lif")}
    lif_sub["o"] = ("Output", {"shape": np.array([1])})
    ln = lif_nodes()
    graph(f"{d}/lif_nested.nir", {"in": ln["in"], "G": sub(lif_sub, [["fc", "lif"], ["lif", "o"]]), "out": ln["out"]},
          [["in", "G.fc"], ["G", "out"]])

    def deep(levels):
        inner = sub({"in": ("Input", {"shape": np.array([2])}), "fc": ln["fc"], "lif": ln["lif"],
                     "out": ("Output", {"shape": np.array([1])})}, [["in", "fc"], ["fc", "lif"], ["lif", "out"]])
        for _ in range(levels - 1):
            inner = sub({"in": ("Input", {"shape": np.array([2])}), "g": inner,
                         "out": ("Output", {"shape": np.array([1])})}, [["in", "g"], ["g", "out"]])
        return {"in": ln["in"], "g": inner, "out": ln["out"]}, [["in", "g"], ["g", "out"]]
    graph(f"{d}/deep16.nir", *deep(16))
    graph(f"{d}/convs.nir", {
        "input": ("Input", {"shape": np.array([4, 9, 9])}),
        "conv": ("Conv2d", {"weight": rng.normal(size=(6, 2, 3, 3)).astype(f32), "bias": rng.normal(size=6).astype(f32),
                            "stride": np.array([2, 2]), "padding": np.array([1, 2]), "dilation": np.array([2, 1]),
                            "groups": 2, "input_shape": np.array([9, 9])}),
        "flat": ("Flatten", {"start_dim": 0, "end_dim": -1, "input_type": np.array([6, 4, 6])}),
        "fc": ("Affine", {"weight": rng.normal(size=(5, 144)).astype(f32), "bias": rng.normal(size=5).astype(f32)}),
        "output": ("Output", {"shape": np.array([5])})},
        [["input", "conv"], ["conv", "flat"], ["flat", "fc"], ["fc", "output"]])
    graph(f"{d}/conv1d.nir", {
        "input": ("Input", {"shape": np.array([3, 20])}),
        "conv": ("Conv1d", {"weight": rng.normal(size=(4, 3, 5)).astype(f32), "bias": rng.normal(size=4).astype(f32),
                            "stride": np.array([2]), "padding": np.array([2]), "dilation": np.array([1]),
                            "groups": 1, "input_shape": 20}),
        "output": ("Output", {"shape": np.array([4, 10])})},
        [["input", "conv"], ["conv", "output"]])
    graph(f"{d}/misc.nir", {"input": ("Input", {"shape": np.array([1, 4, 4])}), **misc, **tail},
          [["input", "conv"], ["conv", "pool"], ["pool", "flat"], ["flat", "scale"], ["scale", "delay"],
           ["delay", "thr"]] + tail_edges, libver="latest")
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
    graph(f"{d}/deep17.nir", *deep(17))
    inner = lambda: {"fc": ln["fc"], "lif": ln["lif"], "o": ("Output", {"shape": np.array([1])})}
    top = lambda g, e: graph(f"{d}/{g[0]}.nir", {"in": ln["in"], "G": sub(*g[1]), "out": ln["out"]}, e)
    top(("nested_no_input", (inner(), [["fc", "lif"], ["lif", "o"]])), [["in", "G"], ["G", "out"]])
    two = {**inner(), "o2": ("Output", {"shape": np.array([1])})}
    top(("nested_two_outputs", (two, [["fc", "lif"], ["lif", "o"], ["lif", "o2"]])), [["in", "G.fc"], ["G", "out"]])
    with_in = lambda shape: {"i": ("Input", {"shape": np.array(shape)}), **inner()}
    top(("nested_missing_node", (with_in([2]), [["i", "fc"], ["fc", "lf"], ["lif", "o"]])), [["in", "G"], ["G", "out"]])
    top(("nested_shape", (with_in([3]), [["i", "fc"], ["fc", "lif"], ["lif", "o"]])), [["in", "G"], ["G", "out"]])
    top(("nested_unconnected", (with_in([2]), [["i", "fc"], ["fc", "lif"], ["lif", "o"]])),
        [["in", "G.fc"], ["G", "out"]])
    top(("nested_into_input", (with_in([2]), [["i", "fc"], ["fc", "lif"], ["lif", "o"], ["lif", "i"]])),
        [["in", "G"], ["G", "out"]])
    top(("nested_empty", ({}, [])), [["in", "out"]])
    top(("nested_link_cycle", (with_in([2]), [["i", "fc"], ["fc", "lif"], ["lif", "o"]])), [["in", "G"], ["G", "out"]])
    with h5py.File(f"{d}/nested_link_cycle.nir", "r+") as f:
        f["node/nodes/G/nodes/loop"] = f["node/nodes/G"]  # a hard link: G contains itself


main()
