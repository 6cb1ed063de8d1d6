"""hh_psc_alpha, hh_cond_exp_traub and mat2_psc_exp against NEST 3.10 on the same setup (per
model a dc-driven neuron, a spike-driven one and one with other parameters under I_e:
tests/data/nest_neurons.yaml; NEST's V_m (mat2_psc_exp: and V_th) every 1 ms and its spike
times in reference/nest_neurons.json, made by nest_neurons_reference.py, whose provenance it
records).

The HH models integrate as NEST does (GSL's RKF45 scheme and step control, tolerance 1e-3 mV),
so the traces agree far below that tolerance: measured 4.1e-9 mV at most at the 1 ms samples
over 1000 ms (1.8e-8 mV at every 0.1 ms step, hh_cond_exp_traub with V_T = -58 mV). The test allows 1e-6 mV, a thousandth of NEST's integrator tolerance, leaving
room for a libm whose exp differs in the last bit. mat2_psc_exp is exact integration with
NEST's propagators: 1e-9 relative (DESIGN's rule for exact models), relative to the size of the
value, at least 1 mV. Every spike must fall in NEST's step.

usage: test_nest_neurons.py LEINAO_BINARY REPO_ROOT
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import yaml

LEINAO, ROOT = sys.argv[1], sys.argv[2]
MODEL = os.path.join(ROOT, "tests", "data", "nest_neurons.yaml")
TOLERANCE_MV = {"hh_psc_alpha": 1e-6, "hh_cond_exp_traub": 1e-6}
EXACT_RELATIVE = 1e-9  # mat2_psc_exp

with open(os.path.join(ROOT, "tests", "validation", "reference", "nest_neurons.json")) as f:
    ref = json.load(f)
with open(MODEL) as f:
    model = yaml.safe_load(f)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


# the model file is the setup NEST ran
setup, pops = ref["setup"], model["populations"]
check(model["simulation"]["dt"] == setup["dt"], "dt")
check(model["simulation"]["duration"] == setup["duration"], "duration")
check(pops["ex"]["params"]["spike_times"] == setup["ex_times"], "excitatory spike times")
check(pops["inh"]["params"]["spike_times"] == setup["inh_times"], "inhibitory spike times")
edges = {(p["source"], p["target"]): p["synapse"] for p in model["projections"]}
for name, d in setup["dc"].items():
    check(pops[name]["model"] == d["model"], f"{name}: model")
    gen = [s for (s, t) in edges if t == name]
    check(len(gen) == 1, f"{name}: one dc_generator")
    params = pops[gen[0]]["params"]
    check(all(params[k] == d[k] for k in ("amplitude", "start", "stop")), f"{name}: dc")
    check(edges[(gen[0], name)] == {"weight": 1.0, "delay": d["delay"]}, f"{name}: dc synapse")
for name, d in setup["params"].items():
    check(pops[name] == {"model": d["model"],
                         "params": {k: v for k, v in d.items() if k != "model"}},
          f"{name}: model and parameters")
for name, d in setup["syn"].items():
    check(pops[name]["model"] == d["model"], f"{name}: model")
    check(edges[("ex", name)] == {"weight": d["ex"], "delay": d["delay"]}, f"{name}: ex")
    check(edges[("inh", name)] == {"weight": d["inh"], "delay": d["delay"]}, f"{name}: inh")

with tempfile.TemporaryDirectory() as out:
    r = subprocess.run([LEINAO, "run", MODEL, "--out", out, "--quiet"], capture_output=True,
                       text=True, timeout=300)
    if r.returncode:
        sys.exit(f"leinao exited with {r.returncode}: {r.stderr}")
    spikes = {}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes.setdefault(row["population"], []).append(float(row["timestamp"]))
    dt = setup["dt"]
    for name, expected in ref["neurons"].items():
        model_name = pops[name]["model"]
        tolerance = TOLERANCE_MV.get(model_name)
        with open(os.path.join(out, name + ".csv")) as f:
            rows = {round(float(row["time"]) / dt): row for row in csv.DictReader(f)}
        for var in ("V_m", "V_th"):
            if var not in expected:
                continue
            worst, at, allowed, over = 0.0, None, 0.0, []
            for t, v in zip(expected["t"], expected[var]):
                d = abs(float(rows[round(t / dt)][var]) - v)
                allow = tolerance if tolerance else EXACT_RELATIVE * max(1.0, abs(v))
                if d > worst:
                    worst, at = d, t
                if d >= allow:
                    over.append(t)
                allowed = max(allowed, allow)
            check(not over, f"{name}: |{var} - NEST| above the tolerance at {len(over)} samples "
                            f"from {over[0] if over else None} ms on, largest {worst:g} mV")
            print(f"{name} ({model_name}): {len(expected['t'])} samples, largest |{var} - NEST| "
                  f"{worst:.3g} mV (t = {at} ms; allowed {allowed:g})")
        mine = [round(t / dt) for t in spikes.get(name, [])]
        nest = [round(t / dt) for t in expected["spikes"]]
        shift = max((abs(a - b) * dt for a, b in zip(mine, nest)), default=0.0)
        print(f"  {len(mine)} spikes (NEST {len(nest)}), largest shift {shift:g} ms")
        check(len(nest) >= 5, f"{name}: the reference has too few spikes to test")
        check(mine == nest, f"{name}: spike steps differ from NEST's")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("hh_psc_alpha, hh_cond_exp_traub and mat2_psc_exp agree with NEST 3.10")
