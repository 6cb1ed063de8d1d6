#!/usr/bin/python3
"""One IF_cond_exp cell of the VA COBA benchmark (python/tests/pynn/va_benchmark.py's
parameters and weights) driven by the same input on every backend: 10 excitatory trains at
50 Hz with the external weight (0.32 uS), 13 at 90 Hz with the recurrent excitatory weight
(0.032 uS) and 3 inhibitory trains at 130 Hz (0.408 uS), drawn here with NumPy and fed as
SpikeSourceArrays, for 1 s. Prints JSON: the cell's spike times. With identical input, what
differs between backends is only the integration of the membrane equation.

    python3 python/tests/pynn/va_cell.py BACKEND   (leinao or pyNN.brian2; VA_DT, VA_BRIAN2_METHOD
                                                    as for va_benchmark.py)
"""
import importlib
import json
import os
import sys

import numpy as np
from pyNN.parameters import Sequence

backend = sys.argv[1] if len(sys.argv) > 1 else "leinao"
if backend == "pyNN.brian2":
    import brian2
    brian2.prefs.codegen.target = "numpy"
    if os.environ.get("VA_BRIAN2_METHOD"):
        _cells = importlib.import_module("pyNN.brian2.cells")
        _init = _cells.BaseNeuronGroup.__init__

        def _with_method(self, *args, method=None, **kwargs):
            _init(self, *args, method=os.environ["VA_BRIAN2_METHOD"], **kwargs)
        _cells.BaseNeuronGroup.__init__ = _with_method
sim = importlib.import_module("leinao.pynn" if backend == "leinao" else backend)
dt = float(os.environ.get("VA_DT", "0.1"))
tstop = 1000.0
sim.setup(timestep=dt, min_delay=0.2, max_delay=1.0)
rng = np.random.default_rng(1)


def trains(n, rate):
    out = []
    for _ in range(n):
        t = np.cumsum(rng.exponential(1000.0 / rate, int(3 * rate * tstop / 1000.0) + 20))
        out.append(Sequence(np.unique(np.round(t[(t > 1.0) & (t < tstop)], 1))))
    return out


cell = sim.Population(1, sim.IF_cond_exp(tau_m=20.0, tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-60.0,
                                         v_reset=-60.0, v_thresh=-50.0, cm=0.2, tau_refrac=5.0,
                                         e_rev_E=0.0, e_rev_I=-80.0))
cell.initialize(v=-60.0)
for n, rate, w, receptor in ((10, 50.0, 0.32, "excitatory"), (13, 90.0, 0.032, "excitatory"),
                             (3, 130.0, 0.408, "inhibitory")):
    src = sim.Population(n, sim.SpikeSourceArray(spike_times=trains(n, rate)))
    sim.Projection(src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=w, delay=0.2),
                   receptor_type=receptor)
cell.record("spikes")
sim.run(tstop)
spikes = np.asarray(cell.get_data().segments[0].spiketrains[0].magnitude).tolist()
sim.end()
print(json.dumps(spikes))
