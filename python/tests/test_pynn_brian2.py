"""The same PyNN scripts (pynn/crosscheck.py: current injection, a network with Poisson input,
simple STDP, Tsodyks-Markram) on pyNN.leinao and on Debian's pyNN.brian2 (Brian2 2.5.1, numpy
target), compared within tolerances said and justified below. Brian2 takes 20-60 s a scenario
(sympy and numpy code generation), too long for CI, so its outputs are stored in
pynn/brian2_reference.json; LEINAO_TEST_BRIAN2=1 runs Brian2 instead (needs python3-brian).

The reduced VA benchmark (pynn/va_benchmark.py) is compared by rates, CUBA and COBA; COBA
against Brian2 with exponential Euler, since pyNN.brian2's default forward Euler is far off at
0.1 ms there (docs/pynn-va-coba.md), and one of its cells with identical input (pynn/va_cell.py)
against Brian2's accurate integrations.

Where pyNN.brian2 0.10.1 cannot be the reference the test says so and checks leinao against the
model's own equations (NEST's, which leinao implements): its MultiplicativeWeightDependence runs
the additive rule (its STDP equations have no weight dependence), and its TsodyksMarkramSynapse
does not depress or facilitate (dz/dt = +z/tau_rec, x never recovers, u clamped to U), so only
its first PSP is a reference."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pyNN")
import leinao  # noqa: E402

HERE = pathlib.Path(__file__).parent / "pynn"
SCRIPT = HERE / "crosscheck.py"
DT = 0.1


def _run(backend, scenario):
    r = subprocess.run([sys.executable, str(SCRIPT), backend, scenario], capture_output=True,
                       text=True, timeout=600,
                       env=dict(os.environ,
                                PYTHONPATH=str(pathlib.Path(leinao.__file__).parents[1])))
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def _both(scenario):
    if os.environ.get("LEINAO_TEST_BRIAN2") == "1":
        pytest.importorskip("brian2")
        brian = _run("pyNN.brian2", scenario)
    else:
        brian = json.loads((HERE / "brian2_reference.json").read_text())[scenario]
    return _run("leinao", scenario), brian


def test_current_injection():
    lei, bri = _both("current")
    a, b = np.array(lei["v_passive"]), np.array(bri["v_passive"])
    # the current of a DCSource or StepCurrentSource acts over (start, stop] (NEST 3's window
    # for current generators, as pyNN.nest sets it up): leinao's trace equals Brian2's to the
    # 1e-5 mV the traces are rounded to (both integrate a piecewise-constant current exactly)
    assert np.abs(a[:2] - b[:2]).max() <= 2e-5
    # the sine: leinao holds each step's value (NEST's ac_generator), Brian2 integrates
    # sin(t) within the step; 2 pi f dt A R = 2 pi 0.02 0.1 0.2 nA 40 MOhm = 0.1 mV bounds it
    assert np.abs(a[2] - b[2]).max() < 0.1
    # a cell made to fire by a DCSource: the same number of spikes; the first within 3 steps
    # (the threshold crossing detected at the end of the step), each interval within 2 steps
    # (NEST's refractory count and reset against Brian2's refractory period)
    sl, sb = np.array(lei["spikes_firing"]), np.array(bri["spikes_firing"])
    assert len(sl) == len(sb) == 5
    assert abs(sl[0] - sb[0]) <= 3 * DT + 1e-9
    assert np.abs(np.diff(sl) - np.diff(sb)).max() <= 2 * DT + 1e-9


def test_poisson_input_network():
    lei, bri = _both("poisson")
    cl, cb = np.array(lei["counts"]), np.array(bri["counts"])
    # identical input trains and wiring: only the integration differs (NEST's adaptive RK45 for
    # iaf_cond_exp against Brian2's forward Euler at 0.1 ms, and the one-step input lag), which
    # moves each of these ~33-spike counts by at most a few spikes and the total by ~2 %
    assert abs(cl.sum() - cb.sum()) <= 0.05 * cb.sum()
    assert np.abs(cl - cb).max() <= 5
    # SpikeSourcePoisson: 200 x 20 Hz x 1 s, each simulator its own realisation: 4000 expected,
    # sd 63; both within 4 sd
    for n in (lei["noise_spikes"], bri["noise_spikes"]):
        assert abs(n - 4000) < 4 * np.sqrt(4000)


def _nest_stdp(pre, post, t_read, w0, wmax, lam, alpha, mu_plus, mu_minus, tau_plus,
               tau_minus, d):
    """NEST's stdp_synapse (all-to-all pairs, dendritic delay d), weight read at t_read."""
    w, k_plus, t_last = w0 / wmax, 0.0, 0.0
    post = np.asarray(post)
    for t in pre:
        if t + d > t_read:
            break
        for tp in post[(post > t_last - d) & (post <= t - d)]:
            w = min(1.0, w + lam * (1.0 - w) ** mu_plus * k_plus *
                    np.exp((t_last - (tp + d)) / tau_plus))
        k_minus = np.exp(-(t - d - post[post < t - d]) / tau_minus).sum()
        w = max(0.0, w - alpha * lam * w ** mu_minus * k_minus)
        k_plus = k_plus * np.exp((t_last - t) / tau_plus) + 1.0
        t_last = t
    return w * wmax


def test_stdp():
    lei, bri = _both("stdp")
    pre = lei["pre_spikes"]
    # the post cells fire at the same times in both (the drive is far above threshold)
    assert np.allclose(lei["post_spikes"][0], bri["post_spikes"][0], atol=1e-9)
    for when, t_read in (("w_mid", 952.0), ("w_end", 1952.0)):
        # additive: Brian2 takes the delay as axonal, NEST (leinao) as dendritic: each pair's
        # interval differs by the delay (0.1 ms) -> exp(0.1/20) = 0.5 % per pair term; 1 %
        wl, wb = lei[when]["AdditiveWeightDependence"], bri[when]["AdditiveWeightDependence"]
        assert wl == pytest.approx(wb, rel=0.01)
        # both rules against NEST's equations on leinao's own spikes (float32 weights)
        for k, (name, mu) in enumerate((("AdditiveWeightDependence", 0.0),
                                        ("MultiplicativeWeightDependence", 1.0))):
            ref = _nest_stdp(pre, lei["post_spikes"][k], t_read, 0.01, 0.02, 0.01, 1.2, mu, mu,
                             20.0, 20.0, DT)
            assert lei[when][name] == pytest.approx(ref, rel=1e-5)
    # multiplicative and additive differ in leinao (not in pyNN.brian2 0.10.1)
    assert lei["w_mid"]["MultiplicativeWeightDependence"] < lei["w_mid"]["AdditiveWeightDependence"]


def _tsodyks_released(times, U, tau_rec, tau_fac, tau_psc):
    x, y, u, t_last, out = 1.0, 0.0, 0.0, 0.0, []
    for t in times:
        h = t - t_last
        puu = 0.0 if tau_fac == 0 else np.exp(-h / tau_fac)
        pyy, pzz = np.exp(-h / tau_psc), np.exp(-h / tau_rec)
        pxy = ((pzz - 1) * tau_rec - (pyy - 1) * tau_psc) / (tau_psc - tau_rec)
        z = 1 - x - y
        u *= puu
        x += pxy * y + (1 - pzz) * z
        y *= pyy
        u += U * (1 - u)
        out.append(u * x)
        x -= u * x
        y += out[-1]
        t_last = t
    return np.array(out)


def test_tsodyks_markram():
    lei, bri = _both("tsodyks")
    pl, pb = np.array(lei["psp"]), np.array(bri["psp"])
    # the first PSP (no history yet): the same in both, to 1 % (exact integration both)
    assert np.allclose(pl[:, 0], pb[:, 0], rtol=0.01)
    # the PSP train against the released fractions of NEST's tsodyks_synapse: PSPs 50 ms
    # apart overlap by exp(-50/10) of the membrane's decay, measured from the level at each
    # arrival: 2 %
    for k, params in enumerate(((0.5, 200.0, 0.0), (0.1, 50.0, 500.0))):
        rel = _tsodyks_released(np.array(lei["spike_times"]), *params, tau_psc=2.0)
        assert np.allclose(pl[k] / pl[k, 0], rel / rel[0], rtol=0.02)
    assert pl[0, 9] < 0.4 * pl[0, 0] and pl[1, 9] > 3 * pl[1, 0]  # depression, facilitation


def test_va_benchmark_cuba_rates():
    """The reduced VA benchmark (pynn/va_benchmark.py, CUBA): leinao draws the random wiring
    with its own generators, Brian2 with PyNN's NumpyRNG, so the networks are different
    realisations. leinao's excitatory rate over rng_seed 1-4 spans 38.4-48.3 Hz (+-12 % around
    43); the tolerance is twice that, 25 %. (COBA: test_va_benchmark_coba_rates.)"""
    ref = json.loads((HERE / "brian2_reference.json").read_text())["va_CUBA"]["rates"]
    if os.environ.get("LEINAO_TEST_BRIAN2") == "1":
        pytest.importorskip("brian2")
        ref = _va("pyNN.brian2")
    lei = _va("leinao")
    assert lei["Excitatory_Cells"] == pytest.approx(ref["Excitatory_Cells"], rel=0.25)
    assert lei["Inhibitory_Cells"] == pytest.approx(ref["Inhibitory_Cells"], rel=0.25)
    # 20 Poisson sources at 50 Hz for 0.3 s: 300 spikes expected, sd 17 -> 4 sd = 23 %
    assert lei["expoisson"] == pytest.approx(50.0, rel=0.23)


def test_va_benchmark_coba_rates():
    """The reduced VA benchmark, COBA. pyNN.brian2's default integration of IF_cond_exp is
    forward Euler, which at dt = 0.1 ms is far off in this high-conductance network (g dt / C
    averages 1.7: docs/pynn-va-coba.md) and gives 172.7 Hz; with exponential Euler Brian2 gives
    leinao's rate (as with forward Euler at dt <= 0.02 ms). Compared with that reference, as
    CUBA (different realisations; leinao over rng_seed 1-4: 89-99 Hz, +-5 %): 25 %."""
    ref = json.loads((HERE / "brian2_reference.json").read_text())
    euler, exp_euler = ref["va_COBA"]["rates"], ref["va_COBA_exponential_euler"]["rates"]
    if os.environ.get("LEINAO_TEST_BRIAN2") == "1":
        pytest.importorskip("brian2")
        euler = _va("pyNN.brian2", "COBA")
        exp_euler = _va("pyNN.brian2", "COBA", method="exponential_euler")
    lei = _va("leinao", "COBA")
    for pop in ("Excitatory_Cells", "Inhibitory_Cells"):
        assert lei[pop] == pytest.approx(exp_euler[pop], rel=0.25)
    # and forward Euler at 0.1 ms is not a reference: it fires far more
    assert euler["Excitatory_Cells"] > 1.5 * lei["Excitatory_Cells"]


def _cell(backend, dt=0.1, method=""):
    r = subprocess.run([sys.executable, str(HERE / "va_cell.py"), backend], capture_output=True,
                       text=True, timeout=600,
                       env=dict(os.environ, VA_DT=repr(dt), VA_BRIAN2_METHOD=method,
                                PYTHONPATH=str(pathlib.Path(leinao.__file__).parents[1])))
    assert r.returncode == 0, r.stderr[-3000:]
    return np.array(json.loads(r.stdout.strip().splitlines()[-1]))


def test_va_cell_same_input():
    """One IF_cond_exp cell with the VA COBA parameters and weights, the same input trains on
    both (pynn/va_cell.py): what differs is the integration alone. Brian2's accurate runs (RK4
    at 0.1 ms, forward Euler at 0.01 ms) fire 153 times in 1 s; leinao (NEST's adaptive RK45)
    must agree to 2 % (a spike or two: NEST's refractory count in steps against Brian2's
    refractory time); forward Euler at 0.1 ms fires 11 % more. The first spikes, before the
    refractory differences add up, within a step."""
    ref = json.loads((HERE / "brian2_reference.json").read_text())["va_cell"]
    if os.environ.get("LEINAO_TEST_BRIAN2") == "1":
        pytest.importorskip("brian2")
        ref = {"euler_0.1": _cell("pyNN.brian2").tolist(),
               "rk4_0.1": _cell("pyNN.brian2", method="rk4").tolist(),
               "euler_0.01": _cell("pyNN.brian2", dt=0.01).tolist()}
    lei = _cell("leinao")
    assert len(lei) > 100
    for accurate in ("rk4_0.1", "euler_0.01"):
        b = np.array(ref[accurate])
        assert abs(len(lei) - len(b)) <= 0.02 * len(b)
        assert np.abs(lei[:3] - b[:3]).max() <= DT + 1e-9
    assert len(ref["euler_0.1"]) > 1.08 * len(lei)


def _va(backend, benchmark="CUBA", method=""):
    r = subprocess.run([sys.executable, str(HERE / "va_benchmark.py"), backend, benchmark],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, VA_BRIAN2_METHOD=method,
                                PYTHONPATH=str(pathlib.Path(leinao.__file__).parents[1])))
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(x for x in r.stdout.splitlines() if x.startswith("rates "))
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
