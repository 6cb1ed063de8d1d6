"""Determinism across thread counts (DESIGN.md section 4): the Brunel and COBA examples, the
STDP example (plastic weights) and a state recording run with 1, 2, 3 and 4 threads must write
byte-identical output files, and the same plastic weights.

usage: test_threads.py LEINAO_BINARY REPO_ROOT
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

LEINAO, ROOT = sys.argv[1], sys.argv[2]
CASES = [
    ("examples/brunel.yaml", ["simulation.duration=300"], ["spikes.h5"]),
    ("examples/coba.yaml", ["simulation.duration=300"], ["spikes.h5"]),
    ("examples/stdp.yaml", ["simulation.duration=1000"], ["spikes.h5"]),
    ("tests/data/state.yaml", [], ["spikes.h5", "vm.h5", "vm.csv", "probe.h5"]),
    # hh_psc_alpha and hh_cond_exp_traub (adaptive RKF45) and mat2_psc_exp beside the others
    ("tests/data/models.yaml", [], ["spikes.h5", "hh_spikes.h5", "hh.h5", "traub.csv",
                                    "mat_spikes.h5", "mat.csv"]),
]
failures = []


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


with tempfile.TemporaryDirectory() as tmp:
    for model, sets, files in CASES:
        seen = {}
        for threads in (1, 2, 3, 4):
            out = os.path.join(tmp, f"{os.path.basename(model)}-{threads}")
            args = [LEINAO, "run", os.path.join(ROOT, model), "--out", out, "--quiet",
                    "--threads", str(threads)]
            for s in sets:
                args += ["--set", s]
            r = subprocess.run(args, capture_output=True, text=True, timeout=600)
            if r.returncode:
                print(r.stderr)
                sys.exit(1)
            with open(os.path.join(out, "summary.json")) as f:
                summary = json.load(f)
            weights = [p["weight_mean"] for p in summary["projections"]]
            result = ([digest(os.path.join(out, name)) for name in files], weights)
            seen[threads] = (result, summary["simulation_wall_s"], summary["threads"])
        base = seen[1][0]
        same = all(seen[t][0] == base for t in seen)
        walls = ", ".join(f"{t}: {seen[t][1]:.2f} s" for t in seen)
        print(f"{model}: {'identical' if same else 'DIFFERENT'} output for 1-4 threads "
              f"(simulation wall time {walls})")
        if not same or any(seen[t][2] != t for t in seen):
            failures.append(model)

print("FAILED: " + ", ".join(failures) if failures else "all outputs identical across threads")
sys.exit(1 if failures else 0)
