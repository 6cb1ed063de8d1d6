#!/usr/bin/env python3
"""leinao nir on tiny hand-made NIR files (tests/nir/make_nir.py; needs nothing from shared/):
every rejection has its status and a message naming the file, node or dataset and the rule;
the misc graph (Conv2d, AvgPool2d, Flatten, Scale, Delay, Threshold, LI, I, IF) runs and each
node does what FORMAT.md §3 says; a batch gives the same as its samples one by one. Nested
graphs (NIRGraph nodes, one and two levels, 16 deep, entered by a dotted name) give outputs
bit-identical to the flat graph they describe, under NIR's definitions and the snnTorch and Norse
presets (the two cycle rules); bad nesting is refused with a message saying what is wrong. A
SONATA spike file as --input gives what the dense array it bins to gives (--steps, --population,
other dt; refusals)."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

LEINAO, HERE = sys.argv[1], os.path.dirname(os.path.abspath(__file__))
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def nir(*args):
    return subprocess.run([LEINAO, "nir", *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, f"{HERE}/make_nir.py", tmp, "--broken"], check=True)
    bad = {"missing_param": (4, "node 'lif' (LIF) has no dataset 'v_threshold'"),
           "unknown_type": (4, "unknown type 'LeakyIntegrator'"),
           "missing_node": (4, "edge lif -> nowhere names a missing node 'nowhere'"),
           "shape_mismatch": (4, "shapes do not chain: edge in -> fc: 'in' (Input) gives [2], 'fc' (Affine) takes [3]"),
           "not_nir": (4, "no group /node"),
           "truncated": (3, "cannot open as HDF5"),
           "garbage": (6, "not an HDF5 file"),
           "absent": (6, "cannot open"),
           "deep17": (4, "nested graph 'g.g.g.g.g.g.g.g.g.g.g.g.g.g.g.g.g' is nested more than 16 deep"),
           "nested_no_input": (4, "edge in -> G: subgraph 'G' has no Input node; the edge must name one of its nodes"),
           "nested_two_outputs": (4, "edge G -> out: subgraph 'G' has several Output nodes"),
           "nested_missing_node": (4, "subgraph 'G': edge fc -> lf names a missing node 'lf'"),
           "nested_shape": (4, "'G.i' (subgraph Input) gives [3], 'G.fc' (Affine) takes [2]"),
           "nested_unconnected": (4, "subgraph 'G': its Input node 'G.i' receives no edge"),
           "nested_into_input": (4, "subgraph 'G': edge lif -> i: its Input node 'i' has an incoming edge inside it"),
           "nested_empty": (4, "nested graph 'G' has no nodes"),
           "nested_link_cycle": (4, "nested graph 'G.loop' is the group of an enclosing graph (a cycle of HDF5 links)")}
    for name, (rc, text) in bad.items():
        path = f"{tmp}/{name}.nir"
        r = nir("info", path)
        check(r.returncode == rc and text in r.stderr and path in r.stderr,
              f"{name}: status {r.returncode}, message {r.stderr.strip()!r}")
    x = np.zeros((5, 2), np.float32)
    np.save(f"{tmp}/x.npy", x)
    r = nir("run", f"{tmp}/lif.nir", "--input", f"{tmp}/x.npy", "--out", f"{tmp}/o")
    check(r.returncode == 3 and "dt" in r.stderr, f"no preset and no --dt: refused ({r.stderr.strip()!r})")
    np.save(f"{tmp}/bad.npy", np.zeros((5, 3), np.float32))
    r = nir("run", f"{tmp}/lif.nir", "--input", f"{tmp}/bad.npy", "--out", f"{tmp}/o", "--dt", "1e-4")
    check(r.returncode == 3 and "input" in r.stderr, f"input of the wrong width: refused ({r.stderr.strip()!r})")

    rng = np.random.default_rng(5)
    steps = 10
    xs = rng.random((3, steps, 1, 4, 4)).astype(np.float32) * 3
    np.save(f"{tmp}/misc_in.npy", xs)
    r = nir("run", f"{tmp}/misc.nir", "--input", f"{tmp}/misc_in.npy", "--out", f"{tmp}/misc", "--dt", "1e-4")
    check(r.returncode == 0, f"misc graph runs ({r.stderr.strip()})")
    L = lambda n: np.load(f"{tmp}/misc/{n}.npy")
    conv, pool, flat, scale, delay, thr = L("conv"), L("pool"), L("flat"), L("scale"), L("delay"), L("thr")
    check(conv.shape == (3, steps, 2, 4, 4) and pool.shape == (3, steps, 2, 2, 2) and flat.shape == (3, steps, 8),
          f"shapes: conv {conv.shape}, pool {pool.shape}, flatten {flat.shape}")
    want = conv.reshape(3, steps, 2, 2, 2, 2, 2).sum(axis=(4, 6)) / np.float32(4)
    check(np.allclose(pool, want, rtol=1e-6, atol=1e-6), "AvgPool2d = mean of 2x2 windows")
    check(np.array_equal(flat, pool.reshape(3, steps, 8)), "Flatten keeps C order")
    check(np.array_equal(scale, flat * np.float32(2)), "Scale multiplies")
    check(np.array_equal(delay[:, 2:], scale[:, :-2]) and not delay[:, :2].any(), "Delay 2e-4 s at dt 1e-4 = 2 steps")
    check(np.array_equal(thr, (delay > np.float32(0.5)).astype(np.float32)), "Threshold is strict >")
    integ = L("int")
    check(np.allclose(integ, np.cumsum(thr, axis=1) * 1e-4, rtol=1e-5), "I integrates dt R I")
    li = L("li")
    a = np.exp(-0.1)
    ref = np.zeros_like(li)
    for t in range(steps):
        ref[:, t] = (ref[:, t - 1] if t else 0) * a + (1 - a) * thr[:, t]
    check(np.allclose(li, ref, rtol=1e-5, atol=1e-7), "LI: exact integration (NIR, no preset)")
    # the batch equals its samples run one by one
    np.save(f"{tmp}/one.npy", xs[1])
    r = nir("run", f"{tmp}/misc.nir", "--input", f"{tmp}/one.npy", "--out", f"{tmp}/one", "--dt", "1e-4")
    check(r.returncode == 0 and np.array_equal(np.load(f"{tmp}/one/if.npy"), L("if")[1]),
          "batch of 3 = sample 1 alone (IF output)")
    r = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/one.npy", "--out", f"{tmp}/r", "--dt", "1e-4")
    check(r.returncode == 3, "rnn.nir refuses an input of 16 values per step")

    # Conv2d and Affine, on sparse steps (the runtime's sparse paths) and dense ones, against a
    # NumPy model that sums in the runtime's order: bit-identical
    import h5py
    with h5py.File(f"{tmp}/convs.nir", "r") as f:
        P = {k: {q: f[f"node/nodes/{k}/{q}"][()] for q in ("weight", "bias")} for k in ("conv", "fc")}
    xc = rng.normal(size=(2, 8, 4, 9, 9)).astype(np.float32)
    xc[:, ::2] *= rng.random((2, 4, 4, 9, 9)) < 0.05  # even steps: 5 % nonzero
    np.save(f"{tmp}/convs_in.npy", xc)
    r = nir("run", f"{tmp}/convs.nir", "--input", f"{tmp}/convs_in.npy", "--out", f"{tmp}/convs", "--dt", "1e-4")
    check(r.returncode == 0, f"convs.nir runs ({r.stderr.strip()})")
    w, bc = P["conv"]["weight"], P["conv"]["bias"]
    want_c = np.zeros((2, 8, 6, 4, 6), np.float32)
    xp = np.zeros((2, 8, 4, 9 + 2, 9 + 4), np.float32)
    xp[..., 1:10, 2:11] = xc
    for co in range(6):
        for cl in range(2):
            ci = co // 3 * 2 + cl
            for ky in range(3):
                for kx in range(3):
                    patch = xp[:, :, ci, 2 * ky:2 * ky + 7:2, kx:kx + 11:2]
                    want_c[:, :, co] += w[co, cl, ky, kx] * patch
        want_c[:, :, co] += bc[co]
    got_c = np.load(f"{tmp}/convs/conv.npy")
    want_f = np.zeros((2, 8, 5), np.float32)
    flat = want_c.reshape(2, 8, 144)
    for j in range(144):
        want_f += P["fc"]["weight"][:, j] * flat[:, :, j:j + 1]
    want_f += P["fc"]["bias"]
    got_f = np.load(f"{tmp}/convs/fc.npy")
    for name, got, want in (("Conv2d", got_c, want_c), ("Affine after it", got_f, want_f)):
        for part, sl in (("sparse", slice(0, None, 2)), ("dense", slice(1, None, 2))):
            g_, w_ = got[:, sl], want[:, sl]
            check(g_.shape == w_.shape and np.array_equal(g_, w_),
                  f"{name} on {part} steps: bit-identical to NumPy in the same order (max |d| "
                  f"{float(np.abs(g_ - w_).max()) if g_.shape == w_.shape else 'shape'})")

    with h5py.File(f"{tmp}/conv1d.nir", "r") as f:
        w1, b1 = f["node/nodes/conv/weight"][()], f["node/nodes/conv/bias"][()]
    x1 = rng.normal(size=(2, 6, 3, 20)).astype(np.float32)
    x1[:, ::2] *= rng.random((2, 3, 3, 20)) < 0.1
    np.save(f"{tmp}/conv1d_in.npy", x1)
    r = nir("run", f"{tmp}/conv1d.nir", "--input", f"{tmp}/conv1d_in.npy", "--out", f"{tmp}/conv1d", "--dt", "1e-4")
    xp1 = np.zeros((2, 6, 3, 24), np.float32)
    xp1[..., 2:22] = x1
    want1 = np.zeros((2, 6, 4, 10), np.float32)
    for co in range(4):
        for ci in range(3):
            for k in range(5):
                want1[:, :, co] += w1[co, ci, k] * xp1[:, :, ci, k:k + 19:2]
        want1[:, :, co] += b1[co]
    got1 = np.load(f"{tmp}/conv1d/conv.npy") if r.returncode == 0 else None
    check(got1 is not None and np.array_equal(got1[:, ::2], want1[:, ::2]) and np.array_equal(got1[:, 1::2], want1[:, 1::2]),
          f"Conv1d on sparse and dense steps: bit-identical to NumPy in the same order ({r.stderr.strip()})")

    # nested graphs = the flat graphs they describe, bit for bit, node by node
    xr = (rng.random((2, 40, 3)) < 0.5).astype(np.float32) * 2
    np.save(f"{tmp}/rnn_in.npy", xr)
    xl = (rng.random((2, 60, 2)) < 0.4).astype(np.float32)
    np.save(f"{tmp}/lif_in.npy", xl)
    pairs = [("rnn", "rnn_in", {"w": "w", "cuba": "G.cuba", "rec": "G.rec", "output": "output"}),
             ("misc", "misc_in", {"conv": "G.conv", "pool": "G.pool", "flat": "G.H.flat", "scale": "G.H.scale",
                                  "delay": "G.H.delay", "thr": "thr", "li": "li", "int": "int", "if": "if",
                                  "output": "output"}),
             ("lif", "lif_in", {"fc": "G.fc", "lif": "G.lif", "out": "out"}),
             ("lif", "lif_in", {"fc": "g." * 15 + "g.fc", "lif": "g." * 15 + "g.lif", "out": "out"})]
    for k, (flat_name, inp, names) in enumerate(pairs):
        nested = {"rnn": "rnn_nested", "misc": "misc_nested", "lif": "lif_nested"}[flat_name] if k < 3 else "deep16"
        for preset in (None, "snntorch", "norse"):
            opts = ["--dt", "1e-4"] + (["--preset", preset] if preset else [])
            outs = []
            for f in (flat_name, nested):
                d = f"{tmp}/{f}_{k}_{preset}"
                r = nir("run", f"{tmp}/{f}.nir", "--input", f"{tmp}/{inp}.npy", "--out", d, *opts)
                check(r.returncode == 0, f"{f}.nir runs with preset {preset} ({r.stderr.strip()})")
                outs.append(d)
            same = all(np.array_equal(np.load(f"{outs[0]}/{a}.npy"), np.load(f"{outs[1]}/{b}.npy"))
                       for a, b in names.items())
            spikes = sum(float(np.load(f"{outs[0]}/{a}.npy").sum()) for a in names)
            check(same and spikes != 0, f"{nested}.nir = {flat_name}.nir bit for bit, preset {preset}, "
                  f"{len(names)} nodes (sum of outputs {spikes:.6g})")
            if flat_name == "rnn":
                check(np.array_equal(np.load(f"{outs[0]}/cuba.v.npy"), np.load(f"{outs[1]}/G.cuba.v.npy")),
                      f"rnn_nested: CubaLIF membrane bit-identical, preset {preset}")
    # a SONATA spike file as the input: the same as the dense array it bins to
    import h5py
    steps_of = rng.integers(0, 30, 120)
    ids = rng.integers(0, 3, 120)
    frac = rng.choice([0.0, 0.25, 0.5, 0.999], 120)  # 0.0: on a step boundary (0.3 ms is step 3)
    dense = np.zeros((30, 3), np.float32)
    np.add.at(dense, (steps_of, ids), 1)
    np.save(f"{tmp}/dense.npy", dense)

    def spikes(path, pops):
        with h5py.File(path, "w") as f:
            for name, (t, n) in pops.items():
                g = f.create_group(f"spikes/{name}")
                g.attrs["sorting"] = "by_time"
                g.create_dataset("timestamps", data=t)
                g.create_dataset("node_ids", data=np.asarray(n, np.uint64))
    order = np.argsort(steps_of + frac, kind="stable")
    times = ((steps_of + frac) * 0.1)[order]  # ms, dt = 0.1 ms
    spikes(f"{tmp}/in.h5", {"sensors": (times, ids[order])})
    for preset in (None, "snntorch"):
        opts = ["--dt", "1e-4"] + (["--preset", preset] if preset else [])
        a = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/dense.npy", "--out", f"{tmp}/sd_{preset}", "--steps", "30", *opts)
        check(a.returncode == 64 and "SONATA" in a.stderr, f"--steps with a .npy input: refused ({a.stderr.strip()})")
        a = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/dense.npy", "--out", f"{tmp}/sd_{preset}", *opts)
        b = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/in.h5", "--out", f"{tmp}/ss_{preset}", *opts)
        check(a.returncode == 0 and b.returncode == 0 and "120 spikes of population 'sensors' in 30 steps" in b.stdout,
              f"SONATA input runs, preset {preset} ({b.stdout.strip()} {b.stderr.strip()})")
        same = all(np.array_equal(np.load(f"{tmp}/sd_{preset}/{n}.npy"), np.load(f"{tmp}/ss_{preset}/{n}.npy"))
                   for n in ("input", "w", "cuba", "rec", "output"))
        check(same and np.array_equal(np.load(f"{tmp}/ss_{preset}/input.npy"), dense),
              f"SONATA input = the dense array it bins to (counts per step, max {int(dense.max())}), preset {preset}")
    r = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/in.h5", "--out", f"{tmp}/s10", "--dt", "1e-4", "--steps", "10")
    summary = json.load(open(f"{tmp}/s10/summary.json")) if r.returncode == 0 else {}
    late = int((steps_of >= 10).sum())
    check(r.returncode == 0 and summary.get("steps") == 10 and summary.get("input_spikes", {}).get("dropped") == late
          and np.array_equal(np.load(f"{tmp}/s10/input.npy"), dense[:10]),
          f"--steps 10: the first 10 steps, {late} later spikes dropped ({r.stderr.strip()})")
    r = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/in.h5", "--out", f"{tmp}/s5", "--dt", "5e-4")
    want5 = np.zeros((6, 3), np.float32)
    np.add.at(want5, (np.floor((steps_of + frac) * 0.1 / 0.5 + 1e-12).astype(int), ids), 1)
    check(r.returncode == 0 and np.array_equal(np.load(f"{tmp}/s5/input.npy"), want5),
          "dt 0.5 ms: spikes binned five steps of 0.1 ms to one")
    spikes(f"{tmp}/two.h5", {"a": ([0.1], [0]), "b": ([0.2], [1])})
    spikes(f"{tmp}/far.h5", {"a": ([0.1, 0.2], [0, 3])})
    spikes(f"{tmp}/neg.h5", {"a": ([-0.1], [0])})
    bad_inputs = [("two.h5", [], 3, "2 spike populations ('a', 'b'): name one"),
                  ("two.h5", ["--population", "c"], 6, "no spike population 'c' (the file has 'a', 'b')"),
                  ("far.h5", [], 3, "population 'a': node id 3, but the graph's input has 3 elements"),
                  ("neg.h5", [], 3, "spike 0 at -0.1 ms: times must be >= 0")]
    for f, extra, rc, text in bad_inputs:
        r = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/{f}", "--out", f"{tmp}/bad", "--dt", "1e-4", *extra)
        check(r.returncode == rc and text in r.stderr, f"SONATA {f} {extra}: refused ({r.returncode}: {r.stderr.strip()})")
    r = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/two.h5", "--out", f"{tmp}/pb", "--dt", "1e-4", "--population", "b")
    check(r.returncode == 0 and np.array_equal(np.load(f"{tmp}/pb/input.npy"), np.array([[0, 0, 0], [0, 0, 0], [0, 1, 0]], np.float32)),
          "--population b reads population b")

    # leinao's own SONATA writer: a spiking population recorded by `leinao run`, then its spike
    # file as a graph's input (times are multiples of 0.1 ms: 0.3 ms must be step 3, not 2)
    with open(f"{tmp}/src.yaml", "w") as f:
        f.write("name: nir_input\nsimulation: {dt: 0.1, duration: 20.0, seed: 3}\npopulations:\n"
                "  src:\n    model: iaf_psc_delta\n    size: 3\n"
                "    params: {C_m: 1.0, tau_m: 20.0, t_ref: 0.5, E_L: 0.0, V_reset: 0.0, V_th: 20.0}\n"
                "  noise: {model: poisson_generator, params: {rate: 100000.0}}\nprojections:\n"
                "  - {source: noise, target: src, rule: all_to_all, synapse: {weight: 1.0, delay: 0.1}}\n"
                "recordings:\n  - {type: spikes, populations: [src], file: spikes.h5}\n")
    r = subprocess.run([LEINAO, "run", f"{tmp}/src.yaml", "--out", f"{tmp}/src", "--quiet"], capture_output=True, text=True)
    check(r.returncode == 0, f"leinao run writes a SONATA spike file ({r.stderr.strip()})")
    with h5py.File(f"{tmp}/src/spikes.h5", "r") as f:
        t, n = f["spikes/src/timestamps"][()], f["spikes/src/node_ids"][()]
    want = np.zeros((int(np.rint(t.max() / 0.1)) + 1, 3), np.float32)
    np.add.at(want, (np.rint(t / 0.1).astype(int), n.astype(int)), 1)
    r = nir("run", f"{tmp}/rnn.nir", "--input", f"{tmp}/src/spikes.h5", "--out", f"{tmp}/from_leinao", "--dt", "1e-4")
    check(r.returncode == 0 and len(t) > 20 and np.array_equal(np.load(f"{tmp}/from_leinao/input.npy"), want),
          f"leinao's spike file ({len(t)} spikes) as input: binned at dt 0.1 ms onto the steps it was written at")

    r = nir("info", f"{tmp}/rnn_nested.nir")
    check(r.returncode == 0 and "G.cuba" in r.stdout and "G.rec -> G.cuba" in r.stdout and "G.in" not in r.stdout,
          "nir info rnn_nested.nir: flattened names, the subgraph's Input and Output removed")
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
