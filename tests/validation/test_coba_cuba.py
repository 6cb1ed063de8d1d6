"""COBA and CUBA (Brette et al. 2007, docs/benchmarks.md sections 2 and 3) against the
reference statistics measured with Brian2 (reference/coba.json, cuba.json), as their
tolerances say: the mean over 5 seeds of the rates (COBA within 25 %, CUBA within 10 %) and of
the CV of ISI (COBA within 20 %, CUBA within 15 %), over 1 s.

usage: test_coba_cuba.py LEINAO_BINARY EXAMPLES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

LEINAO, EXAMPLES = sys.argv[1], sys.argv[2]
REFS = os.path.join(os.path.dirname(__file__), "reference")
SEEDS = (1, 2, 3, 4, 5)
TOLERANCE = {"coba": (0.25, 0.20), "cuba": (0.10, 0.15)}
failures = []

for net in ("coba", "cuba"):
    with open(os.path.join(REFS, net + ".json")) as f:
        ref = json.load(f)["brian2_2.5.1_standalone_10_seeds_1s"]
    rates = {"E": [], "I": []}
    cvs = {"E": [], "I": []}
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            out = os.path.join(tmp, str(seed))
            r = subprocess.run([LEINAO, "run", os.path.join(EXAMPLES, net + ".yaml"), "--out", out,
                                "--quiet", "--seed", str(seed)], capture_output=True, text=True,
                               timeout=900)
            if r.returncode:
                print(r.stderr)
                sys.exit(1)
            with open(os.path.join(out, "summary.json")) as f:
                s = json.load(f)
            walls.append(s["simulation_wall_s"])
            for pop in ("E", "I"):
                rates[pop].append(s["populations"][pop]["rate_hz"])
                cvs[pop].append(s["populations"][pop]["cv_isi"])
    rate_tol, cv_tol = TOLERANCE[net]
    print(f"{net}: {len(SEEDS)} seeds, simulation wall time per run {np.median(walls):.2f} s (median)")
    for pop, key in (("E", "exc"), ("I", "inh")):
        rate, cv = np.mean(rates[pop]), np.mean(cvs[pop])
        ref_rate, ref_cv = ref[f"{key}_rate_hz"]["mean"], ref[f"{key}_cv_isi"]["mean"]
        ok_rate = abs(rate / ref_rate - 1) <= rate_tol
        ok_cv = abs(cv / ref_cv - 1) <= cv_tol
        print(f"  {pop} rate {rate:.3f} Hz (reference {ref_rate:.3f}, seeds "
              f"{', '.join(f'{x:.2f}' for x in rates[pop])}) {'ok' if ok_rate else 'FAIL'}")
        print(f"  {pop} CV ISI {cv:.4f} (reference {ref_cv:.4f}) {'ok' if ok_cv else 'FAIL'}")
        if not ok_rate:
            failures.append(f"{net} {pop} rate")
        if not ok_cv:
            failures.append(f"{net} {pop} CV")

print("FAILED: " + ", ".join(failures) if failures else "all COBA and CUBA checks passed")
sys.exit(1 if failures else 0)
