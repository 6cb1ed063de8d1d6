"""The PyNN backend's synapse types (STDPMechanism, TsodyksMarkramSynapse), connectors run by
leinao (FixedTotalNumber) or by PyNN (FromList), PopulationView and Assembly in recording and
projections, current sources, the conductance/adaptive/Izhikevich cell types and reset()."""
import numpy as np
import pytest

pytest.importorskip("pyNN")
import leinao.pynn as sim  # noqa: E402


@pytest.fixture
def pynn():
    sim.setup(timestep=0.1, min_delay=0.1)
    yield sim
    sim.end()


def _stats(proj):
    return [part.proj.stats() for part in proj._parts]


def test_synapse_types_map_to_nest_parameters(pynn):
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=20.0))
    cond = sim.Population(6, sim.IF_cond_exp(tau_syn_E=3.0, tau_syn_I=7.0))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=15.0, tau_minus=25.0, A_plus=0.01,
                                            A_minus=0.015),
        weight_dependence=sim.MultiplicativeWeightDependence(w_max=0.05), weight=0.02, delay=1.0)
    p1 = sim.Projection(src, cond, sim.FixedTotalNumberConnector(10), stdp,
                        receptor_type="inhibitory")
    tm = sim.TsodyksMarkramSynapse(U=0.3, tau_rec=150.0, tau_facil=20.0, weight=0.004)
    p2 = sim.Projection(src, cond, sim.AllToAllConnector(), tm, receptor_type="excitatory")
    p3 = sim.Projection(src, cond, sim.AllToAllConnector(), tm, receptor_type="inhibitory")
    # leinao's declarations: what pyNN.nest would give NEST
    log = {id(h): (args, kw) for (_, name, args, kw, h) in sim.state.sim._log if name == "connect"}
    kw1 = log[id(p1._parts[0].proj)][1]
    assert kw1["synapse"] == {"model": "stdp_synapse", "tau_plus": 15.0, "lambda": 0.01,
                              "alpha": pytest.approx(1.5), "Wmax": -50.0, "mu_plus": 1.0,
                              "mu_minus": 1.0}  # nS, negative onto the inhibitory receptor
    assert kw1["rule"]["fixed_total_number"] == 10 and kw1["weight"] == -20.0
    syn2 = log[id(p2._parts[0].proj)][1]["synapse"]
    assert syn2 == {"model": "tsodyks_synapse", "U": 0.3, "tau_rec": 150.0, "tau_fac": 20.0,
                    "tau_psc": 3.0}
    assert log[id(p3._parts[0].proj)][1]["synapse"]["tau_psc"] == 7.0
    sim.run(10.0)
    assert len(p1) == 10 and len(p2) == 24
    assert _stats(p1)[0]["synapse_model"] == "stdp_synapse"
    assert np.allclose(p1.get("weight", format="array")[~np.isnan(p1.get("weight", "array"))]
                       .sum(), 0.2, atol=0.05)
    assert p2.get("U", format="list")[0][2] == 0.3
    w = np.array(p2.get("weight", format="list"))[:, 2]
    assert np.allclose(w, 0.004)
    with pytest.raises(ValueError, match="w_min"):
        sim.AdditiveWeightDependence(w_min=0.1)


def test_views_assemblies_and_from_list(pynn):
    a = sim.Population(5, sim.IF_curr_alpha(), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0, 15.0]), label="src")
    both = a + b
    p = sim.Projection(src, both, sim.FromListConnector([(0, 1, 0.5, 1.0), (1, 6, 0.01, 2.0)]),
                       receptor_type="excitatory")
    q = sim.Projection(src, a[[1, 3]], sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.2, delay=0.5), receptor_type="inhibitory")
    r = sim.Projection(a[0:2], b[1:], sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
    both.record(["v", "spikes"])
    a[[1, 3]].record("v")
    sim.run(30.0)
    assert sorted(p.get(["weight", "delay"], format="list")) == [(0, 1, 0.5, 1.0),
                                                                 (1, 6, 0.01, 2.0)]
    assert sorted(q.get("weight", format="list")) == [(0, 0, -0.2), (0, 1, -0.2), (1, 0, -0.2),
                                                      (1, 1, -0.2)]
    assert sorted(r.get("weight", format="list")) == [(0, 0, 0.01), (1, 1, 0.01)]
    assert q.get("weight", format="array").shape == (2, 2)
    sig = both.get_data().segments[0].analogsignals
    assert [s.shape for s in sig] == [(301, 8)]  # PyNN merges an Assembly's signals
    va = a[[1, 3]].get_data().segments[0].analogsignals[0]
    assert va.shape == (301, 2)
    # a[1] gets 0.5 nA from src 0 (arrives at 6 ms) and -0.2 nA from both sources
    v = a.get_data().segments[0].analogsignals[0].magnitude
    assert v[:60, 1].max() == -65.0 and v[60:120, 1].max() > -64.9
    assert v[:, 3].max() == -65.0 and v[:, 3].min() < -65.0
    assert v[:, 0].max() == v[:, 0].min() == -65.0


def test_current_sources_act_from_start_to_stop(pynn):
    cells = sim.Population(5, sim.IF_curr_exp(v_thresh=0.0, cm=0.25, tau_m=10.0))
    dc = sim.DCSource(amplitude=0.1, start=10.0, stop=30.0)
    dc.inject_into(cells[0:1])
    steps = sim.StepCurrentSource(times=[10.0, 20.0], amplitudes=[0.1, -0.1])
    steps.inject_into(cells[[1]])
    sim.ACSource(amplitude=0.1, frequency=50.0, start=10.0, stop=30.0).inject_into([cells[2]])
    sim.NoisyCurrentSource(mean=0.1, stdev=0.05, dt=1.0, start=10.0, stop=30.0).inject_into(
        cells[3:4])
    with pytest.raises(TypeError, match="spike source"):
        sim.DCSource().inject_into(sim.Population(1, sim.SpikeSourcePoisson()))
    cells.record("v")
    sim.run(20.0)
    dc.amplitude = 0.2  # between runs: the generator's amplitude
    sim.run(20.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    # every current source acts over (start, stop] (NEST 3's window for current generators):
    # V first moves at 10.1 ms
    assert np.all(v[:101, :4] == -65.0) and np.all(v[101, :2] > -65.0 + 1e-6)
    assert np.all(v[102, 2:4] != -65.0)
    tau, R = 10.0, 10.0 / 0.25   # ms, MOhm: dV = R I (1 - exp(-t/tau))
    # at 20 ms, 10 ms of 0.1 nA (the amplitude set between runs acts from the next step)
    assert v[200, 0] == pytest.approx(-65.0 + R * 0.1 * (1 - np.exp(-10.0 / tau)), abs=1e-9)
    assert v[300, 0] > v[200, 0] + 2.0   # 0.2 nA after 20 ms
    assert v[200, 1] == pytest.approx(v[200, 0]) and v[300, 1] < -65.0
    assert np.all(v[:, 4] == -65.0)


def test_cell_types_and_reset(pynn):
    eif = sim.Population(1, sim.EIF_cond_alpha_isfa_ista(i_offset=1.0), label="eif")
    izh = sim.Population(1, sim.Izhikevich(i_offset=0.01), label="izh")
    src = sim.Population(3, sim.SpikeSourcePoisson(rate=100.0), label="src")
    sim.Projection(src, izh, sim.AllToAllConnector(), sim.StaticSynapse(weight=5.0, delay=1.0))
    for p in (eif, izh, src):
        p.record("spikes")
    eif.record(["v", "w"])
    izh.record(["v", "u"])
    sim.run(200.0)
    first = [p.get_data().segments[0].spiketrains[0].magnitude.copy() for p in (eif, izh, src)]
    assert len(first[0]) > 3 and len(first[1]) > 3
    w = eif.get_data().segments[0].filter(name="w")[0]
    assert w.magnitude.max() > 0.0 and str(w.units) == "1.0 nA"
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(200.0)
    blocks = [p.get_data() for p in (eif, izh, src)]
    for block, spikes in zip(blocks, first):
        assert len(block.segments) == 2
        # the network is built again from the same seed: the same run
        assert np.array_equal(block.segments[1].spiketrains[0].magnitude, spikes)
