#!/usr/bin/env python3
"""Speed of leinao's NIR runtime against a plain NumPy implementation of the same graphs, in one
run on one machine (docs/nir.md, "Speed").

usage: run.py --data DIR [--bench build/leinao_nir_bench] [--leinao build/leinao]
              [--repeats R] [--json FILE]
       run.py --smoke ...   (CTest: the timer runs on a tiny graph of tests/nir/make_nir.py)

DIR is a folder holding the NIR paper's files (github.com/neuromorphs/NIR, paper/):
paper/03_rnn/braille_noDelay_bias_zero.nir with paper/03_rnn/derived/ds_test0_input_256x12.npy
(the Braille test sample), and paper/02_cnn/cnn_sinabs.nir; $LEINAO_NIR_DATA if --data is not
given.

Cases (each at batch 1 and a larger batch):
  braille  the Braille RNN (Input 12 -> Affine -> CubaLIF 38 with a recurrent Affine -> Affine ->
           CubaLIF 7), snnTorch preset, 256 steps of the test sample (the batch repeats it)
  cnn      Sinabs' N-MNIST CNN (Conv2d/IF/SumPool2d/Flatten/Affine), Sinabs preset, random
           events on 2 x 34 x 34 (8 % of the pixels, 1 or 2 events), 100 steps
leinao is timed by leinao_nir_bench (the public C API: steps only, not loading); NumPy runs the
same equations vectorised over the batch (matrix products and im2col convolutions through
NumPy's BLAS, limited to one thread as leinao's runtime is single-threaded). Before timing, the
NumPy output is compared with `leinao nir run` on the same input: the Output node's spikes
(differing entries are reported; the timing is meaningful only when they agree). Each side runs
R times (default 5; at least 3), alternating (one leinao run, one NumPy run, so that a change of
the machine's load hits both); medians are reported, and the median of the R ratios NumPy /
leinao. The load average of the machine is printed before and after.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import numpy as np  # noqa: E402

f32 = np.float32
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def median(xs):
    return float(np.median(np.array(xs)))


# ---- NumPy models ---------------------------------------------------------------------------

def params(path):
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        for name, g in f["node/nodes"].items():
            out[name] = {k: g[k][()] for k in g if k != "type"}
    return out


class Braille:
    """snnTorch mode (NOTES.md §3.3): cur1 = W1 x + b1 + Wrec s1[t-1] + brec; CubaLIF with
    I <- a_s I + cur, v <- a v + I, spike v > theta, reset to zero; the same for layer 2."""

    def __init__(self, path, dt=1e-4):
        p = params(path)
        self.w1, self.b1 = p["fc1"]["weight"].astype(f32), p["fc1"]["bias"].astype(f32)
        self.wr, self.br = p["lif1.w_rec"]["weight"].astype(f32), p["lif1.w_rec"]["bias"].astype(f32)
        self.w2, self.b2 = p["fc2"]["weight"].astype(f32), p["fc2"]["bias"].astype(f32)
        lif = lambda n: (f32(1 - dt / p[n]["tau_syn"]).astype(f32), (1 - dt / p[n]["tau_mem"]).astype(f32),
                         p[n]["v_threshold"].astype(f32))
        self.l1, self.l2 = lif("lif1.lif"), lif("lif2")

    def run(self, x):  # x: batch x time x 12 -> output spikes batch x time x 7
        b, steps, _ = x.shape
        i1 = np.zeros((b, 38), f32)
        v1 = np.zeros((b, 38), f32)
        s1 = np.zeros((b, 38), f32)
        i2 = np.zeros((b, 7), f32)
        v2 = np.zeros((b, 7), f32)
        out = np.zeros((b, steps, 7), f32)
        (as1, a1, th1), (as2, a2, th2) = self.l1, self.l2
        w1t, wrt, w2t = self.w1.T.copy(), self.wr.T.copy(), self.w2.T.copy()
        for t in range(steps):
            cur = (s1 @ wrt + self.br) + (x[:, t] @ w1t + self.b1)
            i1 = as1 * i1 + cur
            v1 = a1 * v1 + i1
            s1 = (v1 > th1).astype(f32)
            v1[s1 > 0] = 0
            i2 = as2 * i2 + (s1 @ w2t + self.b2)
            v2 = a2 * v2 + i2
            s2 = (v2 > th2).astype(f32)
            v2[s2 > 0] = 0
            out[:, t] = s2
        return out


def im2col_conv(x, w, b, stride, pad):
    """x: batch x C x H x W; PyTorch conv2d (cross-correlation) as one matrix product."""
    n, c, h, wd = x.shape
    cout, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride[0], ::stride[1]]
    oh, ow = win.shape[2], win.shape[3]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)
    y = cols @ w.reshape(cout, -1).T + b
    return y.reshape(n, oh, ow, cout).transpose(0, 3, 1, 2)


def sumpool(x, k):
    n, c, h, w = x.shape
    return x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k).sum(axis=(3, 5), dtype=f32)


class CNN:
    """Sinabs mode: IF v <- v + I, spikes floor(v / theta) when v >= theta, subtracted, v
    clamped at >= -theta; SumPool2d; Flatten; Affine."""

    def __init__(self, path):
        p = params(path)
        self.p = p
        self.convs = {k: (p[k]["weight"].astype(f32), p[k].get("bias", np.zeros(p[k]["weight"].shape[0])).astype(f32),
                          tuple(int(v) for v in p[k]["stride"]), tuple(int(v) for v in p[k]["padding"]))
                      for k in ("0", "2", "5")}
        self.thr = {k: p[k]["v_threshold"].astype(f32) for k in ("1", "3", "6", "10", "12")}

    def run(self, x):  # batch x time x 2 x 34 x 34 -> output spikes batch x time x 10
        n, steps = x.shape[:2]
        v = {k: None for k in self.thr}
        out = np.zeros((n, steps, 10), f32)
        w9, b9 = self.p["9"]["weight"].astype(f32), self.p["9"]["bias"].astype(f32)
        w11, b11 = self.p["11"]["weight"].astype(f32), self.p["11"]["bias"].astype(f32)

        def neuron(k, cur):
            vv = cur if v[k] is None else v[k] + cur
            thr = self.thr[k]
            s = np.where(vv >= thr, np.floor(vv / thr), f32(0)).astype(f32)
            vv = vv - s * thr
            v[k] = np.maximum(vv, -thr)
            return s

        for t in range(steps):
            s1 = neuron("1", im2col_conv(x[:, t], *self.convs["0"]))
            s3 = neuron("3", im2col_conv(s1, *self.convs["2"]))
            s6 = neuron("6", im2col_conv(sumpool(s3, 2), *self.convs["5"]))
            s10 = neuron("10", sumpool(s6, 2).reshape(n, -1) @ w9.T + b9)
            out[:, t] = neuron("12", s10 @ w11.T + b11)
        return out


# ---- leinao ---------------------------------------------------------------------------------

def leinao_bench(args, nir, x, preset, batch, repeats):
    with tempfile.TemporaryDirectory() as tmp:
        np.save(f"{tmp}/x.npy", x)
        r = subprocess.run([args.bench, nir, f"{tmp}/x.npy", "--preset", preset, "--batch", str(batch),
                            "--repeats", str(repeats)], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"leinao_nir_bench failed: {r.stderr}")
    return json.loads(r.stdout)


def leinao_output(args, nir, x, preset):
    with tempfile.TemporaryDirectory() as tmp:
        np.save(f"{tmp}/x.npy", x)
        r = subprocess.run([args.leinao, "nir", "run", nir, "--input", f"{tmp}/x.npy", "--out", f"{tmp}/o",
                            "--preset", preset, "--record", "output"], capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(f"leinao nir run failed: {r.stderr}")
        names = [n for n in os.listdir(f"{tmp}/o") if n.endswith(".npy") and n not in ("counts.npy", "classes.npy")
                 and not n.endswith(".v.npy")]
        return np.load(f"{tmp}/o/{sorted(names)[0]}")


def case(args, name, nir, model, x, preset, batches, repeats):
    rows = []
    for batch in batches:
        xb = np.stack([x[b % len(x)] for b in range(batch)])
        want = leinao_output(args, nir, xb, preset)
        got = model.run(xb)
        diff = int((want.reshape(got.shape) != got).sum())
        np_runs, le_runs = [], []
        for _ in range(repeats):  # alternating, so that a change of the machine's load hits both
            le_runs.append(leinao_bench(args, nir, xb, preset, batch, 1)["median_s"])
            t0 = time.perf_counter()
            model.run(xb)
            np_runs.append(time.perf_counter() - t0)
        steps = xb.shape[1]
        le_med, np_med = median(le_runs), median(np_runs)
        row = {"case": name, "batch": batch, "steps": steps, "output_entries": int(got.size),
               "output_differing": diff, "leinao_runs_s": le_runs, "numpy_runs_s": np_runs,
               "leinao_median_s": le_med, "numpy_median_s": np_med,
               "leinao_us_per_step": 1e6 * le_med / steps, "numpy_us_per_step": 1e6 * np_med / steps,
               "leinao_ms_per_sample": 1e3 * le_med / batch, "numpy_ms_per_sample": 1e3 * np_med / batch,
               "leinao_us_per_sample_step": 1e6 * le_med / (steps * batch),
               "numpy_us_per_sample_step": 1e6 * np_med / (steps * batch),
               "numpy_over_leinao": median([n / l for n, l in zip(np_runs, le_runs)])}
        rows.append(row)
        print(f"{name:8s} batch {batch:3d}: {steps} steps, output {diff} of {got.size} entries differ | "
              f"per step {row['leinao_us_per_step']:9.1f} us leinao, {row['numpy_us_per_step']:9.1f} us NumPy | "
              f"per sample {row['leinao_ms_per_sample']:8.2f} ms leinao, {row['numpy_ms_per_sample']:8.2f} ms NumPy | "
              f"NumPy/leinao {row['numpy_over_leinao']:.2f}", flush=True)
    return rows


def smoke(args):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, f"{ROOT}/tests/nir/make_nir.py", tmp], check=True)
        x = (np.random.default_rng(1).random((2, 20, 3)) < 0.5).astype(f32)
        r = leinao_bench(args, f"{tmp}/rnn.nir", x, "snntorch", 2, 3)
    ok = r["median_s"] > 0 and len(r["runs_s"]) == 3 and r["steps"] == 20 and r["batch"] == 2
    print(json.dumps(r))
    print("smoke: ok" if ok else "smoke: FAILED")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("LEINAO_NIR_DATA"))
    ap.add_argument("--bench", default=f"{ROOT}/build/leinao_nir_bench")
    ap.add_argument("--leinao", default=f"{ROOT}/build/leinao")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.smoke:
        return smoke(args)
    if not args.data or not os.path.isdir(args.data):
        raise SystemExit("give --data DIR (the NIR paper's files) or set LEINAO_NIR_DATA")
    repeats = max(3, args.repeats)
    load0 = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}; "
          f"NumPy {np.__version__}, one BLAS thread; {repeats} runs each, medians", flush=True)
    braille_nir = f"{args.data}/paper/03_rnn/braille_noDelay_bias_zero.nir"
    xb = np.load(f"{args.data}/paper/03_rnn/derived/ds_test0_input_256x12.npy").astype(f32)[None]
    rows = case(args, "braille", braille_nir, Braille(braille_nir), xb, "snntorch", (1, 64), repeats)
    cnn_nir = f"{args.data}/paper/02_cnn/cnn_sinabs.nir"
    rng = np.random.default_rng(7)
    xc = ((rng.random((16, 100, 2, 34, 34)) < 0.08) * rng.integers(1, 3, (16, 100, 2, 34, 34))).astype(f32)
    rows += case(args, "cnn", cnn_nir, CNN(cnn_nir), xc, "sinabs", (1, 16), repeats)
    load1 = os.getloadavg()
    print(f"load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_before": load0, "load_after": load1, "cpus": os.cpu_count(), "repeats": repeats,
                       "numpy": np.__version__, "rows": rows}, f, indent=1)
    return 0


sys.exit(main())
