"""The examples built in Python call by call give the same spikes, bit for bit, as their model
files run by the command line (and as Simulator.load of the same files)."""
import numpy as np

import leinao
from conftest import run_cli, read_sonata

BRUNEL_NEURON = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 10.0,
                 "V_th": 20.0}


def build_brunel(sim):
    """examples/brunel.yaml, call by call, in the file's order."""
    pops = {}
    for name, size in (("E", 10000), ("I", 2500)):
        pops[name] = sim.population("iaf_psc_delta", size, params=BRUNEL_NEURON,
                                    init={"V_m": leinao.uniform(0.0, 20.0)}, name=name)
    noise = sim.population("poisson_generator", 1, params={"rate": 20000.0}, name="noise")
    E, I = pops["E"], pops["I"]
    for src, k, w in ((E, 1000, 0.1), (I, 250, -0.5)):
        for tgt in (E, I):
            sim.connect(src, tgt, rule={"fixed_indegree": k}, weight=w, delay=1.5)
    for tgt in (E, I):
        sim.connect(noise, tgt, rule="all_to_all", weight=0.1, delay=1.5)
    sim.record_spikes([E, I], file="spikes.h5")
    sim.record_spikes([E, I])
    return E, I


def assert_same(expected, pops):
    for name, (times, ids) in expected.items():
        t, i = pops[name].spikes()
        assert t.dtype == np.float64 and i.dtype == np.uint32
        assert len(t) == len(times) and len(t) > 0
        assert np.array_equal(t, times) and np.array_equal(i, ids), name


def test_brunel_python_equals_cli(cli, source_dir, tmp_path):
    model = source_dir / "examples" / "brunel.yaml"
    expected = run_cli(cli, model, tmp_path / "cli", "simulation.duration=200")
    n_e, n_i = len(expected["E"][0]), len(expected["I"][0])
    assert n_e > 10000 and n_i > 2000  # ~37 Hz over 200 ms

    with leinao.Simulator(dt=0.1, seed=12345, threads=2, out=tmp_path / "py") as sim:
        E, I = build_brunel(sim)
        sim.run(200.0)
        sim.finish()
        assert_same(expected, {"E": E, "I": I})
        s = sim.summary()
        assert s["populations"]["E"]["spikes"] == n_e
        assert s["synapses"] == 10000 * 1250 + 2500 * 1250
    # the files written as the command line writes them
    written = read_sonata(tmp_path / "py" / "spikes.h5")
    for name in expected:
        assert np.array_equal(written[name][0], expected[name][0])
        assert np.array_equal(written[name][1], expected[name][1])
    assert (tmp_path / "py" / "summary.json").exists()

    # and the model file loaded in Python, on another number of threads, in 4 runs
    with leinao.Simulator(threads=1) as sim:
        pops = sim.load(model, {"simulation.duration": 200})
        sim.record_spikes([pops["E"], pops["I"]])
        sim.out, sim.overwrite = tmp_path / "load", True
        for _ in range(4):
            sim.run(50.0)
        assert sim.t == 200.0
        assert_same(expected, pops)


def test_coba_python_equals_cli(cli, source_dir, tmp_path):
    expected = run_cli(cli, source_dir / "examples" / "coba.yaml", tmp_path / "cli",
                       "simulation.duration=200")
    neuron = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0,
              "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0,
              "I_e": 0.0}
    init = {"V_m": leinao.uniform(-60.0, -50.0), "g_ex": leinao.normal(40.0, 15.0),
            "g_in": {"normal": {"mean": 200.0, "std": 120.0}}}
    with leinao.Simulator(dt=0.1, seed=1, threads=2) as sim:
        E = sim.population("iaf_cond_exp", 3200, neuron, init, name="E")
        I = sim.population("iaf_cond_exp", 800, neuron, init, name="I")
        for src, w in ((E, 6.0), (I, -67.0)):
            for tgt in (E, I):
                sim.connect(src, tgt, rule=("pairwise_bernoulli", 0.02), weight=w, delay=0.1)
        sim.record_spikes([E, I])
        sim.run(200.0)
        assert_same(expected, {"E": E, "I": I})


def test_stdp_python_equals_cli(cli, source_dir, tmp_path):
    expected = run_cli(cli, source_dir / "examples" / "stdp.yaml", tmp_path / "cli",
                       "simulation.duration=1000")
    with leinao.Simulator(dt=0.1, seed=4, threads=2) as sim:
        noise = sim.population("poisson_generator", 1, {"rate": 15.0}, name="noise")
        inputs = sim.population("parrot_neuron", 500, name="inputs")
        out = sim.population("iaf_psc_alpha", 10, {"tau_minus": 20.0}, name="out")
        sim.connect(noise, inputs, weight=1.0, delay=0.1)
        proj = sim.connect(inputs, out, synapse={
            "model": "stdp_synapse", "tau_plus": 20.0, "lambda": 0.01, "alpha": 1.1,
            "mu_plus": 0.0, "mu_minus": 0.0, "Wmax": 100.0},
            weight=leinao.uniform(10.0, 30.0), delay=1.0)
        sim.record_spikes(out)
        sim.run(1000.0)
        assert_same(expected, {"out": out})
        w = proj.connections()["weight"]
        assert len(w) == 5000
        assert not np.all((w >= 10.0) & (w < 30.0))  # plasticity moved some weights
