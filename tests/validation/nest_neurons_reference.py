"""Makes tests/validation/reference/nest_neurons.json: NEST 3.10 on the setup of
tests/data/nest_neurons.yaml (hh_psc_alpha, hh_cond_exp_traub and mat2_psc_exp, each one neuron
under a dc_generator, one receiving spikes, one with other parameters), its V_m (and mat2_psc_exp's V_th) every 1 ms and
its spike times, for test_nest_neurons.py, so that the test needs no NEST. Run with the python of a virtual environment
holding nest-simulator==3.10.0 (made as bench/compare_nest does):

    python3 -m venv build/nest-venv && build/nest-venv/bin/pip install nest-simulator==3.10.0
    build/nest-venv/bin/python tests/validation/nest_neurons_reference.py \
        tests/validation/reference/nest_neurons.json

The setup is written out here once more (NEST's venv has no YAML reader) and stored in the
JSON; test_nest_neurons.py checks that it is the model file's.
"""
import json
import sys

import nest

SETUP = {
    "dt": 0.1, "duration": 1000.0, "interval": 1.0,
    "dc": {"hh_dc": {"model": "hh_psc_alpha", "amplitude": 700.0, "start": 100.0,
                     "stop": 900.0, "delay": 0.1},
           "traub_dc": {"model": "hh_cond_exp_traub", "amplitude": 150.0, "start": 100.0,
                        "stop": 900.0, "delay": 0.1},
           "mat_dc": {"model": "mat2_psc_exp", "amplitude": 500.0, "start": 100.0,
                      "stop": 900.0, "delay": 0.1}},
    # parameters other than the defaults, constant input I_e
    "params": {"hh_ref": {"model": "hh_psc_alpha", "I_e": 700.0, "t_ref": 25.0, "g_K": 3000.0},
               "traub_ref": {"model": "hh_cond_exp_traub", "I_e": 150.0, "t_ref": 30.0,
                             "V_T": -58.0},
               "mat_ref": {"model": "mat2_psc_exp", "I_e": 500.0, "t_ref": 5.0, "E_L": -65.0,
                           "tau_1": 20.0, "alpha_2": 4.0}},
    "ex_times": [20.0, 50.0, 50.5, 51.0, 200.0, 400.0, 401.0, 402.0, 403.0, 600.0],
    "inh_times": [300.0, 650.0],
    "syn": {"hh_syn": {"model": "hh_psc_alpha", "ex": 1500.0, "inh": -300.0, "delay": 1.0},
            "traub_syn": {"model": "hh_cond_exp_traub", "ex": 8.0, "inh": -20.0,
                          "delay": 1.0},
            "mat_syn": {"model": "mat2_psc_exp", "ex": 5000.0, "inh": -800.0, "delay": 1.0}},
}

nest.set_verbosity("M_ERROR")
nest.ResetKernel()
nest.resolution = SETUP["dt"]
neurons = {}
for name, d in SETUP["dc"].items():
    n = nest.Create(d["model"])
    dc = nest.Create("dc_generator", params={k: d[k] for k in ("amplitude", "start", "stop")})
    nest.Connect(dc, n, syn_spec={"weight": 1.0, "delay": d["delay"]})
    neurons[name] = n
for name, d in SETUP["params"].items():
    neurons[name] = nest.Create(d["model"], params={k: v for k, v in d.items() if k != "model"})
ex = nest.Create("spike_generator", params={"spike_times": SETUP["ex_times"]})
inh = nest.Create("spike_generator", params={"spike_times": SETUP["inh_times"]})
for name, d in SETUP["syn"].items():
    n = nest.Create(d["model"])
    nest.Connect(ex, n, syn_spec={"weight": d["ex"], "delay": d["delay"]})
    nest.Connect(inh, n, syn_spec={"weight": d["inh"], "delay": d["delay"]})
    neurons[name] = n
recorders = {}

def variables(name):
    return ["V_m", "V_th"] if name.startswith("mat") else ["V_m"]


for name, n in neurons.items():
    mm = nest.Create("multimeter", params={"record_from": variables(name),
                                           "interval": SETUP["interval"]})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    recorders[name] = (mm, sr)
nest.Simulate(SETUP["duration"])

out = {"provenance": "nest-simulator " + nest.__version__ + ", made by "
       "build/nest-venv/bin/python tests/validation/nest_neurons_reference.py "
       "tests/validation/reference/nest_neurons.json",
       "setup": SETUP, "neurons": {}}
for name, (mm, sr) in recorders.items():
    ev = mm.events
    out["neurons"][name] = {"t": [float(t) for t in ev["times"]],
                            "spikes": [float(t) for t in sr.events["times"]]}
    for var in variables(name):
        out["neurons"][name][var] = [float(v) for v in ev[var]]
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
    f.write("\n")
