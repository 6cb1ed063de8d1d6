"""The PyNN backend: a VA-benchmark-like PyNN script (pynn/va_benchmark.py) runs end to end with
`import leinao.pynn as sim`, and PyNN's units and cell types map onto leinao's NEST models."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pyNN")
import leinao  # noqa: E402

SCRIPT = pathlib.Path(__file__).parent / "pynn" / "va_benchmark.py"


@pytest.mark.parametrize("benchmark", ["COBA", "CUBA"])
def test_va_benchmark_script_runs(benchmark, tmp_path):
    r = subprocess.run([sys.executable, str(SCRIPT), "leinao", benchmark], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PYTHONPATH=str(pathlib.Path(leinao.__file__).parents[1])))
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())
    rates = dict(kv.split("=") for kv in lines["rates"].split())
    assert 1.0 < float(rates["Excitatory_Cells"]) < 300.0
    assert 40.0 < float(rates["expoisson"]) < 60.0  # 20 sources at 50 Hz for 300 ms
    n = dict(kv.split("=") for kv in lines["synapses"].split())
    assert n["ext2e"] == "6400" and n["ext2i"] == "3200" and n["list"] == "2"
    assert n["one"] == "160" and n["post"] == "800"
    assert 0.015 * 640 * 640 < int(n["e2e"]) < 0.025 * 640 * 640
    frames, channels, v0, units = lines["vm"].split(maxsplit=3)
    assert (frames, channels, units) == ("3001", "640", "1.0 mV")
    assert -60.0 <= float(v0) < -50.0


def test_units_cell_types_and_neo(tmp_path):
    import leinao.pynn as sim
    import pyNN.leinao  # registered by leinao.pynn
    assert pyNN.leinao is sim
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0, 30.0]), label="src")
    cell = sim.Population(2, sim.IF_curr_exp(cm=0.25, tau_m=10.0, i_offset=0.0, v_thresh=-55.0),
                          label="cell")
    cell.set(i_offset=np.array([0.0, 0.5]))   # nA -> 500 pA for neuron 1
    proj = sim.Projection(src, cell, sim.AllToAllConnector(),
                          sim.StaticSynapse(weight=2.0, delay=1.0))  # 2 nA
    src.record("spikes")
    cell.record(["spikes", "v"])
    sim.run(50.0)
    assert sim.get_current_time() == 50.0
    assert cell.get("cm") == 0.25 and cell.get("i_offset").tolist() == [0.0, 0.5]
    st = src.get_data().segments[0].spiketrains[0]
    assert st.magnitude.tolist() == [10.0, 20.0, 30.0]  # the parrot relays at the given times
    block = cell.get_data()
    trains = block.segments[0].spiketrains
    # neuron 0 fires only after the first input arrives (10 ms + 1 ms delay)
    assert len(trains) == 2 and len(trains[0]) >= 3 and trains[0].magnitude.min() > 11.0
    assert trains[1].annotations["source_index"] == 1 and len(trains[1]) > 3
    v = block.segments[0].analogsignals[0]
    assert v.shape == (501, 2) and str(v.units) == "1.0 mV"
    assert v.magnitude[0, 0] == -65.0
    w = proj.get("weight", format="list")
    assert sorted(w) == [(0, 0, 2.0), (0, 1, 2.0)]
    with pytest.raises(NotImplementedError, match="hh_cond_exp_traub"):
        sim.HH_cond_exp()
    sim.end()
