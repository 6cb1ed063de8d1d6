"""Errors as exceptions, every connection rule and explicit connections, results, files,
introspection, documentation and a create/run/close leak check."""
import json
import resource

import numpy as np
import pytest

import leinao


def test_errors_raise_the_right_exception_with_the_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\npopulations:\n  E: {model: iaf_psc_alpha, size: 2, params: {C_m: -1.0}}\n")
    with pytest.raises(leinao.ModelError) as e:
        leinao.Simulator().load(bad)
    assert "bad.yaml:3:" in str(e.value) and "C_m must be > 0, got -1" in str(e.value)
    assert e.value.status == 4 and e.value.status_name == "MODEL_FILE"
    assert isinstance(e.value, leinao.LeinaoError) and isinstance(e.value, ValueError)

    with pytest.raises(leinao.NotFoundError):
        leinao.Simulator().load(tmp_path / "missing.yaml")

    sim = leinao.Simulator()
    with pytest.raises(leinao.NotFoundError, match="iaf_psc_alfa") as e:
        sim.population("iaf_psc_alfa", 10)
    assert e.value.argument == "model"
    a = sim.population("iaf_psc_alpha", 10, name="A")
    with pytest.raises(leinao.NotFoundError) as e:
        a.set(tau_x=3.0)
    assert e.value.argument == "param" and "tau_x" in str(e.value)
    with pytest.raises(leinao.InvalidArgumentError, match="multiple of dt") as e:
        sim.connect(a, a, weight=1.0, delay=0.15)
    assert e.value.argument == "delay"
    with pytest.raises(leinao.InvalidArgumentError) as e:
        sim.connect(a, a, sources=[0, 1], targets=[0, 10])
    assert e.value.argument == "targets" and e.value.index == 1
    with pytest.raises(leinao.InvalidArgumentError):
        sim.connect(a, a, sources=[0, -1], targets=[0, 1])
    with pytest.raises(leinao.InvalidArgumentError):
        sim.connect(a, a, rule="all_to_some")
    with pytest.raises(leinao.NotFoundError):
        a.spikes()  # not recorded
    sim.run(10.0)
    with pytest.raises(leinao.StateError, match="already built"):
        sim.population("iaf_psc_alpha", 3)
    with pytest.raises(leinao.InvalidArgumentError, match="multiple of dt"):
        sim.run(0.05)
    sim.close()
    with pytest.raises(leinao.StateError, match="closed"):
        sim.run(1.0)
    with pytest.raises(leinao.InvalidArgumentError) as e:
        leinao.Simulator(dt=-1.0)
    assert e.value.argument == "dt"


def test_output_exists_and_guard_errors(tmp_path):
    (tmp_path / "s.h5").write_text("")
    sim = leinao.Simulator(out=tmp_path)
    p = sim.population("iaf_psc_alpha", 2)
    sim.record_spikes(p, file="s.h5")
    with pytest.raises(leinao.OutputExistsError) as e:
        sim.run(1.0)
    assert isinstance(e.value, FileExistsError) and "s.h5" in str(e.value)
    sim = leinao.Simulator()
    p = sim.population("iaf_psc_alpha", 10, {"I_e": 1000.0}, name="fast")
    sim.set_rate_guard(0.0, 5.0, 50.0, pop=p)
    with pytest.raises(leinao.GuardError, match="fast") as e:
        sim.run(1000.0)
    assert e.value.status_name == "GUARD" and sim.t < 1000.0


def counts(sim, proj):
    c = proj.connections()
    return c["source"], c["target"]


def test_every_rule_and_explicit_connections():
    with leinao.Simulator(seed=5, threads=2) as sim:
        a = sim.population("iaf_psc_alpha", 30, name="a")
        b = sim.population("iaf_psc_alpha", 30, name="b")
        projs = {
            "all": sim.connect(a, b, "all_to_all"),
            "one": sim.connect(a, b, "one_to_one", weight=2.0),
            "bern": sim.connect(a, b, ("pairwise_bernoulli", 0.2)),
            "in": sim.connect(a, a, {"fixed_indegree": 5, "allow_autapses": False,
                                     "allow_multapses": False}),
            "out": sim.connect(a, b, ("fixed_outdegree", 4)),
            "total": sim.connect(a, b, ("fixed_total_number", 77), delay=leinao.uniform(1, 2)),
            "expl": sim.connect(a, b, sources=[3, 0, 3], targets=[1, 2, 0],
                                weight=np.array([1.5, -2.5, 3.5]), delay=[1.0, 2.0, 0.5]),
        }
        sim.run(1.0)
        s, t = counts(sim, projs["all"])
        assert len(s) == 900
        s, t = counts(sim, projs["one"])
        assert np.array_equal(s, t) and len(s) == 30
        assert np.all(projs["one"].connections()["weight"] == 2.0)
        s, _ = counts(sim, projs["bern"])
        assert 100 < len(s) < 260
        s, t = counts(sim, projs["in"])
        assert len(s) == 150 and np.all(s != t)
        assert np.all(np.bincount(t, minlength=30) == 5)
        pairs = set(zip(s.tolist(), t.tolist()))
        assert len(pairs) == 150
        s, _ = counts(sim, projs["out"])
        assert np.all(np.bincount(s, minlength=30) == 4)
        c = projs["total"].connections()
        assert len(c["source"]) == 77
        assert np.all((c["delay"] >= 1.0) & (c["delay"] <= 2.0))
        c = projs["expl"].connections()  # canonical order: by source, then target
        assert c["source"].tolist() == [0, 3, 3] and c["target"].tolist() == [2, 0, 1]
        assert c["weight"].tolist() == [-2.5, 3.5, 1.5] and c["delay"].tolist() == [2.0, 0.5, 1.0]
        assert projs["all"].stats()["synapses"] == 900
        assert sim.summary()["projections"][6]["synapses"] == 3


def test_explicit_connections_equal_the_rule():
    """A rule's synapses read back and given again explicitly make the same network."""
    def net(sim):
        noise = sim.population("poisson_generator", 1, {"rate": 10000.0}, name="noise")
        e = sim.population("iaf_psc_exp", 100, init={"V_m": leinao.uniform(-70, -55)}, name="e")
        sim.connect(noise, e, weight=40.0, delay=1.0)
        sim.record_spikes(e)
        return e

    with leinao.Simulator(seed=9, threads=2) as sim:
        e = net(sim)
        proj = sim.connect(e, e, ("fixed_indegree", 10), weight=leinao.normal(30, 5),
                           delay=leinao.uniform(1, 3))
        sim.run(100.0)
        c = proj.connections()
        expected = e.spikes()
    with leinao.Simulator(seed=9, threads=1) as sim:
        e = net(sim)
        sim.connect(e, e, sources=c["source"], targets=c["target"], weight=c["weight"],
                    delay=c["delay"])
        sim.run(100.0)
        got = e.spikes()
    assert len(expected[0]) > 100
    assert np.array_equal(expected[0], got[0]) and np.array_equal(expected[1], got[1])


def test_summary_files_and_state_recording(tmp_path):
    with leinao.Simulator(seed=2, threads=2, out=tmp_path, name="files") as sim:
        p = sim.population("iaf_psc_alpha", 50, {"I_e": 400.0}, name="P")
        sim.record_spikes(p, file="spikes.h5")
        sim.record_spikes(p, file="spikes.csv")
        sim.record_spikes(p)
        sim.record(p, ["V_m"], interval=1.0, file="vm.h5")
        rec = sim.record(p, ["V_m", "I_syn_ex"], interval=1.0, neurons=[1, 2])
        est = sim.estimate()
        assert est["neurons"] == 50 and est["populations"] == 1
        sim.run(100.0)
        sim.finish()
        s = sim.summary()
        assert s["name"] == "files" and s["t_simulated"] == 100.0 and s["seed"] == 2
        assert s["populations"]["P"]["spikes"] == len(p.spikes()[0]) > 0
        assert s["populations"]["P"]["rate"] > 0
        d = rec.data()
        assert d["times"].tolist() == [float(k) for k in range(1, 101)]
        assert d["V_m"].shape == (100, 2) and d["I_syn_ex"].shape == (100, 2)
        assert np.array_equal(rec["V_m"], d["V_m"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["populations"]["P"]["spikes"] == s["populations"]["P"]["spikes"]
    lines = (tmp_path / "spikes.csv").read_text().splitlines()
    assert len(lines) - 1 == s["populations"]["P"]["spikes"]
    for f in ("spikes.h5", "vm.h5"):
        assert (tmp_path / f).stat().st_size > 0
    leinao.plot_spikes(tmp_path / "spikes.h5", tmp_path / "raster.png")
    assert (tmp_path / "raster.png").stat().st_size > 1000


def test_models_and_documentation():
    assert "iaf_psc_alpha" in leinao.models("neuron")
    assert "poisson_generator" in leinao.models("device")
    assert "stdp_synapse" in leinao.models("synapse")
    table = {p["name"]: p for p in leinao.model_params("iaf_psc_alpha")}
    assert table["tau_m"]["default"] == 10.0 and table["tau_m"]["unit"] == "ms"
    assert table["V_m"]["is_state"]
    assert "tau_m" in leinao.model_doc("iaf_psc_alpha")
    with pytest.raises(leinao.NotFoundError):
        leinao.model_params("nope")
    for obj in (leinao, leinao.Simulator, leinao.Simulator.connect, leinao.Simulator.run,
                leinao.Population.spikes, leinao.LeinaoError, leinao.ModelError):
        assert obj.__doc__ and len(obj.__doc__) > 30
    assert leinao.__version__.count(".") == 2


def test_no_leak_over_1000_create_run_close_cycles():
    def cycle():
        sim = leinao.Simulator(threads=1)
        p = sim.population("iaf_psc_alpha", 20, {"I_e": 500.0})
        sim.connect(p, p, ("fixed_indegree", 5))
        sim.record_spikes(p)
        sim.record(p, "V_m", interval=1.0)
        sim.run(5.0)
        p.spikes()
        sim.close()
    def rss_kb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() // 1024
    for _ in range(200):
        cycle()
    before = rss_kb()
    for _ in range(1000):
        cycle()
    after = rss_kb()
    assert after - before < 1024  # kB: a leak of 1 kB per cycle would show
