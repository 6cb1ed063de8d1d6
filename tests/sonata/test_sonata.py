"""SONATA networks through the `leinao` command: the two real examples of ../shared/sonata
(300_pointneurons from AllenInstitute/sonata, point_120cells from AllenInstitute/bmtk) run from a
temporary copy, and broken copies of them fail with messages that name file and key.

This test reads ../shared/sonata (the folder beside the project, see its PROVENANCE.md) and
copies it into a temporary folder; it never edits the originals. Without that folder every test
here is skipped with a message. No reference outputs are published with these examples (the
PROVENANCE lists none), so the run tests check structure against an h5py reading of the same
files and plausible rates, not reference spikes.

usage: test_sonata.py LEINAO_BINARY SHARED_SONATA_DIR   (run by CTest; Debian's python3-h5py)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

LEINAO = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/leinao"
SHARED = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "../shared/sonata"
HAVE_SHARED = os.path.isdir(os.path.join(SHARED, "300_pointneurons"))
SKIP = "../shared/sonata is absent: the SONATA examples are not in this checkout"


def leinao(*args):
    return subprocess.run([LEINAO, *args], capture_output=True, text=True, timeout=300)


def edges_of(path):
    """Every edge population of an edges file: (source ids, target ids, edge type ids)."""
    with h5py.File(path, "r") as f:
        return {name: (g["source_node_id"][:].astype(np.int64), g["target_node_id"][:].astype(np.int64),
                       g["edge_type_id"][:].astype(np.int64))
                for name, g in f["edges"].items()}


@unittest.skipUnless(HAVE_SHARED, SKIP)
class SonataExamples(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "sonata")
        shutil.copytree(SHARED, self.root)
        for base, dirs, files in os.walk(self.root):
            for name in dirs + files:
                os.chmod(os.path.join(base, name), 0o755 if name in dirs else 0o644)

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def test_300_pointneurons(self):
        example = self.path("300_pointneurons")
        r = leinao("check", os.path.join(example, "config.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        # the files' edges between neurons: internal_to_internal (the external ones come from
        # generators, which the estimate does not count)
        internal = edges_of(os.path.join(example, "network", "internal_internal_edges.h5"))
        n_internal = sum(len(s) for s, _, _ in internal.values())
        self.assertEqual(n_internal, 27588)
        self.assertIn("synapses: %d" % n_internal, r.stdout)
        self.assertIn("300 neurons", r.stdout)
        r = leinao("run", os.path.join(example, "config.json"), "--threads", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("300 neurons, 27588 synapses", r.stdout)
        out = os.path.join(example, "output")  # the config's output_dir
        for name in ("spikes.h5", "membrane_potential.h5", "log.txt", "summary.json"):
            self.assertTrue(os.path.exists(os.path.join(out, name)), name)
        with h5py.File(os.path.join(out, "spikes.h5"), "r") as f:
            self.assertEqual(list(f["spikes"]), ["internal"])
            ids = f["spikes/internal/node_ids"][:].astype(np.int64)
            t = f["spikes/internal/timestamps"][:]
        self.assertTrue(np.all(np.diff(t) >= 0), "spikes_sort_order time")
        self.assertTrue(0 < t.min() and t.max() <= 1500.0)
        self.assertTrue(ids.max() < 300)
        rates = np.bincount(ids, minlength=300) / 1.5
        # the five node types (ids in blocks: 80, 80, 80, 30, 30), driven by 14 Hz inputs
        for lo, hi in ((0, 80), (80, 160), (160, 240), (240, 270), (270, 300)):
            mean = rates[lo:hi].mean()
            self.assertTrue(0.5 < mean < 200.0, "nodes %d-%d: %.2f Hz" % (lo, hi, mean))
        with h5py.File(os.path.join(out, "membrane_potential.h5"), "r") as f:
            report = f["report/internal"]
            self.assertEqual(sorted(report["mapping/node_ids"][:].tolist()), [0, 80, 160, 240, 270])
            v = report["data"][:]
            self.assertEqual(v.shape[1], 5)
            self.assertTrue(np.all(v < 0.0) and np.all(v > -120.0))
        # the same spikes with one thread (determinism), into another folder
        r = leinao("run", os.path.join(example, "config.json"), "--threads", "1", "--out",
                   os.path.join(self.tmp.name, "one"), "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(os.path.join(self.tmp.name, "one", "spikes.h5"), "r") as f:
            self.assertTrue(np.array_equal(f["spikes/internal/node_ids"][:], ids))
            self.assertTrue(np.array_equal(f["spikes/internal/timestamps"][:], t))

    def test_point_120cells(self):
        example = self.path("point_120cells")
        config = os.path.join(example, "config.simulation.json")
        r = leinao("check", config)
        self.assertEqual(r.returncode, 0, r.stderr)
        cortex = edges_of(os.path.join(example, "network", "cortex_cortex_edges.h5"))
        self.assertEqual(sum(len(s) for s, _, _ in cortex.values()), 1469)
        self.assertIn("synapses: 1469", r.stdout)
        # the report every 0.1 ms instead of every dt = 0.001 ms (120 MB): a --set of the config
        r = leinao("run", config, "--set", "reports.membrane_potential.dt=0.1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("120 neurons, 1469 synapses", r.stdout)
        out = os.path.join(example, "output")
        with h5py.File(os.path.join(out, "spikes.h5"), "r") as f:
            ids = f["spikes/cortex/node_ids"][:].astype(np.int64)
            t = f["spikes/cortex/timestamps"][:]
        self.assertTrue(ids.max() < 120 and t.max() <= 3000.0)
        rates = np.bincount(ids, minlength=120) / 3.0
        for lo, hi in ((0, 80), (80, 120)):
            self.assertTrue(0.2 < rates[lo:hi].mean() < 100.0, rates[lo:hi].mean())
        with open(os.path.join(out, "spikes.csv")) as f:
            rows = [line for line in f.read().splitlines()[1:] if line]
        self.assertEqual(len(rows), len(ids))  # spikes_file_csv: the same spikes
        with h5py.File(os.path.join(out, "membrane_potential.h5"), "r") as f:
            self.assertEqual(f["report/cortex/data"].shape, (30000, 5))
        # the current-clamp variants: numbers, lists and a CSV of steps. Their clamps connect
        # with delay dt (as bmtk's), so slices are one step long: 200 ms keep the test short.
        # The amplitudes are the configs' numbers in pA, as bmtk passes them to NEST: 100
        # thalamus generators plus 3 clamps (the CSV: 3 non-zero steps)
        for name in ("config.simulation_iclamp.json", "config.simulation_iclamp.aslist.json",
                     "config.simulation_iclamp.csv.json"):
            r = leinao("run", os.path.join(example, name), "--out",
                       os.path.join(self.tmp.name, name), "--set", "run.tstop=200",
                       "--set", "reports.membrane_potential.dt=1")
            self.assertEqual(r.returncode, 0, name + r.stderr)
            self.assertIn("... and 95 more device populations", r.stdout)
        # the two configs whose inputs are not in the bmtk snapshot fail clearly
        r = leinao("run", os.path.join(example, "config.simulation_iclamp.nwb.json"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("input_type 'nwb'", r.stderr)
        r = leinao("run", os.path.join(example, "config.simulation_perturbations.json"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("thalamus_spikes.csv: cannot open", r.stderr)

    def test_node_sets_on_node_columns(self):
        """Node sets select by columns of the nodes file's groups: a number column (x) and a
        string column (added to the copy), with node-type columns combined."""
        example = self.path("300_pointneurons")
        nodes = os.path.join(example, "network", "internal_nodes.h5")
        with h5py.File(nodes, "a") as f:
            g = f["nodes/internal"]
            x = g["0/x"][:][g["node_group_index"][:]]  # per node id (node_id = row here)
            self.assertTrue(np.array_equal(g["node_id"][:], np.arange(300)))
            layer = np.array(["L4" if i % 3 == 0 else "L23" for i in range(300)], dtype=object)
            g["0"].create_dataset("layer", data=layer[np.argsort(g["node_group_index"][:])],
                                  dtype=h5py.string_dtype())
        with open(os.path.join(example, "node_sets.json")) as f:
            sets = json.load(f)
        sets["by_x"] = {"population": "internal", "x": [float(x[3]), float(x[7])]}
        sets["l4_e"] = {"population": "internal", "layer": "L4", "ei": "e"}
        with open(os.path.join(example, "node_sets.json"), "w") as f:
            json.dump(sets, f)
        for cells, expected in (("by_x", [3, 7]),
                                ("l4_e", [i for i in range(240) if i % 3 == 0])):
            out = os.path.join(self.tmp.name, cells)
            r = leinao("run", os.path.join(example, "config.json"), "--out", out, "--quiet",
                       "--set", "run.tstop=20", "--set", "reports.membrane_potential.cells=" + cells)
            self.assertEqual(r.returncode, 0, r.stderr)
            with h5py.File(os.path.join(out, "membrane_potential.h5"), "r") as f:
                self.assertEqual(sorted(f["report/internal/mapping/node_ids"][:].tolist()), expected)
        sets["bad"] = {"population": "internal", "colour": "red"}
        with open(os.path.join(example, "node_sets.json"), "w") as f:
            json.dump(sets, f)
        r = leinao("run", os.path.join(example, "config.json"), "--out",
                   os.path.join(self.tmp.name, "bad"), "--set", "reports.membrane_potential.cells=bad")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("node set attribute 'colour'", r.stderr)
        self.assertIn("internal_nodes.h5", r.stderr)

    # ---- broken copies: each a clear error naming file and key, non-zero exit, nothing written

    def fails(self, example, config, *expected):
        r = leinao("run", self.path(example, config), "--out", os.path.join(self.tmp.name, "out"))
        self.assertNotEqual(r.returncode, 0, r.stdout)
        for text in expected:
            self.assertIn(text, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "out")), "nothing written")
        return r.stderr

    def test_missing_file(self):
        os.remove(self.path("300_pointneurons", "network", "internal_nodes.h5"))
        self.fails("300_pointneurons", "config.json", "network/internal_nodes.h5")

    def test_missing_dataset(self):
        path = self.path("point_120cells", "network", "cortex_cortex_edges.h5")
        with h5py.File(path, "a") as f:
            del f["edges/cortex_to_cortex/edge_type_id"]
        self.fails("point_120cells", "config.simulation.json", "cortex_cortex_edges.h5",
                   "missing dataset /edges/cortex_to_cortex/edge_type_id")

    def test_unknown_model(self):
        path = self.path("300_pointneurons", "network", "internal_node_types.csv")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("nest:iaf_psc_alpha", "nest:iaf_psc_alfa"))
        self.fails("300_pointneurons", "config.json", "internal_node_types.csv:",
                   "model_template 'nest:iaf_psc_alfa'", "unknown neuron model")

    def test_undefined_manifest_variable(self):
        path = self.path("300_pointneurons", "circuit_config.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("$NETWORK_DIR/internal_nodes", "$NETWORKS_DIR/internal_nodes"))
        self.fails("300_pointneurons", "config.json", "circuit_config.json",
                   "undefined manifest variable $NETWORKS_DIR", "nodes_file")

    def test_edge_past_the_last_node(self):
        path = self.path("point_120cells", "network", "cortex_cortex_edges.h5")
        with h5py.File(path, "a") as f:
            f["edges/cortex_to_cortex/target_node_id"][7] = 120
        self.fails("point_120cells", "config.simulation.json",
                   "/edges/cortex_to_cortex/target_node_id[7] = 120 points past the last node")

    def test_datasets_of_different_lengths(self):
        path = self.path("point_120cells", "network", "cortex_cortex_edges.h5")
        with h5py.File(path, "a") as f:
            g = f["edges/cortex_to_cortex"]
            data = g["edge_type_id"][:-1]
            del g["edge_type_id"]
            g["edge_type_id"] = data
        self.fails("point_120cells", "config.simulation.json", "edge_type_id has 1468 rows",
                   "equal length")

    def test_corrupt_hdf5(self):
        path = self.path("point_120cells", "network", "cortex_nodes.h5")
        with open(path, "r+b") as f:
            f.write(b"not hdf5")
        self.fails("point_120cells", "config.simulation.json", "cortex_nodes.h5",
                   "not an HDF5 file")

    def test_off_grid_delay(self):
        path = self.path("point_120cells", "network", "cortex_cortex_edge_types.csv")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("2.0 1.5", "2.0 1.5005"))
        self.fails("point_120cells", "config.simulation.json", "delay 1.5005 ms must be a multiple "
                   "of dt")


if __name__ == "__main__":
    unittest.main(verbosity=2)
