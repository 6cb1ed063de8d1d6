"""Projection.set in the PyNN backend (PyNN's API: weights, delays and synapse parameters after
the connections are made; numbers, 2D arrays, random distributions, functions of distance),
over leinao's leinao_set_connections, and the plain API's Projection.set_connections and
Population.get."""
import numpy as np
import pytest

pytest.importorskip("pyNN")
import leinao  # noqa: E402
import leinao.pynn as sim  # noqa: E402
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

DT = 0.1


def _network(weight=0.01, delay=1.0, inh_weight=0.02, set_values=None, seed=3):
    """Poisson input onto IF_cond_exp cells through an excitatory and an inhibitory projection
    (FixedProbability: leinao's own rule). set_values: called with the two projections after
    they are made. Returns (spike trains, v of cell 0, the projections)."""
    sim.setup(timestep=DT, min_delay=DT, max_delay=4.0, rng_seed=seed)
    src = sim.Population(40, sim.SpikeSourcePoisson(rate=30.0), label="src")
    cells = sim.Population(20, sim.IF_cond_exp(tau_refrac=2.0), label="cells")
    exc = sim.Projection(src, cells, sim.FixedProbabilityConnector(0.5),
                         sim.StaticSynapse(weight=weight, delay=delay), receptor_type="excitatory")
    inh = sim.Projection(src, cells, sim.FixedProbabilityConnector(0.2),
                         sim.StaticSynapse(weight=inh_weight, delay=delay),
                         receptor_type="inhibitory")
    cells.record(["spikes", "v"])
    if set_values:
        set_values(exc, inh)
    sim.run(300.0)
    seg = cells.get_data().segments[0]
    trains = [np.asarray(st) for st in seg.spiketrains]
    v = np.asarray(seg.analogsignals[0].magnitude)[:, 0]
    return trains, v, exc, inh


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_numbers_set_before_the_run_equal_the_declared_values():
    ref, v_ref, _, _ = _network(weight=0.006, delay=2.0, inh_weight=0.01)
    sim.end()

    def change(exc, inh):
        exc.set(weight=0.006, delay=2.0)  # before the build: applied when it happens
        inh.set(weight=0.01, delay=2.0)
    got, v_got, exc, inh = _network(set_values=change)
    assert exc.get("weight", format="list")[0][2] == pytest.approx(0.006)
    assert {d for (_, _, d) in inh.get("delay", format="list")} == {2.0}
    sim.end()
    assert sum(map(len, ref)) > 100
    assert _same(ref, got)
    assert np.array_equal(v_ref, v_got)
    other, _, _, _ = _network()  # the values first declared: other spikes
    sim.end()
    assert not _same(ref, other)


def test_matrix_equals_from_list_connector():
    """A 2D array (get(format="array")'s shape) gives each synapse its pair's value: the same
    spikes as the same synapses made by FromListConnector with those weights."""
    rng = np.random.default_rng(5)
    w = rng.uniform(0.005, 0.02, size=(40, 20))
    state = {}

    def change(exc, inh):
        state["conns"] = exc.get("weight", format="list")  # builds the network
        exc.set(weight=w)
    got, _, exc, _ = _network(set_values=change)
    back = exc.get("weight", format="array")
    sim.end()
    pairs = [(i, j) for (i, j, _) in state["conns"]]
    assert np.allclose([back[i, j] for i, j in pairs], [w[i, j] for i, j in pairs], rtol=1e-6)

    # the reference: the excitatory synapses given as a list, the inhibitory ones as before
    sim.setup(timestep=DT, min_delay=DT, max_delay=4.0, rng_seed=3)
    src = sim.Population(40, sim.SpikeSourcePoisson(rate=30.0), label="src")
    cells = sim.Population(20, sim.IF_cond_exp(tau_refrac=2.0), label="cells")
    # weights as leinao stores them (float32), so that both get the same numbers
    conn = [(i, j, float(np.float32(w[i, j] * 1000.0)) / 1000.0, 1.0) for i, j in pairs]
    ref_exc = sim.Projection(src, cells, sim.FromListConnector(conn, column_names=["weight", "delay"]),
                             receptor_type="excitatory")
    sim.Projection(src, cells, sim.FixedProbabilityConnector(0.2),
                   sim.StaticSynapse(weight=0.02, delay=1.0), receptor_type="inhibitory")
    cells.record(["spikes"])
    sim.run(300.0)
    ref = [np.asarray(st) for st in cells.get_data().segments[0].spiketrains]
    assert len(ref_exc) == len(pairs)
    sim.end()
    assert sum(map(len, ref)) > 100
    # the same synapses in the same storage order (by source, then target): the same sums
    assert _same(ref, got)


def test_random_distributions_and_delay_rounding():
    rng = NumpyRNG(seed=11)

    def change(exc, inh):
        exc.set(weight=RandomDistribution("uniform", low=0.002, high=0.008, rng=rng),
                delay=RandomDistribution("uniform", low=0.5, high=3.5, rng=rng))
        inh.set(delay=RandomDistribution("normal_clipped", mu=2.0, sigma=0.5, low=0.2, high=4.0,
                                         rng=rng))
    _, _, exc, inh = _network(set_values=change)
    w = np.array([x[2] for x in exc.get("weight", format="list")])
    d = np.array([x[2] for x in exc.get("delay", format="list")])
    di = np.array([x[2] for x in inh.get("delay", format="list")])
    sim.end()
    assert w.size > 300 and w.min() >= 0.002 - 1e-9 and w.max() <= 0.008 + 1e-9
    assert len(np.unique(w)) > 0.9 * w.size  # one draw per synapse
    assert abs(w.mean() - 0.005) < 0.0005  # uniform's mean; sd of the mean ~ 1e-4
    # delays on the grid (rounded to dt as NEST rounds them), over the range drawn
    assert np.allclose(d / DT, np.round(d / DT), atol=1e-9)
    assert d.min() >= 0.5 - 1e-9 and d.max() <= 3.5 + 1e-9 and len(np.unique(d)) > 20
    assert di.min() >= 0.2 - 1e-9 and abs(di.mean() - 2.0) < 0.15


def test_function_of_distance():
    sim.setup(timestep=DT, min_delay=DT)
    a = sim.Population(5, sim.SpikeSourcePoisson(rate=10.0))
    b = sim.Population(4, sim.IF_curr_exp())
    p = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    p.set(weight=lambda d: 0.01 * d + 0.1)
    w = p.get("weight", format="array")
    sim.end()
    # the populations' default positions: a line, 1 apart, both from 0
    dist = np.abs(np.arange(5)[:, None] - np.arange(4)[None, :])
    assert np.allclose(w, 0.01 * dist + 0.1, rtol=1e-6)


def test_set_between_runs_acts_from_then_on():
    trains, _, _, _ = _network()
    sim.end()

    def runs():
        sim.setup(timestep=DT, min_delay=DT, max_delay=4.0, rng_seed=3)
        src = sim.Population(40, sim.SpikeSourcePoisson(rate=30.0), label="src")
        cells = sim.Population(20, sim.IF_cond_exp(tau_refrac=2.0), label="cells")
        exc = sim.Projection(src, cells, sim.FixedProbabilityConnector(0.5),
                             sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type="excitatory")
        sim.Projection(src, cells, sim.FixedProbabilityConnector(0.2),
                       sim.StaticSynapse(weight=0.02, delay=1.0), receptor_type="inhibitory")
        cells.record("spikes")
        sim.run(150.0)
        exc.set(weight=0.0)
        sim.run(150.0)
        return [np.asarray(st) for st in cells.get_data().segments[0].spiketrains], exc, cells
    got, exc, cells = runs()
    assert {x[2] for x in exc.get("weight", format="list")} == {0.0}
    # reset keeps the value set (and builds the network again): no excitation from t = 0
    sim.reset()
    sim.run(100.0)
    segments = cells.get_data().segments
    after_reset = sum(len(st) for st in segments[-1].spiketrains)
    sim.end()
    before = [t[t <= 150.0] for t in trains]
    assert _same(before, [t[t <= 150.0] for t in got])
    assert sum(map(len, before)) > 50
    # without excitation the cells stop within a few ms (tau_syn_E 5 ms, no other drive)
    assert sum(len(t[t > 160.0]) for t in got) == 0
    assert sum(len(t[t > 160.0]) for t in trains) > 50
    assert len(segments) == 2 and after_reset == 0


def test_synapse_parameters():
    """TsodyksMarkramSynapse.U and tau_rec set before the run equal declared ones (the same
    membrane trace); STDP's w_max and weights are checked as leinao's rules say."""
    def tsodyks(U, set_U=None):
        sim.setup(timestep=DT, min_delay=DT)
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(10.0, 200.0, 20.0)))
        post = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
        p = sim.Projection(src, post, sim.AllToAllConnector(),
                           sim.TsodyksMarkramSynapse(weight=1.0, delay=1.0, U=U, tau_rec=100.0))
        if set_U is not None:
            p.set(U=set_U, tau_rec=300.0)
        post.record("v")
        sim.run(200.0)
        v = np.asarray(post.get_data().segments[0].analogsignals[0].magnitude)[:, 0]
        got = p.get(["U", "tau_rec"], format="list")[0][2:]
        sim.end()
        return v, got
    v_declared, _ = tsodyks(0.2)
    v_set, params = tsodyks(0.6, set_U=0.2)
    v_other, _ = tsodyks(0.6)
    assert params == (0.2, 300.0)
    assert not np.array_equal(v_declared, v_other)
    # tau_rec differs (300 against 100): the first PSP is the same, later ones smaller
    first = slice(0, 200)
    assert np.array_equal(v_declared[first], v_set[first])
    assert v_set[1900:].max() < v_declared[1900:].max()

    sim.setup(timestep=DT, min_delay=DT)
    src = sim.Population(3, sim.SpikeSourcePoisson(rate=20.0))
    post = sim.Population(2, sim.IF_curr_exp())
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.01, A_minus=0.012),
                             weight_dependence=sim.AdditiveWeightDependence(w_max=0.05),
                             weight=0.02, delay=1.0)
    p = sim.Projection(src, post, sim.AllToAllConnector(), stdp)
    sim.run(10.0)
    with pytest.raises(leinao.InvalidArgumentError, match="Wmax"):
        p.set(weight=0.06)  # above w_max
    with pytest.raises(leinao.InvalidArgumentError, match="Wmax"):
        p.set(w_max=0.01)  # below the weights
    with pytest.raises(NotImplementedError, match="one"):
        p.set(tau_plus=RandomDistribution("uniform", low=10.0, high=20.0))
    p.set(w_max=0.04, weight=0.03)
    sim.run(10.0)
    assert p.get("w_max", format="list")[0][2] == 0.04
    w = np.array([x[2] for x in p.get("weight", format="list")])
    assert w.max() <= 0.04 + 1e-9 and w.min() >= 0.0
    sim.end()


def test_delays_beyond_max_delay_are_refused():
    sim.setup(timestep=DT, min_delay=DT, max_delay=2.0)
    a = sim.Population(3, sim.SpikeSourcePoisson(rate=10.0))
    b = sim.Population(2, sim.IF_curr_exp())
    p = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.5))
    p.set(delay=2.0)  # up to setup's max_delay: room reserved in leinao's ring buffers
    sim.run(1.0)
    with pytest.raises(leinao.InvalidArgumentError, match="within the delays"):
        p.set(delay=2.5)
    assert {x[2] for x in p.get("delay", format="list")} == {2.0}
    sim.end()


def test_plain_api_set_connections():
    s = leinao.Simulator(dt=0.1, seed=1)
    a = s.population("parrot_neuron", 3)
    g = s.population("spike_generator", 1, params={"spike_times": np.array([1.0, 5.0])})
    b = s.population("iaf_psc_alpha", 2)
    s.connect(g, a, "all_to_all", weight=1.0, delay=0.1)
    p = s.connect(a, b, "all_to_all", weight=5.0, delay=1.0)
    with pytest.raises(leinao.StateError):
        p.set_connections(weight=1.0)
    s.build()
    assert np.array_equal(b.get("V_m"), [-70.0, -70.0]) and b.get("C_m").dtype == np.float64
    with pytest.raises(leinao.NotFoundError):
        b.get("no_such_thing")
    w = np.arange(6.0) - 2.0
    p.set_connections(weight=w, delay=0.5)
    c = p.connections()
    assert np.array_equal(c["weight"], w) and np.all(c["delay"] == 0.5)
    with pytest.raises(leinao.InvalidArgumentError):
        p.set_connections(weight=np.ones(5))
    with pytest.raises(leinao.InvalidArgumentError, match="multiple of dt"):
        p.set_connections(delay=0.55)
    assert np.all(p.connections()["delay"] == 0.5)
    s.run(10.0)
    s.close()
