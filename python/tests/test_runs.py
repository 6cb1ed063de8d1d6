"""Incremental runs, parameters between runs, per-neuron values, Ctrl-C and the GIL."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import leinao


def small_network(sim, n=400):
    """Poisson-driven E/I network with alpha currents, a spike generator, a DC generator, a
    state recording and a delay (1.5 ms) that does not divide 20 ms: runs of 20 ms end inside
    slices."""
    E = sim.population("iaf_psc_alpha", n, {"I_e": 200.0}, {"V_m": leinao.uniform(-70, -55)},
                       name="E")
    I = sim.population("iaf_psc_exp", n // 4, init={"V_m": leinao.normal(-65, 3, low=-70)},
                       name="I")
    noise = sim.population("poisson_generator", 1, {"rate": 8000.0}, name="noise")
    sg = sim.population("spike_generator", 1, {"spike_times": [5.0, 33.3, 101.7]}, name="sg")
    sim.connect(noise, E, weight=30.0, delay=1.5)
    sim.connect(noise, I, weight=30.0, delay=1.5)
    sim.connect(sg, E, weight=500.0, delay=0.5)
    sim.connect(E, E, rule={"fixed_indegree": 40}, weight=leinao.uniform(5, 15), delay=1.5)
    sim.connect(E, I, rule=("pairwise_bernoulli", 0.1), weight=10.0,
                delay={"uniform": {"low": 1.0, "high": 3.0}})
    sim.connect(I, E, rule=("fixed_outdegree", 30), weight=-40.0, delay=2.0)
    sim.record_spikes([E, I])
    rec = sim.record(E, ["V_m", "I_syn_ex"], interval=0.5, neurons=[0, 7, 99])
    return E, I, noise, rec


def results(E, I, rec):
    return E.spikes() + I.spikes() + (rec.times, rec["V_m"], rec["I_syn_ex"])


def test_ten_runs_equal_one_run():
    one = leinao.Simulator(seed=7, threads=2)
    E, I, _, rec = small_network(one)
    one.run(200.0)
    expected = results(E, I, rec)
    assert len(expected[0]) > 1000 and len(expected[2]) > 100
    assert expected[4].shape == (400,) and expected[5].shape == (400, 3)

    many = leinao.Simulator(seed=7, threads=1)
    E, I, _, rec = small_network(many)
    for _ in range(10):
        many.run(20.0)
    got = results(E, I, rec)
    for a, b in zip(expected, got):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert one.summary()["events"] == many.summary()["events"]
    one.close()
    many.close()


def test_parameter_changed_between_runs_takes_effect():
    def make():
        sim = leinao.Simulator(seed=3, threads=1)
        pop = sim.population("iaf_psc_exp", 10, {"I_e": 0.0}, name="P")
        noise = sim.population("poisson_generator", 1, {"rate": 0.0}, name="noise")
        target = sim.population("iaf_psc_delta", 10, name="T")
        sim.connect(noise, target, weight=5.0, delay=1.0)
        sim.record_spikes([pop, target])
        return sim, pop, noise, target

    sim, pop, noise, target = make()
    sim.run(100.0)
    assert len(pop.spikes()[0]) == 0 and len(target.spikes()[0]) == 0
    pop.set(I_e=600.0)   # a neuron parameter: from the next step
    noise.set(rate=5000.0)  # a device: from the next slice
    sim.run(100.0)
    t, _ = pop.spikes()
    assert len(t) >= 10 and t.min() > 100.0
    t2, _ = target.spikes()
    assert len(t2) > 10 and t2.min() > 100.0
    # and back: no new spikes of P after the current is off again (beyond the refractory tail)
    pop.set({"I_e": 0.0})
    sim.run(100.0)
    t, _ = pop.spikes()
    assert t.max() < 220.0
    with pytest.raises(leinao.InvalidArgumentError, match="C_m must be > 0"):
        pop.set(C_m=-1.0)
    sim.close()


def test_per_neuron_arrays():
    n = 20
    i_e = np.linspace(0.0, 1000.0, n)
    v0 = np.linspace(-80.0, -60.0, n)
    with leinao.Simulator(seed=1, threads=2) as sim:
        P = sim.population("iaf_psc_delta", n, params={"I_e": i_e, "tau_m": 10.0},
                           init={"V_m": v0}, name="P")
        sim.record_spikes(P)
        rec = sim.record(P, "V_m", interval=0.1)
        sim.run(200.0)
        t, ids = P.spikes()
        counts = np.bincount(ids, minlength=n)
        # iaf_psc_delta: rheobase I = (V_th - E_L) C_m / tau_m = 15 mV * 250 pF / 10 ms = 375 pA
        assert np.all(counts[i_e <= 375.0] == 0)
        assert np.all(counts[i_e > 400.0] > 0)
        assert np.all(np.diff(counts) >= 0)
        # the first sample is V_m after one step from its per-neuron initial value, exactly
        E_L, tau, C = -70.0, 10.0, 250.0
        p = np.exp(-0.1 / tau)
        first = E_L + (v0 - E_L) * p + i_e * tau / C * (1 - p)
        assert np.allclose(rec["V_m"][0], first, rtol=0, atol=1e-9)
        assert rec["V_m"].shape == (2000, n)
    with leinao.Simulator() as sim:
        with pytest.raises(leinao.InvalidArgumentError) as e:
            sim.population("iaf_psc_delta", 3, params={"tau_m": [10.0, -1.0, 5.0]})
        assert e.value.index == 1 and e.value.argument == "values"


def test_run_to_the_file_duration_and_t(source_dir):
    with leinao.Simulator(threads=2) as sim:
        sim.load(source_dir / "tests" / "data" / "small.yaml", ["simulation.duration=50"])
        sim.run()
        assert sim.t == 50.0
        sim.run()  # nothing left to do
        assert sim.t == 50.0
        sim.run(10.0)
        assert sim.t == 60.0


def brunel_small(sim, source_dir):
    pops = sim.load(source_dir / "examples" / "brunel.yaml",
                    ["populations.E.size=2000", "populations.I.size=500",
                     "projections.0.rule.fixed_indegree=200", "projections.1.rule.fixed_indegree=200",
                     "projections.2.rule.fixed_indegree=50", "projections.3.rule.fixed_indegree=50",
                     "recordings.0.file=ignored.h5"])
    sim.record_spikes([pops["E"], pops["I"]])
    return pops


def test_ctrl_c_stops_the_run_and_keeps_the_results(source_dir, tmp_path):
    """SIGINT while running: KeyboardInterrupt at the end of a slice, the spikes until then kept;
    the run can go on, and ends as if it had never stopped."""
    with leinao.Simulator(threads=2, out=tmp_path, overwrite=True) as sim:
        pops = brunel_small(sim, source_dir)
        sim.build()
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        start = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            sim.run(100000.0)
        timer.join()
        assert time.monotonic() - start < 5.0
        t_stop = sim.t
        assert 0.0 < t_stop < 100000.0
        t, _ = pops["E"].spikes()
        assert len(t) > 0 and t.max() <= t_stop
        assert sim.summary()["interrupted"]
        sim.run(round(1000.0 - t_stop % 1000.0, 1) if t_stop % 1000 else 0.0)
        end = sim.t
        spikes = pops["E"].spikes()
    with leinao.Simulator(threads=2, out=tmp_path, overwrite=True) as sim:
        pops = brunel_small(sim, source_dir)
        sim.run(end)
        expected = pops["E"].spikes()
    assert np.array_equal(spikes[0], expected[0]) and np.array_equal(spikes[1], expected[1])


def test_gil_released_while_running(source_dir, tmp_path):
    with leinao.Simulator(threads=1, out=tmp_path, overwrite=True) as sim:
        brunel_small(sim, source_dir)
        sim.build()
        worker = threading.Thread(target=sim.run, args=(1000.0,))
        worker.start()
        ticks = 0
        while worker.is_alive():
            ticks += 1
            time.sleep(0.001)
        worker.join()
        assert sim.t == 1000.0
        assert ticks > 20  # the main thread ran while the simulation did


def test_progress_callback_and_its_exception(source_dir, tmp_path):
    seen = []
    with leinao.Simulator(threads=2, out=tmp_path, overwrite=True) as sim:
        brunel_small(sim, source_dir)
        sim.run(300.0, progress=lambda t, d, w, s: seen.append((t, d, s)))
        assert seen and seen[-1][0] == 300.0 and seen[-1][1] == 300.0

        def stop(t, d, w, s):
            raise RuntimeError("enough")
        with pytest.raises(RuntimeError, match="enough"):
            sim.run(10000.0, progress=stop)
        assert 300.0 < sim.t < 10300.0
