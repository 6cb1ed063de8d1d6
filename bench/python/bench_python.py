#!/usr/bin/python3
"""Figures of the Python layer, from one run, medians of --repeats (cases alternate within each
repeat, so that a change of the machine's load falls on all of them):

1. Brunel (examples/brunel.yaml, 12 500 neurons, 15.6 M synapses) built and run through the
   Python API call by call (bench/python/brunel_api.py calls), through Simulator.load of the
   model file, and by the command line (`leinao run`): process wall time each (interpreter
   start, import, build, run, files written), ratios to the command line; the spikes written
   must be identical (a fast wrong answer does not count).
2. The PyNN VA benchmark (python/tests/pynn/va_benchmark.py COBA, 800 cells, 300 ms) on
   leinao.pynn and on Debian's pyNN.brian2 (numpy target, its forward Euler; no C++ build):
   whole script (process) and run only (the two sim.run calls), ratios brian2 / leinao.

Writes docs/python-benchmarks.md (machine, load, commit) and prints the table.

    PYTHONPATH=build/python LD_LIBRARY_PATH=build bench/python/bench_python.py [--repeats 3]
        [--brunel-ms 1000] [--threads 2] [--out docs/python-benchmarks.md]
"""
import argparse
import datetime
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "leinao"
HERE = pathlib.Path(__file__).resolve().parent
VA = ROOT / "python" / "tests" / "pynn" / "va_benchmark.py"


def _children_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(args: list, env: dict | None = None) -> tuple[float, float, str]:
    """Wall and CPU (user + system, all threads) seconds of a child process, its stdout."""
    t0, c0 = time.perf_counter(), _children_cpu()
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if r.returncode:
        raise SystemExit(f"{args} failed:\n{r.stderr[-3000:]}")
    return wall, cpu, r.stdout


def brunel(how: str, ms: float, threads: int, out: pathlib.Path) -> tuple[float, float]:
    if how == "cli":
        return timed([str(CLI), "run", str(ROOT / "examples" / "brunel.yaml"), "--out", str(out),
                      "--quiet", "--overwrite", "--threads", str(threads),
                      "--set", f"simulation.duration={ms:g}"])[:2]
    return timed([sys.executable, str(HERE / "brunel_api.py"), how, f"{ms:g}", str(threads),
                  str(out)])[:2]


def spikes(path: pathlib.Path) -> dict:
    """{population: (timestamps, node_ids)} of a SONATA spike file."""
    with h5py.File(path, "r") as f:
        return {k: (np.asarray(g["timestamps"]), np.asarray(g["node_ids"]))
                for k, g in f["spikes"].items()}


def va(backend: str) -> dict:
    wall, cpu, out = timed([sys.executable, str(VA), backend, "COBA"])
    fig = {"process": wall, "cpu": cpu}
    for line in out.splitlines():
        key, *rest = line.split()
        if key == "seconds":
            fig.update({k: float(v) for k, v in (kv.split("=") for kv in rest)})
        if key == "rates":
            fig["exc_hz"] = float(dict(kv.split("=") for kv in rest)["Excitatory_Cells"])
    return fig


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--brunel-ms", type=float, default=1000.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "docs" / "python-benchmarks.md"))
    a = ap.parse_args()
    load_before = os.getloadavg()
    rows = {k: [] for k in ("cli", "calls", "load", "import")}
    vas = {"leinao": [], "pyNN.brian2": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for rep in range(a.repeats):
            order = ("cli", "calls", "load") if rep % 2 == 0 else ("load", "calls", "cli")
            for how in order:
                rows[how].append(brunel(how, a.brunel_ms, a.threads, tmp / how))
                print(f"brunel {how:5s} wall {rows[how][-1][0]:7.2f} s cpu {rows[how][-1][1]:7.2f} s",
                      flush=True)
            rows["import"].append(timed([sys.executable, "-c", "import leinao"])[:2])
            ref = spikes(tmp / "cli" / "spikes.h5")
            for how in ("calls", "load"):
                got = spikes(tmp / how / "spikes.h5")
                if got.keys() != ref.keys() or any(
                        not all(np.array_equal(x, y) for x, y in zip(got[k], ref[k])) for k in ref):
                    raise SystemExit(f"brunel: the {how} run's spikes differ from the CLI's")
            for backend in (("leinao", "pyNN.brian2") if rep % 2 == 0
                            else ("pyNN.brian2", "leinao")):
                vas[backend].append(va(backend))
                f = vas[backend][-1]
                print(f"va {backend:12s} script {f['process']:6.2f} s cpu {f['cpu']:6.2f} s "
                      f"run {f['run']:6.2f} s "
                      f"exc {f['exc_hz']:.1f} Hz", flush=True)
    load_after = os.getloadavg()
    med = {k: statistics.median(w for w, _ in v) for k, v in rows.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in rows.items()}
    vm = {b: {k: statistics.median(f[k] for f in v) for k in ("process", "cpu", "run", "exc_hz")}
          for b, v in vas.items()}
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    lines = [
        "# Python layer: figures",
        "",
        f"`bench/python/bench_python.py --repeats {a.repeats} --brunel-ms {a.brunel_ms:g} "
        f"--threads {a.threads}`, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} "
        f"UTC, commit {commit}; medians of {a.repeats}, the cases alternating within each "
        "repeat.",
        "",
        f"Machine: {machine()}. Load average (1, 5, 15 min) {load_before[0]:.2f} / "
        f"{load_before[1]:.2f} / {load_before[2]:.2f} before, {load_after[0]:.2f} / "
        f"{load_after[1]:.2f} / {load_after[2]:.2f} after: the machine is shared with other "
        "work, so single figures move by several per cent; the ratios, from runs made side "
        "by side, move less.",
        "",
        f"## Brunel from Python against the command line ({a.brunel_ms:g} ms, "
        f"{a.threads} threads)",
        "",
        "Process wall time, from the start of the interpreter (or of `leinao run`) to the "
        "files closed, and the process's CPU time (user + system, both threads); all three "
        "write the same spikes (spikes.h5's arrays compared). On a loaded machine the wall "
        "time mostly measures the scheduler; the CPU time is the work done.",
        "",
        "| how | wall (s) | / CLI | CPU (s) | / CLI |",
        "|---|---|---|---|---|",
        f"| `leinao run examples/brunel.yaml` | {med['cli']:.2f} | 1.00 | {cpu['cli']:.2f} | 1.00 |",
        f"| Python API, call by call (`bench/python/brunel_api.py calls`) | {med['calls']:.2f} | "
        f"{med['calls'] / med['cli']:.3f} | {cpu['calls']:.2f} | {cpu['calls'] / cpu['cli']:.3f} |",
        f"| Python, `Simulator.load` of the model file | {med['load']:.2f} | "
        f"{med['load'] / med['cli']:.3f} | {cpu['load']:.2f} | {cpu['load'] / cpu['cli']:.3f} |",
        f"| (of which: `python3 -c 'import leinao'` alone, interpreter and NumPy) | "
        f"{med['import']:.2f} | {med['import'] / med['cli']:.3f} | {cpu['import']:.2f} | "
        f"{cpu['import'] / cpu['cli']:.3f} |",
        "",
        "## PyNN VA benchmark: leinao.pynn against pyNN.brian2",
        "",
        "`python/tests/pynn/va_benchmark.py COBA` (800 IF_cond_exp cells, Poisson input, "
        "300 ms at 0.1 ms, one thread): the whole script as a process (import of the backend, "
        "building, running, Neo output) and the two `sim.run` calls alone. pyNN.brian2 with "
        "Brian2's numpy target (the C++ targets need a compiler run per script).",
        "",
        "| backend | script, wall (s) | script, CPU (s) | run, wall (s) | excitatory rate (Hz) |",
        "|---|---|---|---|---|",
        f"| leinao.pynn | {vm['leinao']['process']:.2f} | {vm['leinao']['cpu']:.2f} | "
        f"{vm['leinao']['run']:.3f} | {vm['leinao']['exc_hz']:.1f} |",
        f"| pyNN.brian2 | {vm['pyNN.brian2']['process']:.2f} | {vm['pyNN.brian2']['cpu']:.2f} | "
        f"{vm['pyNN.brian2']['run']:.3f} | {vm['pyNN.brian2']['exc_hz']:.1f} |",
        f"| ratio brian2 / leinao | {vm['pyNN.brian2']['process'] / vm['leinao']['process']:.1f}x | "
        f"{vm['pyNN.brian2']['cpu'] / vm['leinao']['cpu']:.1f}x | "
        f"{vm['pyNN.brian2']['run'] / vm['leinao']['run']:.1f}x | |",
        "",
        "The rates differ because pyNN.brian2 integrates IF_cond_exp by forward Euler at "
        "0.1 ms (see docs/pynn-va-coba.md): the Brian2 figure is a faster-firing network, so "
        "its run time is, if anything, on the high side.",
        "",
    ]
    pathlib.Path(a.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
