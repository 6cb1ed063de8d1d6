#!/usr/bin/python3
"""examples/brunel.yaml built call by call through leinao's Python API and run, writing
spikes.h5 and summary.json into OUT as `leinao run` does (the same spikes, bit for bit: see
python/tests/test_examples.py). `load` instead runs the model file through Simulator.load.

    python3 bench/python/brunel_api.py calls|load DURATION_MS THREADS OUT
"""
import pathlib
import sys
import time

t_start = time.perf_counter()
import leinao  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
NEURON = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 10.0, "V_th": 20.0}


def build(sim: leinao.Simulator) -> None:
    pops = {name: sim.population("iaf_psc_delta", size, params=NEURON,
                                 init={"V_m": leinao.uniform(0.0, 20.0)}, name=name)
            for name, size in (("E", 10000), ("I", 2500))}
    noise = sim.population("poisson_generator", 1, params={"rate": 20000.0}, name="noise")
    for src, k, w in (("E", 1000, 0.1), ("I", 250, -0.5)):
        for tgt in ("E", "I"):
            sim.connect(pops[src], pops[tgt], rule={"fixed_indegree": k}, weight=w, delay=1.5)
    for tgt in ("E", "I"):
        sim.connect(noise, pops[tgt], rule="all_to_all", weight=0.1, delay=1.5)
    sim.record_spikes([pops["E"], pops["I"]], file="spikes.h5")


def main() -> None:
    how, duration, threads, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with leinao.Simulator(dt=0.1, seed=12345, threads=threads, out=out, overwrite=True,
                          name="brunel") as sim:
        if how == "calls":
            build(sim)
            sim.run(duration)
        else:
            sim.load(ROOT / "examples" / "brunel.yaml", {"simulation.duration": duration})
            sim.run()
        sim.finish()
    print(f"seconds script={time.perf_counter() - t_start:.3f}")


if __name__ == "__main__":
    main()
