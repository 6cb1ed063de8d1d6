#!/usr/bin/env python3
"""Checkpoint faults. kill -9: Brunel (400 ms, two full flushes of E's spike buffer, so the
side copies of docs/checkpoint-format.md are exercised) checkpointing every 10 ms is SIGKILLed
at several moments, some while checkpoint.h5.tmp exists (the writer mid-checkpoint); `leinao
resume` must then succeed and end with outputs byte-identical to an uninterrupted run's. The same
with a state recording (V_m of 100 E neurons every step: a 1 MiB flush every 131 ms), killed once
its report's side copy holds a full flush and again mid-checkpoint after one. A full
disk: a 16 MiB tmpfs (or, where mounting is refused, RLIMIT_FSIZE) filled but for a little space
makes the next checkpoint fail: a clear error, exit non-zero, the previous checkpoint kept byte
for byte, no temporary left, the spike file closed (readable); with space again it resumes.

usage: test_checkpoint_faults.py LEINAO SOURCE_DIR"""
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

LEINAO, SOURCE = sys.argv[1], os.path.realpath(sys.argv[2])
MACHINE = {"build_time_s", "simulation_wall_s", "update_wall_s", "exchange_wall_s",
           "deliver_wall_s", "real_time_factor", "synaptic_events_per_s", "peak_allocated_bytes",
           "peak_rss_bytes", "bytes_per_synapse", "threads"}
BRUNEL = os.path.join(SOURCE, "examples/brunel.yaml")
SETS = ["--set", "simulation.duration=400"]
failures = []


def run(*args, check=True, **kw):
    p = subprocess.run([LEINAO, *args], capture_output=True, text=True, timeout=300, **kw)
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
        return {k: v for k, v in json.load(f).items() if k not in MACHINE}


def same(label, ref, out):
    a, b = digests(ref), digests(out)
    if a != b:
        failures.append(f"{label}: files differ: {sorted(set(a) ^ set(b)) or a.keys()}")
    elif summary(ref) != summary(out):
        failures.append(f"{label}: summary.json differs")
    else:
        print(f"ok: {label}: {len(a)} files byte-identical, summary.json equal")


def resume_killed(label, out, reference):
    """Resumes a killed run with 1 thread: it must succeed, leave no side copy and end with the
    reference's bytes."""
    info = " ".join(run("check", os.path.join(out, "checkpoint.h5")).stdout.split())
    had_tmp = os.path.exists(os.path.join(out, "checkpoint.h5.tmp"))
    r = run("resume", out, "--threads", "1", "--quiet", check=False)
    if r.returncode != 0:
        failures.append(f"{label}: resume failed ({r.returncode}): {r.stderr}")
        return
    leftovers = [n for n in os.listdir(out) if n.endswith((".ckpt-data", ".resume"))]
    if leftovers:
        failures.append(f"{label}: left {leftovers}")
    same(f"{label}{', .tmp present' if had_tmp else ''}; {info[-60:]}", reference, out)


tmp = tempfile.mkdtemp(prefix="leinao-ckpt-faults-")
ref = os.path.join(tmp, "ref")
run("run", BRUNEL, "--out", ref, "--threads", "2", "--quiet", *SETS)
with h5py.File(os.path.join(ref, "spikes.h5"), "r") as f:
    n_e = f["spikes/E/timestamps"].shape[0]
if n_e < 2 * 65536:
    failures.append(f"the reference has {n_e} E spikes: fewer than two full buffers")

# ---- kill -9 ----
rng = random.Random(16)
kills = [("at a random moment", rng.uniform(0.1, 0.8), False)]
kills += [("while checkpoint.h5.tmp exists", 0.0, True) for _ in range(2)]
for i, (label, delay, during) in enumerate(kills):
    out = os.path.join(tmp, f"kill{i}")
    p = subprocess.Popen([LEINAO, "run", BRUNEL, "--out", out, "--threads", "2", "--quiet",
                          "--checkpoint-every", "10", *SETS],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt, part = os.path.join(out, "checkpoint.h5"), os.path.join(out, "checkpoint.h5.tmp")
    deadline = time.time() + 120
    while not os.path.exists(ckpt) and p.poll() is None and time.time() < deadline:
        time.sleep(0.002)
    if during:
        # skip a random number of checkpoints, then kill as soon as one is being written
        skip, seen, was = rng.randint(4, 30), 0, False
        while p.poll() is None and time.time() < deadline:
            now = os.path.exists(part)
            if now and not was:
                seen += 1
                if seen > skip:
                    break
            was = now
    else:
        time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    if p.returncode != -signal.SIGKILL:
        print(f"note: kill {i} ({label}): the run had ended ({p.returncode}); resumed anyway")
    resume_killed(f"kill -9 {i} ({label})", out, ref)

# ---- kill -9 while recording state: the state report's side copy ----
state_model = os.path.join(tmp, "brunel_state.yaml")
with open(BRUNEL) as f:
    text = f.read()
neurons = ", ".join(str(97 * k) for k in range(100))
with open(state_model, "w") as f:
    f.write(text + f"  - {{type: state, population: E, variables: V_m, neurons: [{neurons}], "
            "interval: 0.1, file: vm.h5}\n")
sref = os.path.join(tmp, "state_ref")
run("run", state_model, "--out", sref, "--threads", "2", "--quiet", *SETS)
with h5py.File(os.path.join(sref, "vm.h5"), "r") as f:
    frames = f["report/E/data"].shape[0]
if frames * 100 * 8 < 3 * (1 << 20):
    failures.append(f"state: the reference report has {frames} frames: fewer than three flushes")
for i, during in enumerate((False, True)):
    out = os.path.join(tmp, f"state_kill{i}")
    p = subprocess.Popen([LEINAO, "run", state_model, "--out", out, "--threads", "2", "--quiet",
                          "--checkpoint-every", "10", *SETS],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    side = os.path.join(out, "vm.h5.ckpt-data")
    part = os.path.join(out, "checkpoint.h5.tmp")
    deadline = time.time() + 120
    # until the side copy holds a full flush of the report (1 MiB of rows), and then some
    while p.poll() is None and time.time() < deadline and \
            (not os.path.exists(side) or os.path.getsize(side) < (1 << 20)):
        time.sleep(0.002)
    held = os.path.getsize(side) if os.path.exists(side) else 0
    if during:
        while p.poll() is None and time.time() < deadline and not os.path.exists(part):
            pass
    else:
        time.sleep(rng.uniform(0.0, 0.3))
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    if p.returncode != -signal.SIGKILL:
        failures.append(f"state kill {i}: the run had ended ({p.returncode}) before the kill")
        continue
    if held < (1 << 20):
        failures.append(f"state kill {i}: the side copy held {held} bytes at the kill")
    resume_killed(f"kill -9 {i} while recording state "
                  f"({'mid-checkpoint' if during else 'after a flush'}, side copy {held} bytes)",
                  out, sref)

# ---- a full disk ----
disk = os.path.join(tmp, "disk")
os.makedirs(disk)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk],
                         capture_output=True, text=True)
limit = None
if mounted.returncode != 0:
    print(f"note: cannot mount a tmpfs ({mounted.stderr.strip() or mounted.returncode}); "
          "simulating a full disk with RLIMIT_FSIZE")
    limit = 400 * 1024
try:
    out = os.path.join(disk, "run")
    run("run", BRUNEL, "--out", out, "--threads", "2", "--quiet", "--until", "100", *SETS)
    ckpt = os.path.join(out, "checkpoint.h5")
    before = hashlib.sha256(open(ckpt, "rb").read()).hexdigest()
    filler = os.path.join(disk, "filler")
    if limit is None:  # leave 16 KiB (and the old spike file's space): less than a checkpoint
        st = os.statvfs(disk)
        free = st.f_bavail * st.f_frsize
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, free - 16 * 1024))

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = run("resume", out, "--checkpoint-every", "10", "--quiet", check=False,
            preexec_fn=small_files if limit else None)
    after = hashlib.sha256(open(ckpt, "rb").read()).hexdigest()
    msg = p.stderr.strip()
    if p.returncode == 0:
        failures.append("full disk: the resumed run did not fail")
    elif p.returncode < 0:  # e.g. libhdf5 crashing at exit on a file it failed to close
        failures.append(f"full disk: the run died of signal {-p.returncode}: {msg}")
    elif "checkpoint" not in msg or ("disk full" not in msg and "space" not in msg
                                     and "large" not in msg):
        failures.append(f"full disk: unclear error: {msg}")
    elif after != before:
        failures.append("full disk: the previous checkpoint changed")
    elif os.path.exists(ckpt + ".tmp"):
        failures.append("full disk: checkpoint.h5.tmp left behind")
    else:
        try:
            with h5py.File(os.path.join(out, "spikes.h5"), "r") as f:
                f["spikes/E/timestamps"][...]
            print(f"ok: full disk: exit {p.returncode}, previous checkpoint kept, spike file "
                  f"closed; error: {msg}")
        except OSError as e:
            failures.append(f"full disk: the spike file was not closed: {e}")
    if os.path.exists(filler):
        os.remove(filler)
    r = run("resume", out, "--quiet", check=False)
    if r.returncode != 0:
        failures.append(f"full disk: resume with space again failed: {r.stderr}")
    else:
        same("full disk: resumed once space was freed", ref, out)
finally:
    if limit is None:
        subprocess.run(["umount", disk])
shutil.rmtree(tmp, ignore_errors=True)
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
