"""A leinao model file run in NEST (PyNEST, 3.10), for bench/compare_nest: the translation of
the subset the benchmark models use (leinao's parameter names are NEST's). Run by the
virtual environment's python; the model file comes as JSON (bench/compare_nest reads the YAML).

    nest_networks.py MODEL.json THREADS SEED DURATION_MS

Supported: neuron models iaf_psc_delta, iaf_psc_exp, iaf_cond_exp and poisson_generator; rules
all_to_all, fixed_indegree, fixed_total_number and pairwise_bernoulli (with allow_autapses /
allow_multapses, NEST's defaults when absent, as leinao's); parameters and synapse weights and
delays as numbers or {uniform: {low, high}}, {normal: {mean, std}} and {normal_clipped: {mean,
std, low, high}} (redrawn until inside, as nest.math.redraw). A negative weight goes to the
inhibitory receptor in NEST as in leinao. Every neuron population is recorded by one
spike_recorder (NEST needs it to count spikes; leinao counts them without).

Prints one JSON line: build_s (Create + Connect + Prepare), sim_s (nest.Simulate), peak RSS
(ru_maxrss), per population rate (Hz, after the model's analysis transient) and spikes.
"""
import json
import resource
import sys
import time

MODEL, THREADS, SEED, DURATION = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                  float(sys.argv[4]))
with open(MODEL) as f:
    model = json.load(f)

import nest  # noqa: E402
import numpy as np  # noqa: E402

nest.set_verbosity("M_ERROR")
t0 = time.perf_counter()
nest.ResetKernel()
dt = float(model["simulation"]["dt"])
nest.SetKernelStatus({"resolution": dt, "local_num_threads": THREADS, "rng_seed": SEED,
                      "print_time": False})
DEVICES = {"poisson_generator"}


def value(v):
    """A number or a NEST random parameter for a leinao value."""
    if isinstance(v, (int, float)):
        return float(v)
    (kind, a), = v.items()
    if kind == "uniform":
        return nest.random.uniform(a["low"], a["high"])
    if kind == "normal":
        return nest.random.normal(a["mean"], a["std"])
    if kind == "normal_clipped":
        return nest.math.redraw(nest.random.normal(a["mean"], a["std"]),
                                min=a.get("low", float("-inf")), max=a.get("high", float("inf")))
    raise SystemExit(f"unsupported value {v}")


nodes = {}
for name, p in model["populations"].items():
    size = int(p.get("size", 1))
    params = {k: float(x) for k, x in p.get("params", {}).items()}
    if p["model"] in DEVICES:
        # one leinao generator element with all_to_all: an independent train per target, as
        # NEST's poisson_generator
        nodes[name] = nest.Create(p["model"], size, params=params)
        continue
    pop = nest.Create(p["model"], size, params=params)
    for var, v in p.get("init", {}).items():
        pop.set({var: value(v)})
    nodes[name] = pop

for proj in model["projections"]:
    rule = proj["rule"]
    if rule == "all_to_all":
        conn = {"rule": "all_to_all"}
    else:
        (kind, arg), = rule.items()
        conn = {"fixed_indegree": lambda: {"rule": "fixed_indegree", "indegree": int(arg)},
                "fixed_total_number": lambda: {"rule": "fixed_total_number", "N": int(arg)},
                "pairwise_bernoulli": lambda: {"rule": "pairwise_bernoulli", "p": float(arg)},
                }[kind]()
    for opt in ("allow_autapses", "allow_multapses"):
        if opt in proj:
            conn[opt] = bool(proj[opt])
    syn = proj.get("synapse", {})
    spec = {"synapse_model": syn.get("model", "static_synapse"),
            "weight": value(syn.get("weight", 1.0)), "delay": value(syn.get("delay", dt))}
    nest.Connect(nodes[proj["source"]], nodes[proj["target"]], conn, spec)

recorders = {}
for name, p in model["populations"].items():
    if p["model"] in DEVICES:
        continue
    recorders[name] = nest.Create("spike_recorder")
    nest.Connect(nodes[name], recorders[name])
nest.Prepare()
t1 = time.perf_counter()
nest.Run(DURATION)
t2 = time.perf_counter()
nest.Cleanup()

transient = float(model.get("analysis", {}).get("transient", 0.0))
window = (DURATION - transient) * 1e-3
out = {"build_s": t1 - t0, "sim_s": t2 - t1,
       "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
       "populations": {}}
for name, rec in recorders.items():
    times = np.asarray(rec.get("events", "times"))
    n = int((times >= transient).sum())
    out["populations"][name] = {"spikes": n,
                                "rate_hz": n / len(nodes[name]) / window if window > 0 else None}
print(json.dumps(out))
