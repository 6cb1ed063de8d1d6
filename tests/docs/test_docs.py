"""Docs that stand alone and agree with the code and with a run of today.

usage: test_docs.py LEINAO_BINARY REPO_ROOT   (run by CTest)

- the README's package lists are exactly what scripts/install-deps installs;
- nothing in the repository cites a file outside it (shared/...), and docs/benchmarks.md, which
  the examples, tests and bench scripts cite, exists;
- every model file of examples/ and tests/data/ has its own `name`;
- docs/nir.md covers every NIR preset and every `leinao nir` option;
- the README's exit-status list names every leinao_status of include/leinao.h but OK, and 64;
- Brunel's figures quoted in the README (sample output and text), in examples/brunel.yaml and in
  docs/benchmarks.md are what `leinao run examples/brunel.yaml` gives today.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

LEINAO = os.path.abspath(sys.argv.pop(1))
ROOT = os.path.abspath(sys.argv.pop(1))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


class Docs(unittest.TestCase):
    def test_package_list(self):
        script = read("scripts", "install-deps")
        installed = set(re.search(r'packages="([^"]*)"', script).group(1).split())
        readme = read("README.md")
        listed = []
        for label in ("to build and run:", "for the Python package and its PyNN backend:",
                      "to test:"):
            m = re.search(r"^- " + re.escape(label) + r"(.*?)(?=^- |^$)", readme, re.M | re.S)
            self.assertIsNotNone(m, "README has no line '- %s'" % label)
            listed += [p.strip() for p in m.group(1).replace("\n", " ").split(",")]
        self.assertEqual(len(listed), len(set(listed)), listed)
        self.assertEqual(set(listed), installed)

    def test_no_reference_outside_the_repository(self):
        self.assertTrue(os.path.exists(os.path.join(ROOT, "docs", "benchmarks.md")))
        found = []
        for top in ("examples", "tests", "bench", "docs", "scripts", "src", "cli", "include"):
            for base, _, files in os.walk(os.path.join(ROOT, top)):
                for name in files:
                    path = os.path.join(base, name)
                    try:
                        text = open(path, encoding="utf-8").read()
                    except (UnicodeDecodeError, OSError):
                        continue
                    if path == os.path.abspath(__file__):
                        continue
                    if "shared/benchmarks" in text or "/work/shared" in text:
                        found.append(os.path.relpath(path, ROOT))
        for name in ("README.md", "CMakeLists.txt", "BENCHMARKS.md"):
            if "shared/benchmarks" in read(name):
                found.append(name)
        self.assertEqual(found, [])

    def test_each_model_file_has_its_own_name(self):
        names = {}
        for folder in ("examples", os.path.join("tests", "data")):
            for f in sorted(os.listdir(os.path.join(ROOT, folder))):
                if f.endswith(".yaml"):
                    m = re.search(r"^name:\s*(\S+)", read(folder, f), re.M)
                    self.assertIsNotNone(m, f)
                    names.setdefault(m.group(1), []).append(os.path.join(folder, f))
        self.assertEqual({n: fs for n, fs in names.items() if len(fs) > 1}, {})

    def test_nir_guide(self):
        """docs/nir.md is linked from the README, names every preset of src/nir/preset.c and
        every option of `leinao nir --help`."""
        guide = read("docs", "nir.md")
        self.assertIn("(docs/nir.md)", read("README.md"))
        presets = re.findall(r'ROW\("([a-z]+)"', read("src", "nir", "preset.c"))
        self.assertGreaterEqual(len(presets), 7)
        for p in presets:
            self.assertIn("| `%s` |" % p, guide, "docs/nir.md: no row for preset %s" % p)
        r = subprocess.run([LEINAO, "nir", "--help"], capture_output=True, text=True)
        options = set(re.findall(r"^  (--[a-z-]+)", r.stdout + r.stderr, re.M))
        self.assertGreaterEqual(len(options), 10, r.stdout + r.stderr)
        for o in options:
            self.assertIn("`" + o, guide, "docs/nir.md does not mention %s" % o)

    def test_exit_status_list(self):
        codes = re.findall(r"X\((\w+), (\d+), \"([^\"]+)\"\)", read("include", "leinao.h"))
        self.assertGreater(len(codes), 10)
        item = re.search(r"^- Exit status:(.*?)(?=^- |^$)", read("README.md"), re.M | re.S).group(1)
        item = " ".join(item.split())
        for name, num, _ in codes:
            if num != "0":
                self.assertRegex(item, r"[(;] ?%s [a-z]" % num, "status %s (%s)" % (num, name))
        self.assertIn("64 for bad usage", item)

    def test_brunel_figures_agree_with_a_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([LEINAO, "run", os.path.join(ROOT, "examples", "brunel.yaml"),
                                "--out", tmp, "--overwrite"], capture_output=True, text=True,
                               timeout=600)
            self.assertEqual(r.returncode, 0, r.stderr)
        rows = {}
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) == 6 and f[0] in ("E", "I"):
                rows[f[0]] = f[3:]  # spikes, rate, CV as printed
        self.assertEqual(set(rows), {"E", "I"})
        readme = read("README.md")
        for pop, (spikes, rate, cv) in rows.items():
            # the sample output
            self.assertRegex(readme, r"\n  %s +iaf_psc_delta +\d+ +%s +%s +%s\n" % (pop, spikes, rate, cv))
        e_rate, i_rate = ("%.2f" % float(rows[p][1]) for p in ("E", "I"))
        e_cv, i_cv = rows["E"][2], rows["I"][2]
        # the README's text on the bundled example
        self.assertIn("E %s Hz, I %s Hz,\nCV %s and %s" % (e_rate, i_rate, e_cv, i_cv), readme)
        example = read("examples", "brunel.yaml")
        self.assertIn("A run prints E %s Hz, I %s Hz, CV of ISI %s\n# and %s" % (e_rate, i_rate, e_cv, i_cv),
                      example)
        self.assertIn("prints E %.3f Hz, I %.3f Hz, CV %s and %s" %
                      (float(rows["E"][1]), float(rows["I"][1]), e_cv, i_cv),
                      " ".join(read("docs", "benchmarks.md").split()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
