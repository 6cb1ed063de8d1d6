"""A PyNN script and the model file it is equivalent to give the same spikes, bit for bit: the
COBA network of examples/coba.yaml written against PyNN's API (IF_cond_exp in PyNN's units,
FixedProbabilityConnector, initial values from pyNN.random distributions) on leinao.pynn,
against `leinao run examples/coba.yaml` (the command line, 2 threads). The PyNN layer's
translation (uS -> nS, nF -> pF, tau_m -> g_L, the inhibitory sign), its native connection
rules, leinao's drawing of pyNN.random initial values and the max_delay it reserves (10 ms,
where the model file's network spans 0.1 ms) must all be exact for this to hold."""
import numpy as np
import pytest

pytest.importorskip("pyNN")
import leinao.pynn as sim  # noqa: E402
from pyNN.random import RandomDistribution  # noqa: E402
from conftest import run_cli  # noqa: E402

T = 200.0


def coba_pynn(threads=1):
    """examples/coba.yaml in PyNN: the same populations, parameters, initial values, rules and
    seed, in the file's order."""
    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=1, threads=threads)
    cell = sim.IF_cond_exp(cm=0.2, tau_m=20.0, v_rest=-60.0, v_thresh=-50.0, v_reset=-60.0,
                           tau_refrac=5.0, e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=5.0,
                           tau_syn_I=10.0, i_offset=0.0)
    pops = {}
    for name, size in (("E", 3200), ("I", 800)):
        p = sim.Population(size, cell, label=name)
        p.initialize(v=RandomDistribution("uniform", low=-60.0, high=-50.0),
                     gsyn_exc=RandomDistribution("normal", mu=0.04, sigma=0.015),
                     gsyn_inh=RandomDistribution("normal", mu=0.2, sigma=0.12))
        pops[name] = p
    for src, w, receptor in (("E", 0.006, "excitatory"), ("I", 0.067, "inhibitory")):
        for tgt in ("E", "I"):
            sim.Projection(pops[src], pops[tgt], sim.FixedProbabilityConnector(0.02),
                           sim.StaticSynapse(weight=w, delay=0.1), receptor_type=receptor)
    for p in pops.values():
        p.record("spikes")
    return pops


def _times_ids(pop):
    trains = pop.get_data().segments[0].spiketrains
    ids = np.concatenate([np.full(len(st), k, dtype=np.uint32) for k, st in enumerate(trains)])
    times = np.concatenate([np.asarray(st.magnitude, dtype=np.float64) for st in trains])
    order = np.lexsort((ids, times))  # the model file's order: by time, then neuron
    return times[order], ids[order]


def test_coba_pynn_equals_model_file(cli, source_dir, tmp_path):
    expected = run_cli(cli, source_dir / "examples" / "coba.yaml", tmp_path / "cli",
                       f"simulation.duration={T:g}")
    pops = coba_pynn()
    sim.run(T / 2)
    sim.run(T / 2)  # two runs: the same as one
    got = {name: _times_ids(p) for name, p in pops.items()}
    sim.end()
    for name, (times, ids) in expected.items():
        t, i = got[name]
        assert len(times) > 1000, name  # ~15-25 Hz x 3200 or 800 cells x 0.2 s
        assert len(t) == len(times), name
        assert np.array_equal(t, times) and np.array_equal(i, ids), name


def test_initial_values_drawn_by_leinao_are_read_back():
    """pyNN.random initial values are drawn by leinao (as the model file's): the recorded v
    starts at the values drawn, which follow the distribution."""
    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=1)
    p = sim.Population(2000, sim.IF_cond_exp(v_thresh=0.0))
    p.initialize(v=RandomDistribution("uniform", low=-70.0, high=-60.0),
                 gsyn_exc=RandomDistribution("normal", mu=0.01, sigma=0.002))
    p.record(["v", "gsyn_exc"])
    sim.run(1.0)
    seg = p.get_data().segments[0]
    sig = {s.name: np.asarray(s.magnitude) for s in seg.analogsignals}
    sim.end()
    v0, g0 = sig["v"][0], sig["gsyn_exc"][0]
    assert v0.min() >= -70.0 and v0.max() < -60.0 and abs(v0.mean() + 65.0) < 0.3
    assert len(np.unique(v0)) == v0.size
    assert abs(g0.mean() - 0.01) < 2e-4 and abs(g0.std() - 0.002) < 2e-4
    # the trace goes on from there: g decays by exp(-dt / tau_syn_E) in a step
    assert np.allclose(sig["gsyn_exc"][1], g0 * np.exp(-0.1 / 5.0), rtol=1e-3)
