#!/usr/bin/python3
"""The VA COBA disagreement (leinao about 90-100 Hz against pyNN.brian2's 172.7 Hz on
python/tests/pynn/va_benchmark.py COBA): the same PyNN script on pyNN.brian2 with its default
integration (forward Euler for IF_cond_exp: Brian2 cannot integrate the v*g terms 'exactly'),
with exponential Euler and RK4, and with smaller time steps, beside leinao (NEST's adaptive
RK45 for iaf_cond_exp) at the same time steps and over master seeds. Prints one line per case
and writes the figures as JSON (--out).

    PYTHONPATH=build/python LD_LIBRARY_PATH=build bench/python/va_coba.py [--out FILE] [--quick]

Brian2 runs with its numpy target (as the tests do); a run at dt = 0.01 ms takes minutes.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "python" / "tests" / "pynn" / "va_benchmark.py"
CELL = ROOT / "python" / "tests" / "pynn" / "va_cell.py"


def run_cell(backend: str, dt: float, method: str = "") -> list:
    """va_cell.py: one cell, identical input on every backend; its spike times."""
    env = dict(os.environ, VA_DT=repr(dt), VA_BRIAN2_METHOD=method)
    r = subprocess.run([sys.executable, str(CELL), backend], capture_output=True, text=True,
                       env=env, timeout=3600)
    if r.returncode:
        raise SystemExit(f"va_cell.py {backend} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def run(backend: str, dt: float, method: str = "", seed: int | None = None) -> dict:
    env = dict(os.environ, VA_DT=repr(dt), VA_BRIAN2_METHOD=method)
    args = [sys.executable, str(SCRIPT), backend, "COBA"] + ([] if seed is None else [str(seed)])
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=3600)
    if r.returncode:
        raise SystemExit(f"{args} failed:\n{r.stderr[-3000:]}")
    out: dict = {"backend": backend, "dt": dt, "method": method or "default", "seed": seed}
    for line in r.stdout.splitlines():
        key, *rest = line.split()
        if key in ("rates", "seconds"):
            out.update({k: float(v) for k, v in (kv.split("=") for kv in rest)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="JSON file for the figures")
    ap.add_argument("--quick", action="store_true", help="no Brian2 runs at dt = 0.01 ms")
    a = ap.parse_args()
    cases = [("leinao", 0.1, "", s) for s in (None, 1, 2, 3, 4)]
    cases += [("leinao", 0.05, "", None), ("leinao", 0.01, "", None)]
    cases += [("pyNN.brian2", 0.1, m, None) for m in ("", "exponential_euler", "rk4")]
    cases += [("pyNN.brian2", 0.05, "", None), ("pyNN.brian2", 0.02, "", None)]
    if not a.quick:
        cases += [("pyNN.brian2", 0.01, "", None), ("pyNN.brian2", 0.01, "exponential_euler", None)]
    rows = []
    cells = [("leinao", 0.1, ""), ("leinao", 0.01, ""), ("pyNN.brian2", 0.1, ""),
             ("pyNN.brian2", 0.1, "exponential_euler"), ("pyNN.brian2", 0.1, "rk4"),
             ("pyNN.brian2", 0.01, ""), ("pyNN.brian2", 0.01, "exponential_euler")]
    for backend, dt, method in cells:
        t = run_cell(backend, dt, method)
        rows.append({"cell": True, "backend": backend, "dt": dt, "method": method or "default",
                     "spikes": len(t), "first": t[:10]})
        print(f"one cell     {backend:12s} dt={dt:<5g} method={method or 'default':18s} "
              f"spikes={len(t)}", flush=True)
    for c in cases:
        r = run(*c)
        rows.append(r)
        print(f"{r['backend']:12s} dt={r['dt']:<5g} method={r['method']:18s} seed={r['seed']!s:5s} "
              f"exc={r['Excitatory_Cells']:7.2f} Hz inh={r['Inhibitory_Cells']:7.2f} Hz "
              f"run={r['run']:.2f} s", flush=True)
    if a.out:
        pathlib.Path(a.out).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
