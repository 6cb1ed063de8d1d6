"""Smoke run of the Potjans-Diesmann microcircuit scaled to 5 % (tests/data/microcircuit_small.yaml,
written by bench/make_microcircuit.py --scale 0.05): it builds (fixed_total_number with
multapses, normal-clipped weights and delays, iaf_psc_exp, DC drive), runs 600 ms, every
population fires, and 1 and 2 threads give byte-identical spikes. The full-scale rates are a
benchmark-side check (bench/microcircuit), not a CI test.

usage: test_microcircuit_small.py LEINAO_BINARY MODEL
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

LEINAO, MODEL = sys.argv[1], sys.argv[2]
digests = []
with tempfile.TemporaryDirectory() as tmp:
    for threads in (1, 2):
        out = os.path.join(tmp, str(threads))
        r = subprocess.run([LEINAO, "run", MODEL, "--out", out, "--quiet", "--threads",
                            str(threads)], capture_output=True, text=True, timeout=600)
        if r.returncode:
            print(r.stderr)
            sys.exit(1)
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
        with open(os.path.join(out, "spikes.h5"), "rb") as f:
            digests.append(hashlib.sha256(f.read()).hexdigest())
        rates = {k: round(v["rate_hz"], 2) for k, v in s["populations"].items()}
        print(f"{threads} thread(s): {s['synapses']} synapses, build {s['build_time_s']:.2f} s, "
              f"simulation {s['simulation_wall_s']:.2f} s, {s['bytes_per_synapse']:.1f} B/synapse, "
              f"rates after 500 ms {rates}")
        silent = [k for k, v in rates.items() if not v > 0.0]
        if silent or s["synapses"] < 500000:
            print("FAILED: silent populations", silent)
            sys.exit(1)
if digests[0] != digests[1]:
    print("FAILED: spikes differ between 1 and 2 threads")
    sys.exit(1)
print("microcircuit smoke run passed")
