"""The benchmark networks in Brian2 (C++ standalone), with the same parameters and durations as
leinao's examples (docs/benchmarks.md), for bench/compare_brian2.py. Each run prints one JSON
line: the simulation loop time (Brian2's own measurement of `run`), spike counts and rates.

usage: brian2_networks.py NETWORK DURATION_MS THREADS BUILD_DIR SEED
"""
import json
import sys
import time

import numpy as np

NETWORK, DURATION, THREADS, BUILD_DIR, SEED = (sys.argv[1], float(sys.argv[2]), int(sys.argv[3]),
                                               sys.argv[4], int(sys.argv[5]))

from brian2 import (NeuronGroup, PoissonInput, Synapses, SpikeMonitor, defaultclock, device,  # noqa
                    ms, mV, nS, pF, Hz, prefs, run, seed, set_device)

set_device("cpp_standalone", directory=BUILD_DIR, build_on_run=True)
if THREADS > 1:
    prefs.devices.cpp_standalone.openmp_threads = THREADS
defaultclock.dt = 0.1 * ms
seed(SEED)

groups = {}
if NETWORK in ("coba", "cuba"):
    if NETWORK == "coba":
        eqs = """dv/dt = (10*nS*(-60*mV - v) + ge*(0*mV - v) + gi*(-80*mV - v))/(200*pF) : volt (unless refractory)
                 dge/dt = -ge/(5*ms) : siemens
                 dgi/dt = -gi/(10*ms) : siemens"""
        P = NeuronGroup(4000, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * ms,
                        method="exponential_euler")
        P.ge = "(randn() * 15 + 40) * nS"
        P.gi = "(randn() * 120 + 200) * nS"
        on_e, on_i = "ge += 6*nS", "gi += 67*nS"
    else:
        eqs = """dv/dt = (ge + gi - (v - (-49*mV)))/(20*ms) : volt (unless refractory)
                 dge/dt = -ge/(5*ms) : volt
                 dgi/dt = -gi/(10*ms) : volt"""
        P = NeuronGroup(4000, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * ms,
                        method="exact")
        on_e, on_i = "ge += 1.62*mV", "gi += -9*mV"
    P.v = "-60*mV + rand() * 10*mV"
    Ce = Synapses(P[:3200], P, on_pre=on_e, delay=0.1 * ms)
    Ci = Synapses(P[3200:], P, on_pre=on_i, delay=0.1 * ms)
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    groups = {"E": (P[:3200], 3200), "I": (P[3200:], 800)}
elif NETWORK == "brunel":
    NE, NI, CE, CI, J, g = 10000, 2500, 1000, 250, 0.1 * mV, 5.0
    P = NeuronGroup(NE + NI, "dv/dt = -v/(20*ms) : volt (unless refractory)",
                    threshold="v >= 20*mV", reset="v = 10*mV", refractory=2 * ms, method="exact")
    P.v = "rand() * 20*mV"
    # fixed in-degree: every neuron draws CE excitatory and CI inhibitory sources (with
    # repeats, as NEST's fixed_indegree and leinao's example)
    rng = np.random.default_rng(SEED)
    targets = np.arange(NE + NI)
    Se = Synapses(P[:NE], P, on_pre="v += J", delay=1.5 * ms)
    Se.connect(i=rng.integers(0, NE, size=(NE + NI) * CE), j=np.repeat(targets, CE))
    Si = Synapses(P[NE:], P, on_pre="v += -g*J", delay=1.5 * ms)
    Si.connect(i=rng.integers(0, NI, size=(NE + NI) * CI), j=np.repeat(targets, CI))
    # eta * nu_thr = 2 * 10 Hz per input; bound to a name, or Brian2 leaves it out of the run
    external = PoissonInput(P, "v", N=CE, rate=20 * Hz, weight=J)
    groups = {"E": (P[:NE], NE), "I": (P[NE:], NI)}
else:
    sys.exit("unknown network " + NETWORK)

monitor = SpikeMonitor(P)  # one monitor, split by index below
start = time.time()
run(DURATION * ms)
index = monitor.i[:]
first = 0
rates = {}
for k, (_, size) in groups.items():
    rates[k] = int(((index >= first) & (index < first + size)).sum()) / size / (DURATION * 1e-3)
    first += size
print(json.dumps({"loop_s": float(device._last_run_time), "rates_hz": rates,
                  "build_and_run_s": time.time() - start}))
