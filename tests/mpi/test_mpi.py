#!/usr/bin/env python3
"""MPI: `mpirun -np R leinao run MODEL --threads T` writes the same files as one process.

For (ranks x threads) in {1x1, 1x2, 2x1, 2x2, 3x1, 4x1} (oversubscribed on small machines) and
the models below, every output file (SONATA spikes, CSV spikes, HDF5 and CSV state reports) must
be byte-identical to the 1-process, 1-thread run's, and summary.json equal but for what
measures the machine (wall times, memory, threads, ranks). Then the fault cases: a bad model
file (every rank exits non-zero, one message), SIGTERM to mpirun (all ranks stop, files valid,
summary says interrupted), a rank killed with SIGKILL (the others end within 30 s), one rank out
of memory (its error, once; every rank exits). A SONATA circuit (tests/sonata/export_plastic.yaml
exported: explicit connections, plastic synapses, reports) gives the same files too. And
checkpoints: runs stopped and resumed on other numbers of ranks and threads end with the same
files.

usage: test_mpi.py LEINAO MPIRUN SOURCE_DIR
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

LEINAO, MPIRUN, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
# Under AddressSanitizer (scripts/test runs this too): memory errors abort as elsewhere, but no
# leak check at exit, where OpenMPI leaves its own allocations (of MPI_Init) for the OS to take;
# leinao's own leaks are checked by the single-process tests of the same build.
if "ASAN_OPTIONS" in ENV:
    ENV["ASAN_OPTIONS"] += ":detect_leaks=0"
SPLITS = [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 1)]
# what depends on the machine, not on the simulation
VOLATILE = {"build_time_s", "simulation_wall_s", "update_wall_s", "exchange_wall_s",
            "deliver_wall_s", "real_time_factor", "synaptic_events_per_s",
            "peak_allocated_bytes", "peak_rss_bytes", "bytes_per_synapse", "threads",
            "mpi_ranks", "peak_allocated_bytes_rank_max", "peak_allocated_bytes_ranks_sum",
            "peak_rss_bytes_rank_max", "peak_rss_bytes_ranks_sum", "mpi_wall_s_rank_max",
            "mpi_bytes_sent", "mpi_exchanges"}

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def command(ranks, args):
    base = [LEINAO] + args
    if ranks == 1:
        return base
    return [MPIRUN, "--oversubscribe", "-np", str(ranks)] + base


def run(ranks, threads, model, out, sets=(), timeout=600):
    args = ["run", model, "--out", out, "--overwrite", "--quiet", "--threads", str(threads)]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(command(ranks, args), env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def outputs(out):
    """Every file the run wrote, by name: its hash (summary.json: its stable content)."""
    found = {}
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if name == "summary.json":
            with open(path) as f:
                s = json.load(f)
            found[name] = {k: v for k, v in s.items() if k not in VOLATILE}
        elif os.path.isfile(path):
            found[name] = digest(path)
    return found


def identical(model, sets, what, tmp):
    reference = None
    for ranks, threads in SPLITS:
        out = os.path.join(tmp, f"{what}_{ranks}x{threads}")
        r = run(ranks, threads, model, out, sets)
        if r.returncode != 0:
            check(False, f"{what}: {ranks} ranks x {threads} threads ran (rc {r.returncode}: "
                         f"{r.stderr.strip()[-400:]})")
            continue
        got = outputs(out)
        if reference is None:
            reference = got
            files = ", ".join(k for k in got if k != "summary.json")
            check(len(got) >= 2, f"{what}: 1 x 1 wrote {files} and summary.json")
            continue
        differ = sorted(k for k in set(got) | set(reference) if got.get(k) != reference.get(k))
        check(not differ, f"{what}: {ranks} ranks x {threads} threads: every file identical to "
                          f"1 x 1" + (f" (differ: {differ})" if differ else ""))
    return reference


def with_state_recording(tmp):
    """microcircuit_small with a state recording of neurons spread over all ranks."""
    path = os.path.join(tmp, "microcircuit_state.yaml")
    with open(os.path.join(SRC, "tests", "data", "microcircuit_small.yaml")) as f:
        text = f.read()
    text = text.rstrip("\n") + (
        "\n  - {type: state, population: L4E, variables: [V_m, I_syn_ex], "
        "neurons: [0, 1, 100, 250, 400, 401, 402, 550, 600, 700], interval: 0.2, file: l4e.h5}\n"
        "  - {type: state, population: L23I, variables: V_m, interval: 1.0, file: l23i.csv}\n"
        "  - {type: spikes, populations: [L5E, L6I], file: deep.csv}\n")
    with open(path, "w") as f:
        f.write(text)
    return path


def resume_cycles(model, sets, what, tmp, reference):
    """Stopped and resumed on other numbers of ranks and threads: the same files as one run.
    The stops (in model ms) fall inside slices, so spikes of an open slice cross them too."""
    out = os.path.join(tmp, f"{what}_cycles")
    args = ["run", model, "--out", out, "--overwrite", "--quiet", "--until", "100.3"]
    for s in sets:
        args += ["--set", s]
    steps = [(2, 1, command(2, args + ["--threads", "1"])),
             (3, 1, command(3, ["resume", out, "--quiet", "--until", "170.7", "--threads", "1"])),
             (1, 2, command(1, ["resume", out, "--quiet", "--until", "230.1", "--threads", "2"])),
             (4, 1, command(4, ["resume", out, "--quiet", "--threads", "1"]))]
    for ranks, threads, cmd in steps:
        r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            check(False, f"{what}: stop/resume on {ranks} x {threads} (rc {r.returncode}: "
                         f"{r.stderr.strip()[-400:]})")
            return
    os.remove(os.path.join(out, "checkpoint.h5"))
    got = outputs(out)
    differ = sorted(k for k in set(got) | set(reference) if got.get(k) != reference.get(k))
    check(not differ, f"{what}: 2x1 -> 3x1 -> 1x2 -> 4x1 stop/resume cycles: every file "
                      f"identical to one run" + (f" (differ: {differ})" if differ else ""))


def sonata(tmp):
    """bmtk's 300_pointneurons example (read from ../shared/sonata beside the repository, when
    it is there: the SONATA examples' snapshot) on 2 and 3 ranks: the same spikes and report."""
    config = os.path.join(SRC, "..", "shared", "sonata", "300_pointneurons", "config.json")
    if not os.path.exists(config):
        print("skip SONATA on several ranks: ../shared/sonata is not beside the repository")
        return
    reference = None
    for ranks in (1, 2, 3):
        out = os.path.join(tmp, f"sonata_{ranks}")
        r = run(ranks, 1, config, out)
        if r.returncode != 0:
            check(False, f"SONATA 300_pointneurons on {ranks} ranks ran ({r.stderr.strip()[-300:]})")
            return
        got = {k: v for k, v in outputs(out).items() if k not in ("summary.json", "log.txt")}
        if reference is None:
            reference = got
        else:
            check(got == reference and len(got) >= 2,
                  f"SONATA 300_pointneurons on {ranks} ranks: {', '.join(sorted(got))} identical "
                  "to one process")


def memory_share(tmp):
    """Each rank holds only the synapses to its neurons: for fixed_outdegree (drawn per source)
    and fixed_indegree (per target), the largest rank's peak allocation at 2 and 4 ranks."""
    for rule in ("fixed_outdegree", "fixed_indegree"):
        path = os.path.join(tmp, f"{rule}.yaml")
        with open(path, "w") as f:
            f.write("name: share\nsimulation: {dt: 0.1, duration: 5.0, seed: 5}\n"
                    "populations:\n  E: {model: iaf_psc_delta, size: 20000, params: {I_e: 400.0}}\n"
                    "projections:\n  - {source: E, target: E, rule: {%s: 1000}, synapse: "
                    "{weight: {uniform: {low: 0.01, high: 0.1}}, delay: {uniform: {low: 1.0, "
                    "high: 3.0}}}}\nrecordings:\n  - {type: spikes, populations: E, file: "
                    "spikes.h5}\n" % rule)
        peak = {}
        for ranks in (1, 2, 4):
            out = os.path.join(tmp, f"{rule}_{ranks}")
            r = run(ranks, 1, path, out)
            if r.returncode != 0:
                check(False, f"{rule} on {ranks} ranks ran ({r.stderr.strip()[-300:]})")
                return
            with open(os.path.join(out, "summary.json")) as f:
                s = json.load(f)
            peak[ranks] = s.get("peak_allocated_bytes_rank_max", s["peak_allocated_bytes"])
        check(peak[2] <= 0.6 * peak[1] and peak[4] <= 0.35 * peak[1],
              f"{rule}: the largest rank's peak allocation is {peak[2] / peak[1]:.3f} (2 ranks) "
              f"and {peak[4] / peak[1]:.3f} (4 ranks) of one process's "
              f"({peak[1] / 2**20:.0f} MiB; bounds 0.6, 0.35)")


def valid_spikes(path):
    """The number of spikes of a SONATA spike file, if it reads and is sorted by time; else -1."""
    import h5py
    import numpy as np
    try:
        with h5py.File(path, "r") as f:
            n = 0
            for pop in f["spikes"]:
                t = f["spikes"][pop]["timestamps"][:]
                if len(t) != len(f["spikes"][pop]["node_ids"]) or np.any(np.diff(t) < 0):
                    return -1
                n += len(t)
            return n
    except (OSError, KeyError):
        return -1


def start_long(ranks, model, out):
    """A long run on `ranks` ranks, in its own session; returns once it is under way."""
    p = subprocess.Popen(command(ranks, ["run", model, "--out", out, "--overwrite", "--quiet",
                                         "--set", "simulation.duration=100000"]),
                         env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    # under way: the build has opened the spike file (a loaded machine may take a while)
    for _ in range(600):
        if os.path.exists(os.path.join(out, "spikes.h5")) or p.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(2)
    return p


def stop_and_wait(p, stop, timeout):
    """Calls stop(), then waits for the job: seconds it took to end (inf: killed after timeout)."""
    t0 = time.time()
    stop()
    try:
        p.communicate(timeout=timeout)
        return time.time() - t0
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return float("inf")


def faults(tmp):
    brunel = os.path.join(SRC, "examples", "brunel.yaml")
    # a bad model file: every rank exits non-zero, the message printed once
    bad = os.path.join(tmp, "bad.yaml")
    with open(brunel) as f:
        text = f.read()
    with open(bad, "w") as f:
        f.write(text.replace("iaf_psc_delta", "iaf_psc_dleta", 1))
    r = subprocess.run(command(3, ["run", bad, "--out", os.path.join(tmp, "bad"),
                                   "--overwrite", "--quiet"]),
                       env=ENV, capture_output=True, text=True, timeout=120)
    n = r.stderr.count("unknown neuron model") + r.stderr.count("unknown model")
    check(r.returncode != 0 and n == 1,
          f"bad model file on 3 ranks: exit {r.returncode}, the message printed {n} time(s)")
    # out of memory on one rank (rank 1 runs under a 900 MB address-space limit; each rank's half
    # of the full microcircuit needs about 1.3 GB): that rank's error, once, and all ranks exit
    # (not under AddressSanitizer, whose shadow memory needs more address space than the limit)
    micro = os.path.join(SRC, "examples", "microcircuit.yaml")
    run_args = ["run", micro, "--out", os.path.join(tmp, "oom"), "--overwrite", "--quiet",
                "--set", "simulation.duration=10"]
    limited = " ".join([LEINAO] + run_args)
    if "ASAN_OPTIONS" in os.environ:
        print("skip out of memory on one rank: an AddressSanitizer build")
    else:
        r = subprocess.run([MPIRUN, "--oversubscribe", "-np", "1", LEINAO] + run_args +
                           [":", "-np", "1", "sh", "-c", f"ulimit -v 900000; exec {limited}"],
                           env=ENV, capture_output=True, text=True, timeout=300)
        n = r.stderr.count("leinao: error:")
        check(r.returncode != 0 and n == 1 and "rank 1: out of memory" in r.stderr,
              f"out of memory on rank 1: exit {r.returncode}, one message ({n}): "
              f"{r.stderr.strip().splitlines()[0] if r.stderr.strip() else ''}")
    # SIGTERM to mpirun: every rank stops, the files are valid, the summary says interrupted
    out = os.path.join(tmp, "term")
    p = start_long(2, brunel, out)
    summary = os.path.join(out, "summary.json")
    took = stop_and_wait(p, lambda: p.send_signal(signal.SIGTERM), 30)
    check(took <= 10, f"SIGTERM to mpirun: all ranks ended in {took:.1f} s (<= 10 s)")
    status = None
    if os.path.exists(summary):
        with open(summary) as f:
            status = json.load(f).get("status")
    check(status == "interrupted", f"SIGTERM: summary.json status {status!r}")
    spikes = valid_spikes(os.path.join(out, "spikes.h5"))
    check(spikes > 0, f"SIGTERM: spikes.h5 is readable and in time order ({spikes} spikes)")
    # one rank killed with SIGKILL: the others end, with an error, within 30 s
    out = os.path.join(tmp, "kill")
    p = start_long(3, brunel, out)
    victims = []

    def kill_one():
        victims.extend(subprocess.run(["pgrep", "-f", "-P", str(p.pid), LEINAO],
                                      capture_output=True, text=True).stdout.split())
        if victims:
            os.kill(int(victims[-1]), signal.SIGKILL)

    took = stop_and_wait(p, kill_one, 60)
    check(len(victims) == 3, f"SIGKILL: found the 3 ranks ({len(victims)})")
    check(took <= 30 and p.returncode != 0,
          f"SIGKILL of one rank: the job ended in {took:.1f} s (<= 30 s), exit {p.returncode}")


def main():
    tmp = tempfile.mkdtemp(prefix="leinao_mpi_")
    try:
        ex = os.path.join(SRC, "examples")
        data = os.path.join(SRC, "tests", "data")
        identical(os.path.join(ex, "brunel.yaml"), ["simulation.duration=300"], "brunel", tmp)
        identical(os.path.join(ex, "coba.yaml"), ["simulation.duration=300"], "coba", tmp)
        ref = identical(os.path.join(ex, "stdp.yaml"), ["simulation.duration=1000"], "stdp", tmp)
        if ref:
            resume_cycles(os.path.join(ex, "stdp.yaml"), ["simulation.duration=1000"], "stdp",
                          tmp, ref)
            moved = [p for p in ref["summary.json"]["projections"]
                     if p["weight_mean"] != p["weight_mean_initial"]]
            check(bool(moved), f"stdp: plastic weights moved ({len(moved)} projection(s)), and "
                               "their statistics are equal on every split")
        micro = with_state_recording(tmp)
        ref = identical(micro, ["simulation.duration=300"], "microcircuit_small", tmp)
        ref = identical(os.path.join(data, "models.yaml"), [], "models", tmp)
        if ref:
            resume_cycles(os.path.join(data, "models.yaml"), [], "models", tmp, ref)
        sonata(tmp)
        # explicit connections: a SONATA circuit (static, stdp and tsodyks synapses, reports),
        # each rank keeping the synapses of the lists to its own targets
        circuit = os.path.join(tmp, "plastic_sonata")
        r = subprocess.run([LEINAO, "export", os.path.join(SRC, "tests", "sonata",
                                                           "export_plastic.yaml"),
                            "--sonata", circuit], capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"export_plastic.yaml exported to SONATA ({r.stderr.strip()})")
        if r.returncode == 0:
            ref = identical(os.path.join(circuit, "simulation_config.json"), [],
                            "sonata_plastic", tmp)
            check(bool(ref) and {"spikes.h5", "vm_E.h5", "state_I.h5", "coarse.h5"} <= set(ref),
                  "sonata_plastic: the spikes and the three reports written")
        memory_share(tmp)
        faults(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
