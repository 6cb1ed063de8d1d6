#!/usr/bin/env python3
"""Checkpoints: runs stopped (inside slices and at slice ends, by --until and by SIGTERM) and
resumed, also with other thread counts and over several cycles, end with spike files (SONATA and
CSV), state reports (SONATA and CSV) byte-identical to an uninterrupted run's, and summary.json
equal but for wall times, memory and threads. A checkpoint of another model, a changed model file,
another leinao version's format (format_version changed, a required dataset renamed) and a damaged
checkpoint are refused with a clear error and leave the outputs and the checkpoint as they were.
A run stopped by its rate guard writes a final checkpoint at the slice boundary where it stopped
(its state: that of a guard-free run to the same time, delivered slice included); resuming it is
refused, unchanged or with the guard loosened (a changed model file), and changes nothing.

usage: test_checkpoint.py LEINAO SOURCE_DIR"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

LEINAO, SOURCE = sys.argv[1], os.path.realpath(sys.argv[2])
# summary.json fields that measure the machine, not the model
MACHINE = {"build_time_s", "simulation_wall_s", "update_wall_s", "exchange_wall_s",
           "deliver_wall_s", "real_time_factor", "synaptic_events_per_s", "peak_allocated_bytes",
           "peak_rss_bytes", "bytes_per_synapse", "threads"}
failures = []


def run(*args, check=True):
    p = subprocess.run([LEINAO, *args], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise SystemExit(f"leinao {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p


def digests(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        if name in ("checkpoint.h5", "summary.json"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def summary(folder):
    with open(os.path.join(folder, "summary.json")) as f:
        s = json.load(f)
    return {k: v for k, v in s.items() if k not in MACHINE}


def same(label, ref, out):
    a, b = digests(ref), digests(out)
    if a != b:
        diff = [n for n in set(a) | set(b) if a.get(n) != b.get(n)]
        failures.append(f"{label}: files differ: {diff}")
    elif summary(ref) != summary(out):
        failures.append(f"{label}: summary.json differs")
    else:
        print(f"ok: {label}: {len(a)} files byte-identical, summary.json equal")


def cycles(label, model, sets, stops, threads):
    """Runs straight, then stopped at `stops` (ms) and resumed with threads[i] each time."""
    tmp = tempfile.mkdtemp(prefix="leinao-ckpt-")
    ref, out = os.path.join(tmp, "ref"), os.path.join(tmp, "out")
    common = [x for s in sets for x in ("--set", s)] + ["--quiet"]
    run("run", model, "--out", ref, "--threads", "2", *common)
    run("run", model, "--out", out, "--threads", str(threads[0]), "--until", str(stops[0]),
        *common)
    for i, t in enumerate(stops[1:]):
        run("resume", out, "--until", str(t), "--threads", str(threads[i + 1]), "--quiet")
    run("resume", out, "--threads", str(threads[len(stops)]), "--quiet")
    same(label, ref, out)
    return tmp, ref, out


def models_file(tmp):
    """tests/data/models.yaml with CSV spikes and a rate guard added."""
    with open(os.path.join(SOURCE, "tests/data/models.yaml")) as f:
        text = f.read()
    text += "  - {type: spikes, populations: [relay, exp], file: spikes.csv}\n"
    text += "guards: {rate: {min: 0, max: 2000, window: 50}}\n"
    path = os.path.join(tmp, "models_ckpt.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


work = tempfile.mkdtemp(prefix="leinao-ckpt-models-")
models = models_file(work)
# every model, tsodyks and stdp_nn_symm, devices, reports; min_delay is 1 step here, so also
# stops inside slices are covered by the Brunel cases below (min_delay 15 steps)
cycles("models: 4 cycles, threads 2-1-3-1-2", models, [], [87.3, 150.0, 213.7, 250.1],
       [2, 1, 3, 1, 2])
cycles("stdp: inside a slice, threads 2 -> 1", os.path.join(SOURCE, "examples/stdp.yaml"),
       ["simulation.duration=400"], [123.4], [2, 1])
brunel = os.path.join(SOURCE, "examples/brunel.yaml")
bsets = ["simulation.duration=120"]
tmp, ref, out = cycles("brunel: inside slices and at a slice end, threads 1-2-1", brunel, bsets,
                       [31.7, 60.0], [1, 2, 1])

# SIGTERM mid-run (a checkpoint every 20 ms, the final one at the signal), resumed
sig = os.path.join(tmp, "sigterm")
p = subprocess.Popen([LEINAO, "run", brunel, "--out", sig, "--threads", "2", "--quiet",
                      "--checkpoint-every", "20", *[x for s in bsets for x in ("--set", s)]],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 120
while not os.path.exists(os.path.join(sig, "checkpoint.h5")) and p.poll() is None and \
        time.time() < deadline:
    time.sleep(0.02)
p.send_signal(signal.SIGTERM)
p.wait(timeout=120)
if p.returncode not in (0, 8):
    failures.append(f"sigterm: exit {p.returncode}: {p.stderr.read()}")
stopped = run("check", os.path.join(sig, "checkpoint.h5")).stdout
print("checkpoint after SIGTERM:", " ".join(stopped.split()))
run("resume", sig, "--threads", "1", "--quiet")
same("brunel: SIGTERM, resumed with 1 thread", ref, sig)

# ---- errors: nothing recorded is lost ----
def every_file(folder):
    """Every file's digest, the checkpoint and summary.json included."""
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def refused(label, folder, needle, *extra):
    before = every_file(folder)
    p = run("resume", folder, "--quiet", *extra, check=False)
    if p.returncode == 0 or needle not in p.stderr:
        failures.append(f"{label}: expected an error naming '{needle}', got {p.returncode}: "
                        f"{p.stderr.strip()}")
    elif every_file(folder) != before:
        failures.append(f"{label}: the outputs or the checkpoint changed")
    else:
        print(f"ok: {label}: exit {p.returncode}: {p.stderr.strip()}")


err = os.path.join(tmp, "errors")
run("run", brunel, "--out", err, "--quiet", "--until", "40", *[x for s in bsets for x in ("--set", s)])
ckpt = os.path.join(err, "checkpoint.h5")
good = os.path.join(tmp, "good.h5")
shutil.copy(ckpt, good)
# another model: the note points at a copy with another seed
other = os.path.join(tmp, "other.yaml")
with open(brunel) as f:
    text = f.read().replace("seed: 12345", "seed: 54321")
with open(other, "w") as f:
    f.write(text)
with h5py.File(ckpt, "r+") as f:
    note = f.attrs["note"]
    note = note.decode() if isinstance(note, bytes) else note
    lines = [l for l in note.splitlines() if not l.startswith(("model=", "model_hash="))]
    h = 0xcbf29ce484222325
    for b in open(other, "rb").read():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    lines += [f"model={other}", f"model_hash={h:016x}"]
    f.attrs["note"] = "\n".join(lines) + "\n"
refused("checkpoint of another model", err, "seed")
shutil.copy(good, ckpt)
# a changed model file
changed = os.path.join(tmp, "brunel_copy.yaml")
shutil.copy(brunel, changed)
with h5py.File(ckpt, "r+") as f:
    note = f.attrs["note"]
    note = note.decode() if isinstance(note, bytes) else note
    h = 0xcbf29ce484222325
    for b in open(changed, "rb").read():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    f.attrs["note"] = note.replace(brunel, changed).replace(
        [l for l in note.splitlines() if l.startswith("model_hash=")][0], f"model_hash={h:016x}")
with open(changed, "a") as f:
    f.write("# edited\n")
refused("changed model file", err, "has changed")
shutil.copy(good, ckpt)
# another leinao version's incompatible format: its format version, or a required dataset
# under another name (the root attributes still those of version 1)
with h5py.File(ckpt, "r+") as f:
    f.attrs.modify("format_version", 2)
    f.attrs["leinao_version"] = "9.9.0"
refused("format version 2 (leinao 9.9.0)", err, "checkpoint format version 2 (written by leinao 9.9.0)")
shutil.copy(good, ckpt)
with h5py.File(ckpt, "r+") as f:
    f.move("run/scalars", "run/scalars_v2")
refused("a required dataset renamed (run/scalars)", err, "has no run/scalars")
shutil.copy(good, ckpt)
with h5py.File(ckpt, "r+") as f:
    f.move("population0/state/V_m", "population0/state/V_membrane")
refused("a state variable renamed (population0/state/V_m)", err, "population0/state/V_m")
shutil.copy(good, ckpt)
# damaged: truncated, and bytes overwritten in the middle
size = os.path.getsize(ckpt)
with open(ckpt, "r+b") as f:
    f.truncate(size // 2)
refused("truncated checkpoint", err, "checkpoint.h5")
shutil.copy(good, ckpt)
with open(ckpt, "r+b") as f:
    f.seek(size // 2)
    f.write(b"\xa5" * 4096)
refused("overwritten checkpoint", err, "checkpoint")
shutil.copy(good, ckpt)
# and the good one still resumes
run("resume", err, "--quiet")
same("brunel: resumed after the refused attempts", ref, err)


# ---- a run stopped by its rate guard ----
guarded = os.path.join(tmp, "brunel_guard.yaml")
with open(brunel) as f:
    text = f.read()
with open(guarded, "w") as f:
    f.write(text + "guards: {rate: {min: 0, max: 20, window: 50}}\n")  # Brunel fires at ~37 Hz
gplain, gout, free = (os.path.join(tmp, n) for n in ("guard_plain", "guard_ckpt", "guard_free"))
for folder, extra in ((gplain, []), (gout, ["--checkpoint-every", "20"])):
    p = run("run", guarded, "--out", folder, "--threads", "2", "--quiet", *extra,
            *[x for s in bsets for x in ("--set", s)], check=False)
    if p.returncode != 12 or "outside the guard" not in p.stderr:
        failures.append(f"guard: expected exit 12 naming the guard, got {p.returncode}: {p.stderr}")
same("guard: a checkpointing run stops as one that does not", gplain, gout)
stop = json.load(open(os.path.join(gout, "summary.json")))
info = run("check", os.path.join(gout, "checkpoint.h5")).stdout
if f"time reached: {stop['simulated_ms']:g} ms" not in info or "stopped by its rate guard" not in info:
    failures.append(f"guard: the final checkpoint is not at the stop ({stop['simulated_ms']} ms): {info}")
else:
    print(f"ok: guard: final checkpoint at {stop['simulated_ms']:g} ms, marked stopped")
# the guard is checked after the slice's delivery: the stopped state is a whole slice boundary,
# the state of a guard-free run to the same time (same spikes, same synaptic events)
run("run", brunel, "--out", free, "--threads", "1", "--quiet",
    "--set", f"simulation.duration={stop['simulated_ms']:g}")
ref_free = json.load(open(os.path.join(free, "summary.json")))
if digests(free) != digests(gout) or ref_free["synaptic_events"] != stop["synaptic_events"] or \
        ref_free["populations"] != stop["populations"]:
    failures.append(f"guard: the stopped state differs from a guard-free run to "
                    f"{stop['simulated_ms']} ms: events {stop['synaptic_events']} against "
                    f"{ref_free['synaptic_events']}")
else:
    print(f"ok: guard: stopped state = a guard-free run to {stop['simulated_ms']:g} ms "
          f"({stop['synaptic_events']} events, spike file byte-identical)")
refused("guard-stopped run resumed unchanged", gout, "stopped by its rate guard")
refused("guard-stopped run resumed unchanged, other threads", gout, "a guard's stop is final",
        "--threads", "1")
with open(guarded, "w") as f:  # the guard loosened: a changed model file
    f.write(text + "guards: {rate: {min: 0, max: 2000, window: 50}}\n")
refused("guard-stopped run resumed with the guard loosened", gout, "has changed")

shutil.rmtree(tmp, ignore_errors=True)
shutil.rmtree(work, ignore_errors=True)
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
