"""Small PyNN scripts written against PyNN's API only, run on one backend and printed as JSON:
`python3 crosscheck.py BACKEND SCENARIO` with BACKEND "leinao" (import leinao.pynn) or
"pyNN.brian2" (Brian2 with its numpy runtime target: no C++ build), SCENARIO one of current,
poisson, stdp, tsodyks. test_pynn_brian2.py runs each on both and compares the figures."""
import importlib
import json
import sys

import numpy as np
from pyNN.parameters import Sequence

backend = sys.argv[1] if len(sys.argv) > 1 else "leinao"
scenario = sys.argv[2] if len(sys.argv) > 2 else "current"
if backend == "pyNN.brian2":
    import brian2
    brian2.prefs.codegen.target = "numpy"
sim = importlib.import_module("leinao.pynn" if backend == "leinao" else backend)
if backend == "pyNN.brian2":
    # pyNN.brian2 0.10.1 indexes post.get("tau_syn_E"), a float for a homogeneous population,
    # when it builds a TsodyksMarkramSynapse (TypeError: 'float' object is not subscriptable):
    # the same code taking the one value of a homogeneous population
    def _set_tau_syn_for_tsodyks_markram(self):
        syn = self._brian2_synapses[0][0]
        tau = self.post.get(self.synapse_type.tau_syn_var[self.receptor_type])
        syn.tau_syn = (float(tau) if np.ndim(tau) == 0 else tau[syn.j]) * brian2.ms
    sim.Projection._set_tau_syn_for_tsodyks_markram = _set_tau_syn_for_tsodyks_markram
# STDP delays: pyNN.nest (and leinao, with NEST's stdp_synapse) take them as dendritic only,
# pyNN.brian2 as axonal only; with the delay of one step used here the two agree to dt
DENDRITIC = 0.0 if backend == "pyNN.brian2" else 1.0
out = {}
dt = 0.1
sim.setup(timestep=dt, min_delay=0.1)
cell = dict(cm=0.25, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=2.0,
            tau_syn_E=2.0, tau_syn_I=5.0)

if scenario == "current":
    # current injection: DCSource, StepCurrentSource, ACSource into passive cells (threshold out of
    # reach), and a DCSource that makes a cell fire regularly
    passive = sim.Population(3, sim.IF_curr_exp(**dict(cell, v_thresh=0.0)), label="passive")
    firing = sim.Population(1, sim.IF_cond_exp(**cell), label="firing")
    sim.DCSource(amplitude=0.2, start=20.0, stop=80.0).inject_into(passive[0:1])
    sim.StepCurrentSource(times=[10.0, 40.0, 70.0], amplitudes=[0.3, -0.2, 0.0]).inject_into(
        passive[[1]])
    sim.ACSource(amplitude=0.2, offset=0.1, frequency=20.0, phase=0.0, start=10.0,
                 stop=90.0).inject_into(passive[2:3])
    sim.DCSource(amplitude=0.5, start=5.0, stop=95.0).inject_into(firing)
    passive.record("v")
    firing.record(["spikes", "v"])
    sim.run(100.0)
    v = passive.get_data().segments[0].analogsignals[0]
    out["v_passive"] = np.round(np.asarray(v.magnitude).T, 5).tolist()
    out["spikes_firing"] = np.asarray(firing.get_data().segments[0].spiketrains[0]).tolist()
elif scenario == "poisson":
    # a small network with Poisson input: 100 independent 20 Hz Poisson trains (drawn here, fed as
    # SpikeSourceArray so that both simulators see the same input), a fixed random wiring (from
    # a list) onto 40 conductance-based cells, plus a SpikeSourcePoisson population whose own
    # realisation each simulator draws (its rate is compared statistically)
    rng = np.random.default_rng(7)
    tstop, n_in, n_out = 1000.0, 100, 40
    trains = [np.unique(np.round(np.cumsum(rng.exponential(50.0, 60)), 1)) for _ in range(n_in)]
    trains = [t[(t > 1.0) & (t < tstop)] for t in trains]
    inp = sim.Population(n_in, sim.SpikeSourceArray(spike_times=[Sequence(t) for t in trains]),
                         label="input")
    cells = sim.Population(n_out, sim.IF_cond_exp(**dict(cell, e_rev_E=0.0, e_rev_I=-80.0)),
                           label="cells")
    conn = [(int(i), int(j), 0.006, 1.0) for i in range(n_in) for j in range(n_out)
            if rng.random() < 0.3]
    sim.Projection(inp, cells, sim.FromListConnector(conn, column_names=["weight", "delay"]),
                   receptor_type="excitatory")
    noise = sim.Population(200, sim.SpikeSourcePoisson(rate=20.0), label="noise")
    cells.record("spikes")
    noise.record("spikes")
    sim.run(tstop)
    out["counts"] = [len(st) for st in cells.get_data().segments[0].spiketrains]
    out["noise_spikes"] = sum(len(st) for st in noise.get_data().segments[0].spiketrains)
elif scenario == "stdp":
    # simple STDP: a pre train at 10 Hz, the post cell made to fire (once) about 5 ms after each
    # pre spike for 1 s (potentiation), then about 5 ms before each for 1 s (depression), with
    # additive and multiplicative weight dependence; the plastic weight is too small to move the
    # post cell. Weights are read 2 ms after a pre spike: NEST's stdp_synapse (so leinao's)
    # applies the pairs of a presynaptic spike when it arrives, Brian2 at each spike of either
    pre_t = np.arange(50.0, 2000.0, 100.0)
    post_t = np.concatenate([pre_t[pre_t < 1000.0] + 4.0, pre_t[pre_t >= 1000.0] - 6.0])
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=pre_t), label="pre")
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=post_t), label="drive")
    post = sim.Population(2, sim.IF_curr_exp(**dict(cell, tau_refrac=5.0)), label="post")
    sim.Projection(drive, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=3.0, delay=1.0))
    projs = {}
    for k, wd in enumerate((sim.AdditiveWeightDependence(w_max=0.02),
                            sim.MultiplicativeWeightDependence(w_max=0.02))):
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01,
                                                A_minus=0.012),
            weight_dependence=wd, weight=0.01, delay=dt, dendritic_delay_fraction=DENDRITIC)
        projs[type(wd).__name__] = sim.Projection(pre, post[k:k + 1], sim.AllToAllConnector(),
                                                  stdp)
    post.record("spikes")
    out["pre_spikes"] = pre_t.tolist()
    sim.run(952.0)
    out["w_mid"] = {k: p.get("weight", format="list")[0][2] for k, p in projs.items()}
    sim.run(1000.0)
    out["w_end"] = {k: p.get("weight", format="list")[0][2] for k, p in projs.items()}
    out["post_spikes"] = [np.asarray(st).tolist() for st in post.get_data().segments[0].spiketrains]
elif scenario == "tsodyks":
    # Tsodyks-Markram: a 20 Hz train of 10 spikes then one 500 ms later, depressing (U 0.5,
    # tau_rec 200) and facilitating (U 0.1, tau_rec 50, tau_facil 500) synapses onto passive
    # cells; the PSP train's membrane traces
    times = np.concatenate([np.arange(10.0, 510.0, 50.0)[:10], [960.0]])
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=times), label="src")
    post = sim.Population(2, sim.IF_curr_exp(**dict(cell, v_thresh=0.0)), label="post")
    for k, params in enumerate((dict(U=0.5, tau_rec=200.0, tau_facil=0.0),
                                dict(U=0.1, tau_rec=50.0, tau_facil=500.0))):
        sim.Projection(src, post[k:k + 1], sim.AllToAllConnector(),
                       sim.TsodyksMarkramSynapse(weight=2.0, delay=1.0, **params),
                       receptor_type="excitatory")
    post.record("v")
    sim.run(1000.0)
    v = np.asarray(post.get_data().segments[0].analogsignals[0].magnitude)
    # each PSP's peak above the membrane potential at its spike's arrival (1 ms delay)
    steps = np.round((times + 1.0) / dt).astype(int)
    out["psp"] = [[float(v[i:i + 200, k].max() - v[i, k]) for i in steps] for k in range(2)]
    out["spike_times"] = times.tolist()
else:
    raise SystemExit(f"unknown scenario {scenario}")
sim.end()
print(json.dumps(out))
