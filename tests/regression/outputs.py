"""Regression of outputs: runs the examples and the test models with a leinao binary and compares
the bytes of every spike file and state report with SHA-256 hashes recorded before the
architecture rework (tests/regression/hashes.txt). Behaviour-preserving changes must leave every
hash as it is; a change that alters results on purpose re-records them (`record`) and says why.

usage: outputs.py LEINAO_BINARY REPO_ROOT [record]
"""
import hashlib
import os
import subprocess
import sys
import tempfile

# (case name, model file relative to the repository, overrides, threads, files it writes)
CASES = [
    ("brunel", "examples/brunel.yaml", ["simulation.duration=300"], 2, ["spikes.h5"]),
    ("coba", "examples/coba.yaml", ["simulation.duration=300"], 2, ["spikes.h5"]),
    ("cuba", "examples/cuba.yaml", ["simulation.duration=300"], 1, ["spikes.h5"]),
    ("stdp", "examples/stdp.yaml", ["simulation.duration=1500"], 2, ["spikes.h5"]),
    ("microcircuit_small", "tests/data/microcircuit_small.yaml", ["simulation.duration=200"], 2,
     ["spikes.h5"]),
    ("small", "tests/data/small.yaml", [], 3, ["spikes.h5", "spikes_E.csv"]),
    ("state", "tests/data/state.yaml", [], 2, ["spikes.h5", "vm.h5", "vm.csv", "probe.h5"]),
    ("models", "tests/data/models.yaml", [], 2,
     ["spikes.h5", "adex.h5", "izh.h5", "cond.csv", "exp.h5", "hh_spikes.h5", "hh.h5",
      "traub.csv", "mat_spikes.h5", "mat.csv"]),
]


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_case(leinao, root, case, out):
    name, model, overrides, threads, files = case
    args = [leinao, "run", os.path.join(root, model), "--out", out, "--overwrite", "--quiet",
            "--threads", str(threads)]
    for o in overrides:
        args += ["--set", o]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{name}: leinao exited with {done.returncode}: {done.stderr}")
    return {f"{name}/{f}": digest(os.path.join(out, f)) for f in files}


def main():
    leinao, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    record = len(sys.argv) > 3 and sys.argv[3] == "record"
    table = os.path.join(root, "tests", "regression", "hashes.txt")
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            found.update(run_case(leinao, root, case, os.path.join(tmp, case[0])))
    if record:
        with open(table, "w") as f:
            for key in sorted(found):
                f.write(f"{found[key]}  {key}\n")
        print(f"recorded {len(found)} hashes in {table}")
        return 0
    expected = {}
    with open(table) as f:
        for line in f:
            value, key = line.split()
            expected[key] = value
    bad = [k for k in sorted(expected) if found.get(k) != expected[k]]
    missing = sorted(set(found) - set(expected))
    for k in bad:
        print(f"DIFFERS  {k}: {found.get(k)} (recorded {expected[k]})")
    for k in missing:
        print(f"NOT RECORDED  {k}")
    print(f"{len(expected) - len(bad)} of {len(expected)} output files byte-identical")
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
