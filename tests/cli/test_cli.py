"""CLI tests: run the real `leinao` binary as a user would and check what it prints and writes.

usage: test_cli.py LEINAO_BINARY   (run by CTest; needs Debian's python3-h5py and python3-numpy)
"""
import json
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

import h5py
import numpy as np

LEINAO = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/leinao"
HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = os.path.join(HERE, "..", "data", "small.yaml")
STATE = os.path.join(HERE, "..", "data", "state.yaml")
EXAMPLES = os.path.join(HERE, "..", "..", "examples")


def leinao(*args, **kw):
    return subprocess.run([LEINAO, *args], capture_output=True, text=True, timeout=300, **kw)


def png_info(path):
    """Width, height and whether the picture has more than one colour (PNG from cairo: RGBA)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    raw, at = b"", 8
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        if kind == b"IDAT":
            raw += data[at + 8:at + 8 + length]
        at += 12 + length
    pixels = zlib.decompress(raw)
    stride = 1 + width * 4
    colours = set()
    for row in range(0, height, 7):
        line = pixels[row * stride + 1:(row + 1) * stride]
        for col in range(0, width, 13):
            colours.add(line[col * 4:col * 4 + 4])
    return width, height, len(colours)


def pdf_text(path):
    """The text a cairo PDF shows, one string per placed run of text, in drawing order: cairo
    writes page content as Flate streams and ASCII labels as literal strings in the subset
    fonts' WinAnsi encoding. A run ends at each Tm or Td (a new position) and at a TJ offset
    wider than a space (cairo puts text on one baseline into one TJ array)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:5] == b"%PDF-", path
    token = re.compile(rb"\((?:\\.|[^\\)])*\)|-?\d+(?:\.\d+)?|T[mdD]\b|ET\b|BT\b")
    out, run = [], []

    def end_run():
        if run:
            out.append(b"".join(run).decode("latin-1"))
            run.clear()

    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            content = zlib.decompress(m.group(1))
        except zlib.error:
            continue  # a font program or an image
        for t in token.finditer(content):
            t = t.group(0)
            if t[:1] == b"(":
                run.append(re.sub(rb"\\([0-7]{1,3})", lambda o: bytes([int(o.group(1), 8)]),
                                  re.sub(rb"\\([()\\])", rb"\1", t[1:-1])))
            elif t[:1] in b"TBE":
                end_run()
            elif abs(float(t)) > 250:
                end_run()
        end_run()
    return out

def load_json(path):
    with open(path) as f:
        return json.load(f)


def read_spikes(path):
    with h5py.File(path, "r") as f:
        return {pop: (f["spikes"][pop]["timestamps"][:], f["spikes"][pop]["node_ids"][:])
                for pop in f["spikes"]}


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "results")

    def tearDown(self):
        self.tmp.cleanup()

    def test_version_and_help(self):
        r = leinao("version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"leinao \d+\.\d+\.\d+")
        self.assertIn("sonata-hdf5", r.stdout)
        r = leinao("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("run", "check", "version", "models", "doc"):
            self.assertIn(word, r.stdout)
        r = leinao("run", "--help")
        self.assertEqual(r.returncode, 0)
        for opt in ("--out", "--set", "--seed", "--threads", "--overwrite", "--quiet"):
            self.assertIn(opt, r.stdout)
        self.assertEqual(leinao("frobnicate").returncode, 64)
        self.assertEqual(leinao("run", SMALL, "--bogus").returncode, 64)

    def test_run_writes_sonata_csv_and_summary(self):
        r = leinao("run", SMALL, "--out", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("real-time factor", r.stdout)
        self.assertEqual(r.stderr, "")  # no progress line when stderr is not a terminal
        with h5py.File(os.path.join(self.out, "spikes.h5"), "r") as f:
            self.assertEqual(int(f.attrs["magic"]), 0x0A7A)
            self.assertEqual(list(f.attrs["version"]), [0, 1])
            for pop, size in (("E", 400), ("I", 100)):
                g = f["spikes"][pop]
                self.assertEqual(h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype),
                                 {"none": 0, "by_id": 1, "by_time": 2})
                self.assertEqual(int(g.attrs["sorting"]), 2)
                self.assertEqual(g["timestamps"].attrs["units"], "ms")
                t, ids = g["timestamps"][:], g["node_ids"][:]
                self.assertEqual(t.dtype, np.float64)
                self.assertEqual(ids.dtype, np.uint64)
                self.assertGreater(len(t), 100)
                self.assertTrue(np.all(np.diff(t) >= 0))
                self.assertTrue(np.all(ids < size))
                self.assertTrue(np.all((t > 0) & (t <= 200.0)))
        s = load_json(os.path.join(self.out, "summary.json"))
        for key in ("leinao_version", "seed", "threads", "neurons", "synapses", "build_time_s",
                    "simulation_wall_s", "real_time_factor", "synaptic_events_per_s"):
            self.assertIn(key, s)
        self.assertEqual(s["status"], "completed")
        phases = [s["update_wall_s"], s["exchange_wall_s"], s["deliver_wall_s"]]
        self.assertTrue(all(x > 0.0 for x in phases), phases)
        self.assertLessEqual(sum(phases), s["simulation_wall_s"])
        self.assertEqual(s["neurons"], 500)
        self.assertEqual(s["synapses"], 500 * 50)
        spikes = read_spikes(os.path.join(self.out, "spikes.h5"))
        for pop, size in (("E", 400), ("I", 100)):
            p = s["populations"][pop]
            self.assertEqual(p["spikes"], len(spikes[pop][0]))
            self.assertAlmostEqual(p["rate_hz"], len(spikes[pop][0]) / size / 0.2, places=6)
            self.assertGreater(p["cv_isi"], 0.0)
        with open(os.path.join(self.out, "spikes_E.csv")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "timestamp,population,node_id")
        csv_t = np.array([float(x.split(",")[0]) for x in lines[1:]])
        csv_id = np.array([int(x.split(",")[2]) for x in lines[1:]])
        # the CSV writes times as the grid has them (29.8), the HDF5 file the doubles computed
        # as step x dt (29.800000000000001): equal to far below a step
        np.testing.assert_allclose(csv_t, spikes["E"][0], rtol=0, atol=1e-9)
        np.testing.assert_array_equal(csv_id, spikes["E"][1])

    def test_refuses_to_overwrite(self):
        self.assertEqual(leinao("run", SMALL, "--out", self.out, "--quiet").returncode, 0)
        r = leinao("run", SMALL, "--out", self.out, "--quiet")
        self.assertEqual(r.returncode, 7)
        self.assertIn("--overwrite", r.stderr)
        r = leinao("run", SMALL, "--out", self.out, "--quiet", "--overwrite")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")

    def test_same_seed_same_spikes(self):
        outs = [os.path.join(self.tmp.name, n) for n in ("a", "b", "c")]
        for out, seed in zip(outs, ("11", "11", "12")):
            r = leinao("run", SMALL, "--out", out, "--quiet", "--seed", seed, "--threads", "1")
            self.assertEqual(r.returncode, 0, r.stderr)
        a, b, c = (read_spikes(os.path.join(o, "spikes.h5")) for o in outs)
        for pop in ("E", "I"):
            np.testing.assert_array_equal(a[pop][0], b[pop][0])
            np.testing.assert_array_equal(a[pop][1], b[pop][1])
        self.assertFalse(len(a["E"][0]) == len(c["E"][0]) and np.array_equal(a["E"][0], c["E"][0]))
        self.assertEqual(load_json(os.path.join(outs[2], "summary.json"))["seed"], 12)
        # the thread count never changes the spikes
        for threads in ("2", "3", "5"):
            out = os.path.join(self.tmp.name, "t" + threads)
            r = leinao("run", SMALL, "--out", out, "--threads", threads, "--seed", "11")
            self.assertIn(threads + " threads", r.stdout)
            self.assertEqual(load_json(os.path.join(out, "summary.json"))["threads"], int(threads))
            d = read_spikes(os.path.join(out, "spikes.h5"))
            for pop in ("E", "I"):
                np.testing.assert_array_equal(d[pop][0], a[pop][0])
                np.testing.assert_array_equal(d[pop][1], a[pop][1])

    def test_uniform_weights_are_not_stored(self):
        # The same network written three ways: constant weights and delays (compact storage, a
        # 16-bit target per synapse), constant weights but delays drawn from normal(d, 0)
        # (4 bytes per synapse: no weights stored), and weights drawn from normal(w, 0) (8 bytes
        # per synapse). The values are the same, so the spikes must be, for any thread count,
        # and the storage must shrink as described.
        with open(SMALL) as f:
            text = f.read()
        delays = text.replace("delay: 1.5}", "delay: {normal: {mean: 1.5, std: 0.0}}}")
        drawn = text.replace("weight: 0.1,", "weight: {normal: {mean: 0.1, std: 0.0}},")
        drawn = drawn.replace("weight: -0.5,", "weight: {normal: {mean: -0.5, std: 0.0}},")
        self.assertEqual(delays.count("std: 0.0"), 6)
        self.assertEqual(drawn.count("std: 0.0"), 6)
        models = {"compact": SMALL}
        for name, body in (("delays", delays), ("drawn", drawn)):
            models[name] = os.path.join(self.tmp.name, name + ".yaml")
            with open(models[name], "w") as f:
                f.write(body)
        runs = {}
        for name, model in models.items():
            for threads in ("1", "3"):
                out = os.path.join(self.tmp.name, name + threads)
                r = leinao("run", model, "--out", out, "--quiet", "--threads", threads)
                self.assertEqual(r.returncode, 0, r.stderr)
                runs[name + threads] = (read_spikes(os.path.join(out, "spikes.h5")),
                                        load_json(os.path.join(out, "summary.json")))
        base = runs["compact1"][0]
        self.assertGreater(len(base["E"][0]), 100)
        for key, (spikes, _) in runs.items():
            for pop in ("E", "I"):
                np.testing.assert_array_equal(spikes[pop][0], base[pop][0], key)
                np.testing.assert_array_equal(spikes[pop][1], base[pop][1], key)
        stored = 25000 + 500  # between neurons, and from the Poisson generator
        peak = {k: runs[k + "1"][1]["peak_allocated_bytes"] for k in models}
        # (a few bytes differ elsewhere: file names)
        self.assertGreater(peak["delays"] - peak["compact"], 1.9 * stored)
        self.assertGreater(peak["drawn"] - peak["delays"], 3.9 * stored)
        for proj in runs["compact1"][1]["projections"]:
            self.assertTrue(abs(proj["weight_mean"] - 0.1) < 1e-8 or proj["weight_mean"] == -0.5)
            self.assertEqual(proj["weight_min"], proj["weight_max"])

    def test_set_overrides(self):
        r = leinao("run", SMALL, "--out", self.out, "--quiet", "--set", "simulation.duration=50",
                   "--set", "populations.E.size=200")
        self.assertEqual(r.returncode, 0, r.stderr)
        s = load_json(os.path.join(self.out, "summary.json"))
        self.assertEqual(s["duration_ms"], 50)
        self.assertEqual(s["populations"]["E"]["size"], 200)

    def test_check(self):
        r = leinao("check", SMALL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("500 neurons", r.stdout)
        self.assertIn("synapses: 25000", r.stdout)
        self.assertIn("estimated memory", r.stdout)
        self.assertFalse(os.path.exists(self.out))

    def test_check_estimate_within_20_percent(self):
        # leinao check's memory estimate against the peak the run's allocator counted (outputs'
        # buffers included), for the examples that build in seconds and the test models
        data = os.path.join(HERE, "..", "data")
        files = [os.path.join(EXAMPLES, n) for n in ("brunel.yaml", "coba.yaml", "cuba.yaml",
                                                      "stdp.yaml", "cobahh.yaml")]
        files += [os.path.join(data, n) for n in ("models.yaml", "state.yaml",
                                                   "microcircuit_small.yaml", "small.yaml")]
        for model in files:
            r = leinao("check", model)
            self.assertEqual(r.returncode, 0, r.stderr)
            estimate = int(re.search(r"estimated memory: .* \((\d+) bytes\)", r.stdout).group(1))
            r = leinao("run", model, "--out", self.out, "--overwrite", "--quiet",
                       "--set", "simulation.duration=5")
            self.assertEqual(r.returncode, 0, r.stderr)
            peak = load_json(os.path.join(self.out, "summary.json"))["peak_allocated_bytes"]
            self.assertLess(abs(estimate / peak - 1.0), 0.2, "%s: estimate %d, peak %d" %
                            (os.path.basename(model), estimate, peak))

    def test_bad_model_file(self):
        bad = os.path.join(self.tmp.name, "bad.yaml")
        with open(bad, "w") as f:
            f.write("populations:\n  E: {model: iaf_psc_delta, size: 10, params: {C_m: -1}}\n")
        r = leinao("run", bad, "--out", self.out)
        self.assertEqual(r.returncode, 4)
        self.assertIn(bad + ":2:", r.stderr)
        self.assertIn("C_m must be > 0, got -1", r.stderr)
        self.assertEqual(leinao("check", bad).returncode, 4)
        self.assertEqual(leinao("run", os.path.join(self.tmp.name, "none.yaml")).returncode, 6)
        self.assertFalse(os.path.exists(os.path.join(self.out, "summary.json")))

    def interrupt(self, sig):
        proc = subprocess.Popen([LEINAO, "run", SMALL, "--out", self.out, "--set",
                                 "simulation.duration=1000000"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 8, err)
        self.assertIn("interrupted", err)
        s = load_json(os.path.join(self.out, "summary.json"))
        self.assertEqual(s["status"], "interrupted")
        self.assertTrue(s["interrupted"])
        self.assertGreater(s["simulated_ms"], 0)
        self.assertLess(s["simulated_ms"], 1000000)
        spikes = read_spikes(os.path.join(self.out, "spikes.h5"))  # a valid, closed file
        self.assertEqual(len(spikes["E"][0]), s["populations"]["E"]["spikes"])
        self.assertLessEqual(spikes["E"][0].max(), s["simulated_ms"])

    def small_with(self, extra):
        path = os.path.join(self.tmp.name, "model.yaml")
        with open(SMALL) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text + extra)
        return path

    def test_rate_guard_stops_the_run(self):
        model = self.small_with("guards: {rate: {max: 5.0, window: 50.0}}\n")
        r = leinao("run", model, "--out", self.out, "--quiet")
        self.assertEqual(r.returncode, 12, r.stderr)
        self.assertIn("outside the guard [0, 5] Hz", r.stderr)
        self.assertIn("population E", r.stderr)
        s = load_json(os.path.join(self.out, "summary.json"))
        self.assertEqual(s["status"], "failed")
        self.assertLessEqual(s["simulated_ms"], 60.0)
        spikes = read_spikes(os.path.join(self.out, "spikes.h5"))  # valid and closed
        self.assertEqual(len(spikes["E"][0]), s["populations"]["E"]["spikes"])
        # a guard that holds lets the run finish
        model = self.small_with("guards: {rate: {min: 0.1, max: 1000.0}}\n")
        self.assertEqual(leinao("run", model, "--out", self.out, "--quiet", "--overwrite").returncode, 0)

    def test_time_limit(self):
        r = leinao("run", SMALL, "--out", self.out, "--time-limit", "1",
                   "--set", "simulation.duration=1000000")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("time limit of 1 s", r.stderr)
        s = load_json(os.path.join(self.out, "summary.json"))
        self.assertEqual(s["status"], "interrupted")
        self.assertLess(s["simulated_ms"], 1000000)
        read_spikes(os.path.join(self.out, "spikes.h5"))
        self.assertEqual(leinao("run", SMALL, "--time-limit", "-3").returncode, 64)

    def test_output_errors(self):
        blocker = os.path.join(self.tmp.name, "a-file")
        open(blocker, "w").close()
        r = leinao("run", SMALL, "--out", os.path.join(blocker, "out"), "--quiet")
        self.assertEqual(r.returncode, 5)
        self.assertIn(blocker, r.stderr)
        # a full disk: the CSV recording goes to /dev/full; the other files stay valid
        os.makedirs(self.out)
        os.symlink("/dev/full", os.path.join(self.out, "spikes_E.csv"))
        r = leinao("run", SMALL, "--out", self.out, "--quiet", "--overwrite")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("spikes_E.csv: cannot write", r.stderr)
        s = load_json(os.path.join(self.out, "summary.json"))
        self.assertEqual(s["status"], "failed")
        spikes = read_spikes(os.path.join(self.out, "spikes.h5"))
        self.assertGreater(len(spikes["E"][0]), 0)

    def test_sigint_leaves_valid_outputs(self):
        self.interrupt(signal.SIGINT)

    def test_sigterm_leaves_valid_outputs(self):
        self.interrupt(signal.SIGTERM)

    def run_on_a_terminal(self, *args):
        """Runs leinao with stderr on a pseudo-terminal: (exit status, stdout, the terminal's text)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([LEINAO, *args], stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        out = proc.stdout.read().decode()
        proc.wait(timeout=60)
        proc.stdout.close()
        os.close(master)
        return proc.returncode, out, seen.decode()

    def test_progress_line_on_a_terminal(self):
        rc, out, text = self.run_on_a_terminal("run", SMALL, "--out", self.out)
        self.assertEqual(rc, 0)
        for piece in ("t = ", "/ 200.0 ms", "rate", "wall", "ETA", "RTF"):
            self.assertIn(piece, text)

    def test_build_progress_on_a_terminal(self):
        # E -> E with 2M synapses: the line shows each projection i/N, its synapses generated /
        # expected, the rate and the ETA, redrawn in place; a last line says what was built
        rc, out, text = self.run_on_a_terminal(
            "run", SMALL, "--out", self.out, "--set", "populations.E.size=20000",
            "--set", "projections.0.rule.fixed_indegree=100", "--set", "simulation.duration=10")
        self.assertEqual(rc, 0, text)
        self.assertRegex(text, r"\r\x1b\[K  build: projection 1/6 E -> E  [0-9.]+[kM]? / 2\.00M "
                               r"synapses \( *\d+%\)  [0-9.]+[kMG]? synapses/s  wall [0-9.]+ s  ETA [0-9.]+ s")
        for k in range(2, 7):
            self.assertIn(f"build: projection {k}/6 ", text)
        for phase in ("resolve_populations", "build_projections", "open_outputs"):
            self.assertRegex(text, rf"build: {phase} \(\d/6\)  wall")
        self.assertRegex(text, r"\r\x1b\[K  build: 2\.\d\dM synapses \(devices' included\) in "
                               r"[0-9.]+ s\r?\n")
        # the build's lines stay on the terminal: none on stdout
        self.assertNotIn("build:", out)
        self.assertIn("real-time factor", out)
        # --quiet: nothing at all on the terminal
        rc, out, text = self.run_on_a_terminal("run", SMALL, "--out", self.out, "--overwrite",
                                               "--quiet")
        self.assertEqual((rc, out, text), (0, "", ""))

    def test_build_progress_not_on_a_terminal(self):
        # one line per phase on stdout, before the summary; nothing on stderr
        r = leinao("run", SMALL, "--out", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        lines = [x for x in r.stdout.splitlines() if x.startswith("  build:")]
        self.assertEqual([x.split(":")[1].strip() for x in lines],
                         ["resolve_populations", "start_threads", "build_projections",
                          "build_populations", "prepare_engine", "open_outputs"])
        self.assertRegex(lines[2], r"build_projections: 6 projections, 25\.5k synapses "
                                   r"\(devices' included\) in [0-9.]+ s \([0-9.]+[kMG]? synapses/s\)")
        self.assertTrue(r.stdout.startswith("  build: resolve_populations"))
        self.assertLess(r.stdout.index("open_outputs"), r.stdout.index("real-time factor"))

    def test_state_report(self):
        r = leinao("run", STATE, "--out", self.out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(os.path.join(self.out, "vm.h5"), "r") as f:
            g = f["report"]["E"]
            data = g["data"][:]
            self.assertEqual(data.shape, (200, 4))  # 100 ms / 0.5 ms; 2 neurons x 2 variables
            self.assertEqual(list(g["mapping"]["node_ids"][:]), [0, 3])
            self.assertEqual(list(g["mapping"]["index_pointers"][:]), [0, 2, 4])
            self.assertEqual(list(g["mapping"]["element_ids"][:]), [0, 1, 0, 1])
            np.testing.assert_allclose(g["mapping"]["time"][:], [0.5, 100.5, 0.5])
            self.assertEqual(g["data"].attrs["variables"], "V_m,I_syn_ex")
            self.assertEqual(g["data"].attrs["units"], "mV,pA")
        rows = np.loadtxt(os.path.join(self.out, "vm.csv"), delimiter=",", skiprows=1)
        self.assertEqual(rows.shape, (400, 4))
        np.testing.assert_array_equal(rows[0::2, 2:], data[:, 0:2])
        np.testing.assert_array_equal(rows[1::2, 2:], data[:, 2:4])
        np.testing.assert_allclose(rows[0::2, 0], np.arange(1, 201) * 0.5)
        # the probe: V(t) = E_L + R I (1 - exp(-t/tau)) at t = 0.1, 0.2, ...
        with h5py.File(os.path.join(self.out, "probe.h5"), "r") as f:
            v = f["report"]["probe"]["data"][:, 0]
        t = np.arange(1, 1001) * 0.1
        expected = -70.0 + 100.0 * 10.0 / 250.0 * (1 - np.exp(-t / 10.0))
        self.assertLess(np.max(np.abs(v - expected) / np.abs(expected)), 1e-12)
        # V_m hits threshold and resets: it stays below V_th and spikes were recorded
        self.assertTrue(np.all(data[:, [0, 2]] < -55.0))
        # recording the state changes nothing: the same run without state recordings
        plain = os.path.join(self.tmp.name, "plain.yaml")
        with open(STATE) as f:
            text = f.read()
        with open(plain, "w") as f:
            f.write("\n".join(l for l in text.splitlines() if "type: state" not in l) + "\n")
        out2 = os.path.join(self.tmp.name, "plain")
        self.assertEqual(leinao("run", plain, "--out", out2, "--quiet").returncode, 0)
        a = read_spikes(os.path.join(self.out, "spikes.h5"))["E"]
        b = read_spikes(os.path.join(out2, "spikes.h5"))["E"]
        self.assertGreater(len(a[0]), 50)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])

    def test_stdp_example_weights_drift(self):
        """examples/stdp.yaml: depression-dominated STDP (alpha 1.1) lowers the mean weight;
        potentiation-dominated (alpha 0.6) raises it; weights stay in [0, Wmax]."""
        means = {}
        for alpha in ("1.1", "0.6"):
            out = os.path.join(self.tmp.name, alpha)
            r = leinao("run", os.path.join(EXAMPLES, "stdp.yaml"), "--out", out, "--quiet",
                       "--set", "simulation.duration=2000",
                       "--set", "projections.1.synapse.alpha=" + alpha)
            self.assertEqual(r.returncode, 0, r.stderr)
            p = load_json(os.path.join(out, "summary.json"))["projections"][1]
            self.assertEqual(p["synapse_model"], "stdp_synapse")
            self.assertGreaterEqual(p["weight_min"], 0.0)
            self.assertLessEqual(p["weight_max"], 100.0)
            means[alpha] = (p["weight_mean_initial"], p["weight_mean"])
        self.assertLess(means["1.1"][1], 0.8 * means["1.1"][0])
        self.assertGreater(means["0.6"][1], 1.5 * means["0.6"][0])

    def test_plots(self):
        r = leinao("run", SMALL, "--out", self.out, "--quiet", "--plot")
        self.assertEqual(r.returncode, 0, r.stderr)
        width, height, colours = png_info(os.path.join(self.out, "raster.png"))
        self.assertEqual((width, height), (1200, 800))
        self.assertGreater(colours, 3)  # white, black, and a colour per population at least
        r = leinao("plot", self.out, "--out", os.path.join(self.out, "zoom.png"), "--from", "50",
                   "--to", "150", "--populations", "E", "--size", "640x480", "--title", "zoom")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(png_info(os.path.join(self.out, "zoom.png"))[:2], (640, 480))
        for ext, magic in ((".svg", b"<?xml"), (".pdf", b"%PDF")):
            path = os.path.join(self.out, "raster" + ext)
            self.assertEqual(leinao("plot", os.path.join(self.out, "spikes.h5"), "--out", path).returncode, 0)
            with open(path, "rb") as f:
                self.assertTrue(f.read(16).startswith(magic))
        # state traces
        out2 = os.path.join(self.tmp.name, "state")
        self.assertEqual(leinao("run", STATE, "--out", out2, "--quiet").returncode, 0)
        r = leinao("plot", out2, "--state", "vm.h5")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(png_info(os.path.join(out2, "vm.png"))[2], 3)
        # bad input gets a clear error
        r = leinao("plot", os.path.join(self.out, "spikes_E.csv"))
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("not an HDF5 file", r.stderr)
        # regression: a corrupt file that crashes libhdf5 1.10 (found by fuzzing) is an error,
        # not a crash: the file is parsed in a child process
        r = leinao("plot", os.path.join(HERE, "..", "data", "corrupt_spikes.h5"),
                   "--out", os.path.join(self.out, "corrupt.png"))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("the HDF5 library crashed reading this file", r.stderr)
        r = leinao("plot", self.out, "--populations", "X")
        self.assertEqual(r.returncode, 6)
        self.assertIn("no population matches 'X'", r.stderr)
        r = leinao("plot", self.out, "--out", os.path.join(self.out, "raster.gif"))
        self.assertEqual(r.returncode, 3)
        self.assertIn(".png, .svg or .pdf", r.stderr)

    def test_plot_labels(self):
        # state plots: ticks with values on every panel, units, a time axis, which neuron is which
        out = os.path.join(self.tmp.name, "state")
        self.assertEqual(leinao("run", STATE, "--out", out, "--quiet").returncode, 0)
        pdf = os.path.join(out, "vm.pdf")
        r = leinao("plot", out, "--state", "vm.h5", "--out", pdf)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = pdf_text(pdf)
        for label in ("V_m (mV)", "I_syn_ex (pA)", "time (ms)", "neuron 0", "neuron 3"):
            self.assertIn(label, text)
        numbers = [float(t) for t in text if re.fullmatch(r"-?\d+(\.\d+)?", t)]
        # V_m of iaf_psc_exp lies in [-70, -55] mV: its panel has ticks such as -70, -65, -60
        self.assertTrue({-70.0, -65.0, -60.0} <= set(numbers), numbers)
        # the time axis of each panel: 10 .. 100 ms (labelled on both panels)
        self.assertGreaterEqual(numbers.count(50.0), 2)
        self.assertGreaterEqual(numbers.count(100.0), 2)
        # the raster's title gives the simulated span (200 ms), not the last spike's time
        r = leinao("run", SMALL, "--out", self.out, "--quiet", "--set", "simulation.duration=150")
        self.assertEqual(r.returncode, 0, r.stderr)
        pdf = os.path.join(self.out, "raster.pdf")
        self.assertEqual(leinao("plot", self.out, "--out", pdf).returncode, 0)
        title = [t for t in pdf_text(pdf) if "spikes," in t]
        self.assertEqual(len(title), 1, pdf_text(pdf))
        self.assertIn("0 to 150 ms simulated", title[0])
        # without the run's summary beside it the span is unknown: the title says what it shows
        os.remove(os.path.join(self.out, "summary.json"))
        self.assertEqual(leinao("plot", self.out, "--out", pdf).returncode, 0)
        title = [t for t in pdf_text(pdf) if "spikes," in t][0]
        self.assertIn("to the last spike at", title)
        # an unknown name among known ones is refused, naming it and what the file holds
        r = leinao("plot", self.out, "--populations", "E,X")
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("no population matches 'X' (the file holds: E, I)", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "raster.png")))

    def test_report(self):
        # run --report: one page as PDF and PNG, with the weights of the plastic projection
        stdp = os.path.join(EXAMPLES, "stdp.yaml")
        r = leinao("run", stdp, "--out", self.out, "--report", "--set", "simulation.duration=500")
        self.assertEqual(r.returncode, 0, r.stderr)
        pdf, png = (os.path.join(self.out, "report." + ext) for ext in ("pdf", "png"))
        self.assertIn(pdf, r.stdout)
        self.assertIn(png, r.stdout)
        width, height, colours = png_info(png)
        self.assertEqual((width, height), (1240, 1754))
        self.assertGreater(colours, 4)
        summary = load_json(os.path.join(self.out, "summary.json"))
        # weights.csv: every synapse of the stdp projection counted once before and once after
        with open(os.path.join(self.out, "weights.csv")) as f:
            rows = [line.strip().split(",") for line in f if line[0].isdigit()]
        proj = summary["projections"][1]
        self.assertEqual({(row[1], row[2], row[3]) for row in rows},
                         {("inputs", "out", "stdp_synapse")})
        self.assertEqual(sum(int(row[6]) for row in rows), proj["synapses"])
        self.assertEqual(sum(int(row[7]) for row in rows), proj["synapses"])
        mean_after = sum(int(row[7]) * (float(row[4]) + float(row[5])) / 2 for row in rows)
        self.assertAlmostEqual(mean_after / proj["synapses"], proj["weight_mean"],
                               delta=float(rows[0][5]) - float(rows[0][4]))
        text = pdf_text(pdf)
        joined = "\n".join(text)
        for label in ("stdp: leinao", "(completed)", "rates of neurons", "CV of ISI",
                      "inter-spike intervals", "ISI (ms)", "weights inputs -> out (stdp_synapse)",
                      "before", "after", "population", "rate (Hz)", "parrot_neuron",
                      "iaf_psc_alpha", "real-time factor", "0 to 500 ms simulated"):
            self.assertIn(label, joined)
        for name in ("noise", "inputs", "out"):
            self.assertIn(name, text)  # the table's rows and the raster's band
        pops = summary["populations"]
        self.assertIn(str(pops["out"]["spikes"]), text)
        self.assertIn("%.3f" % pops["inputs"]["rate_hz"], text)
        self.assertIn("no state recorded", joined)
        # leinao report on a run with state reports: their traces, named by neuron
        out2 = os.path.join(self.tmp.name, "state")
        self.assertEqual(leinao("run", STATE, "--out", out2, "--quiet").returncode, 0)
        r = leinao("report", out2, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout + r.stderr, "")
        text = pdf_text(os.path.join(out2, "report.pdf"))
        for label in ("V_m (mV)", "I_syn_ex (pA)", "neuron 0", "neuron 3", "E", "probe",
                      "iaf_psc_exp"):
            self.assertIn(label, text)
        self.assertNotIn("no state recorded", "\n".join(text))
        self.assertEqual(png_info(os.path.join(out2, "report.png"))[:2], (1240, 1754))
        # --out: that file only
        svg = os.path.join(out2, "page.svg")
        r = leinao("report", out2, "--out", svg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, svg + "\n")
        # not a run's folder; a corrupt spike file (the reader runs in a child process)
        r = leinao("report", self.tmp.name)
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn("no summary.json", r.stderr)
        bad = os.path.join(self.tmp.name, "bad")
        os.mkdir(bad)
        with open(os.path.join(out2, "summary.json")) as f, \
                open(os.path.join(bad, "summary.json"), "w") as g:
            g.write(f.read())
        with open(os.path.join(HERE, "..", "data", "corrupt_spikes.h5"), "rb") as f, \
                open(os.path.join(bad, "spikes.h5"), "wb") as g:
            g.write(f.read())
        r = leinao("report", bad)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("the HDF5 library crashed reading this file", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(bad, "report.pdf")))
        r = leinao("report")
        self.assertEqual(r.returncode, 64)
        # a transient longer than the run: the distributions say why they are empty
        out3 = os.path.join(self.tmp.name, "long_transient")
        r = leinao("run", SMALL, "--out", out3, "--quiet", "--report", "--set",
                   "analysis.transient=500")
        self.assertEqual(r.returncode, 0, r.stderr)
        text = pdf_text(os.path.join(out3, "report.pdf"))
        self.assertEqual(text.count("nothing after the transient (500 ms of 200)"), 2)
        self.assertNotIn("nan", text)

    def test_memory_limit(self):
        # check warns (exit 0) and run refuses before building (exit 2, nothing written) when
        # the estimate exceeds --memory-limit; both numbers and what to change are named
        r = leinao("check", SMALL)
        self.assertEqual(r.returncode, 0, r.stderr)
        estimate = int(re.search(r"estimated memory: .* \((\d+) bytes\)", r.stdout).group(1))
        self.assertNotIn("exceeds", r.stderr)
        r = leinao("check", SMALL, "--memory-limit", "100 KiB")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warning: the estimated peak memory of this network", r.stderr)
        self.assertIn("(%d bytes)" % estimate, r.stderr)
        self.assertIn("100.0 KiB (102400 bytes)", r.stderr)
        self.assertIn("--set populations.NAME.size=N", r.stderr)
        self.assertIn("leinao run refuses", r.stderr)
        r = leinao("run", SMALL, "--out", self.out, "--memory-limit", str(estimate - 1))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("error: the estimated peak memory of this network", r.stderr)
        self.assertIn("exceeds the memory limit (--memory-limit)", r.stderr)
        self.assertIn("(%d bytes)" % (estimate - 1), r.stderr)
        self.assertIn("to change: make the network smaller", r.stderr)
        self.assertNotIn("build:", r.stdout)  # refused before building
        self.assertFalse(os.path.exists(self.out))
        # a limit just large enough runs; units are binary (GiB) or decimal (GB)
        r = leinao("run", SMALL, "--out", self.out, "--quiet", "--memory-limit", str(estimate))
        self.assertEqual(r.returncode, 0, r.stderr)
        for good in ("1GB", "1 GiB", "0.5G", "2000000"):
            self.assertEqual(leinao("check", SMALL, "--memory-limit", good).returncode, 0, good)
        for bad in ("", "lots", "-1", "12 XB", "0"):
            r = leinao("check", SMALL, "--memory-limit", bad)
            self.assertEqual(r.returncode, 64, bad)
            self.assertIn("--memory-limit needs a size", r.stderr)
        # without a limit: the machine's available memory (about 158 GiB for 2e8 neurons)
        huge = ["--set", "populations.E.size=100000000", "--set", "populations.I.size=100000000"]
        r = leinao("check", SMALL, *huge)
        self.assertEqual(r.returncode, 0, r.stderr)
        need = int(re.search(r"estimated memory: .* \((\d+) bytes\)", r.stdout).group(1))
        with open("/proc/meminfo") as f:
            available = int(re.search(r"MemAvailable:\s+(\d+) kB", f.read()).group(1)) * 1024
        if need <= available:
            self.skipTest("this machine has %d bytes available, more than %d" % (available, need))
        self.assertIn("exceeds the memory available on this machine (MemAvailable)", r.stderr)
        r = leinao("run", SMALL, "--out", self.out, "--overwrite", *huge)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("error: the estimated peak memory", r.stderr)
        self.assertNotIn("build:", r.stdout)

    def test_checkpoint_and_plot_progress(self):
        # not on a terminal: a line per checkpoint written on stdout, nothing on stderr
        r = leinao("run", SMALL, "--out", self.out, "--checkpoint-every", "50")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        lines = re.findall(r"^  checkpoint at t = ([0-9.]+) ms written: .*checkpoint\.h5 "
                           r"\([0-9.]+ s\)$", r.stdout, re.M)
        self.assertEqual(len(lines), 3, r.stdout)  # after 50, 100 and 150 ms; not at the end
        self.assertTrue(all(50 <= float(t) < 200 for t in lines), lines)
        self.assertLess(r.stdout.index("checkpoint at"), r.stdout.index("real-time factor"))
        r = leinao("run", SMALL, "--out", self.out, "--overwrite", "--checkpoint-every", "50",
                   "--quiet", "--plot", "--report")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))
        # on a terminal: a live line while a checkpoint is written and while a plot is drawn,
        # cleared after (stdout keeps the summary only)
        rc, out, text = self.run_on_a_terminal("run", SMALL, "--out", self.out, "--overwrite",
                                               "--checkpoint-every", "50", "--until", "120",
                                               "--plot", "--report")
        self.assertEqual(rc, 0, text)
        self.assertRegex(text, r"\r\x1b\[K  checkpoint: writing .*checkpoint\.h5 at t = 5\d(\.\d)? ms \.\.\.\r\x1b\[K")
        self.assertIn("\r\x1b[K  checkpoint: writing the final one ...\r\x1b[K", text)
        self.assertRegex(text, r"\r\x1b\[K  plot: reading .*spikes\.h5 and drawing .*raster\.png \.\.\.\r\x1b\[K")
        self.assertRegex(text, r"\r\x1b\[K  report: drawing .*report\.pdf \.\.\.\r\x1b\[K")
        self.assertNotIn("written:", out)
        self.assertIn("report.png", out)
        rc, out, text = self.run_on_a_terminal("plot", self.out)
        self.assertEqual(rc, 0, text)
        self.assertIn("plot: reading", text)
        self.assertEqual(out, os.path.join(self.out, "raster.png") + "\n")

    def test_output_details(self):
        # CSV times at the grid's precision (dt = 0.1 ms: one decimal), the same times as the
        # SONATA file's
        r = leinao("run", SMALL, "--out", self.out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.out, "spikes_E.csv")) as f:
            rows = [line.strip().split(",") for line in f][1:]
        self.assertGreater(len(rows), 100)
        for t, _, _ in rows:
            self.assertRegex(t, r"^\d+\.\d$")
        times = np.array([float(t) for t, _, _ in rows])
        h5 = read_spikes(os.path.join(self.out, "spikes.h5"))["E"][0]
        np.testing.assert_allclose(np.sort(times), np.sort(h5), rtol=0, atol=1e-9)
        out2 = os.path.join(self.tmp.name, "state")
        r = leinao("run", STATE, "--out", out2, "--quiet", "--set", "simulation.dt=0.025",
                   "--set", "recordings.1.interval=0.075", "--set", "recordings.2.interval=0.075")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out2, "vm.csv")) as f:
            times = [line.split(",")[0] for line in f][1:]
        self.assertEqual(times[:4], ["0.075", "0.075", "0.150", "0.150"])
        self.assertTrue(all(re.fullmatch(r"\d+\.\d{3}", t) for t in times), times[:20])
        # the summary says when its spike counts start
        r = leinao("run", SMALL, "--out", self.out, "--overwrite", "--set",
                   "analysis.transient=50")
        self.assertIn("spikes, rates and CV of ISI count from t = 50 ms, after the transient",
                      r.stdout)
        r = leinao("run", SMALL, "--out", self.out, "--overwrite")
        self.assertNotIn("after the transient", r.stdout)
        # leinao doc suggests the nearest model name
        r = leinao("doc", "iaf_psc_exq")
        self.assertEqual(r.returncode, 6)
        self.assertIn("unknown model 'iaf_psc_exq' (did you mean 'iaf_psc_exp'?", r.stderr)
        r = leinao("doc", "zzzzzz")
        self.assertEqual(r.returncode, 6)
        self.assertNotIn("did you mean", r.stderr)

    def test_models_and_docs(self):
        r = leinao("models")
        self.assertEqual(r.stdout.split(), ["iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha",
                                            "iaf_cond_exp", "izhikevich", "aeif_cond_exp",
                                            "iaf_cond_alpha", "aeif_cond_alpha", "aeif_psc_exp",
                                            "aeif_psc_alpha", "iaf_psc_exp_htum",
                                            "hh_psc_alpha", "hh_cond_exp_traub",
                                            "mat2_psc_exp", "parrot_neuron", "poisson_generator",
                                            "spike_generator", "dc_generator", "ac_generator",
                                            "noise_generator", "sinusoidal_poisson_generator",
                                            "step_current_generator", "static_synapse",
                                            "stdp_synapse", "stdp_nn_symm_synapse",
                                            "tsodyks_synapse"])
        docs = os.path.join(HERE, "..", "..", "docs", "models")
        for model in r.stdout.split():
            d = leinao("doc", model)
            self.assertEqual(d.returncode, 0)
            # docs/models/*.md are generated from the parameter tables: they must not drift
            with open(os.path.join(docs, model + ".md")) as f:
                page = f.read()
            self.assertEqual(page, d.stdout,
                             f"docs/models/{model}.md is stale: run scripts/generate-docs")


if __name__ == "__main__":
    unittest.main(verbosity=2)
