"""A PyNN script in the style of PyNN's examples/VAbenchmarks.py (Vogels & Abbott 2005, CUBA or
COBA), scaled down, written against PyNN's API only: run as `python3 va_benchmark.py BACKEND
[CUBA|COBA] [SEED]` with BACKEND "leinao" (import leinao.pynn) or a module name such as pyNN.brian2.
For the measurements of bench/python/va_coba.py the environment may change the time step
(VA_DT, ms; default 0.1) and, for pyNN.brian2, Brian2's integration method (VA_BRIAN2_METHOD,
e.g. exponential_euler or rk4; default: pyNN.brian2's own choice, which is forward Euler for
IF_cond_exp)."""
import importlib
import os
import sys
import time

_t_start = time.perf_counter()  # before the backend's import: the whole script

import numpy as np
from pyNN.random import NumpyRNG, RandomDistribution

backend = sys.argv[1] if len(sys.argv) > 1 else "leinao"
benchmark = sys.argv[2] if len(sys.argv) > 2 else "COBA"
if backend == "pyNN.brian2":
    import brian2
    brian2.prefs.codegen.target = "numpy"  # Brian2's runtime target: no C++ build
    if os.environ.get("VA_BRIAN2_METHOD"):
        _cells = importlib.import_module("pyNN.brian2.cells")
        _init = _cells.BaseNeuronGroup.__init__

        def _with_method(self, *args, method=None, **kwargs):
            _init(self, *args, method=os.environ["VA_BRIAN2_METHOD"], **kwargs)
        _cells.BaseNeuronGroup.__init__ = _with_method
sim = importlib.import_module("leinao.pynn" if backend == "leinao" else backend)
seed = int(sys.argv[3]) if len(sys.argv) > 3 else None  # leinao's master seed (rng_seed)

rngseed, dt, tstop = 98765, float(os.environ.get("VA_DT", "0.1")), 300.0
sim.setup(timestep=dt, min_delay=0.2, max_delay=1.0,
          **({} if seed is None else {"rng_seed": seed}))
n_cells, r_ei, pconn = 800, 4.0, 0.02
n_exc = int(r_ei * n_cells / (1 + r_ei))
n_inh = n_cells - n_exc
cell_params = {'tau_m': 20.0, 'tau_syn_E': 5.0, 'tau_syn_I': 10.0, 'v_rest': -60.0,
               'v_reset': -60.0, 'v_thresh': -50.0, 'cm': 0.2, 'tau_refrac': 5.0}
if benchmark == "COBA":
    celltype = sim.IF_cond_exp
    cell_params.update({'e_rev_E': 0.0, 'e_rev_I': -80.0})
    w_exc, w_inh = 4e-3 * 8, 51e-3 * 8   # uS (scaled up for the small network)
else:
    celltype = sim.IF_curr_exp
    w_exc, w_inh = 0.27 * 8 * 1e-3 * 50, -4.5 * 8 * 1e-3 * 50  # nA
rng = NumpyRNG(seed=rngseed)
exc = sim.Population(n_exc, celltype(**cell_params), label="Excitatory_Cells")
inh = sim.Population(n_inh, celltype(**cell_params), label="Inhibitory_Cells")
uniform = RandomDistribution('uniform', low=-60.0, high=-50.0, rng=rng)
exc.initialize(v=uniform)
inh.initialize(v=uniform)
ext = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0, start=0.0, duration=tstop),
                     label="expoisson")
exc_conn = sim.FixedProbabilityConnector(pconn, rng=rng)
connections = {
    "e2e": sim.Projection(exc, exc, exc_conn, sim.StaticSynapse(weight=w_exc, delay=0.2),
                          receptor_type='excitatory'),
    "e2i": sim.Projection(exc, inh, exc_conn, sim.StaticSynapse(weight=w_exc, delay=0.2),
                          receptor_type='excitatory'),
    "i2e": sim.Projection(inh, exc, exc_conn, sim.StaticSynapse(weight=w_inh, delay=0.2),
                          receptor_type='inhibitory'),
    "i2i": sim.Projection(inh, inh, exc_conn, sim.StaticSynapse(weight=w_inh, delay=0.2),
                          receptor_type='inhibitory'),
    "ext2e": sim.Projection(ext, exc, sim.FixedNumberPreConnector(10, rng=rng),
                            sim.StaticSynapse(weight=w_exc * 10, delay=0.2),
                            receptor_type='excitatory'),
    "ext2i": sim.Projection(ext, inh, sim.AllToAllConnector(),
                            sim.StaticSynapse(weight=w_exc * 5, delay=0.2),
                            receptor_type='excitatory'),
    "list": sim.Projection(ext, exc, sim.FromListConnector([(0, 1, w_exc, 0.5), (3, 2, w_exc, 1.0)]),
                           sim.StaticSynapse(), receptor_type='excitatory'),
    "one": sim.Projection(inh, inh, sim.OneToOneConnector(),
                          sim.StaticSynapse(weight=w_exc, delay=0.2)),
    "post": sim.Projection(inh, exc, sim.FixedNumberPostConnector(5, rng=rng),
                           sim.StaticSynapse(weight=w_inh, delay=0.2),
                           receptor_type='inhibitory'),
}
exc.record(['spikes', 'v'])
inh.record('spikes')
ext.record('spikes')
_t_run = time.perf_counter()
sim.run(tstop / 2)
sim.run(tstop / 2)
_t_run = time.perf_counter() - _t_run
out = {}
for pop in (exc, inh, ext):
    block = pop.get_data()
    trains = block.segments[0].spiketrains
    out[pop.label] = sum(len(st) for st in trains) / (pop.size * tstop / 1000.0)
vm = exc.get_data().segments[0].analogsignals[0]
print("rates", " ".join(f"{k}={v:.2f}" for k, v in out.items()))
print("vm", vm.shape[0], vm.shape[1], float(vm.magnitude[0, 0]), str(vm.units))
print("synapses", " ".join(f"{k}={len(v)}" for k, v in connections.items()))
sim.end()
print(f"seconds run={_t_run:.3f} script={time.perf_counter() - _t_start:.3f}")
