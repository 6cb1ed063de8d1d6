"""`leinao export MODEL --sonata DIR`: a leinao network written as a SONATA circuit.

export_model.yaml (spike_generators, iaf_psc_alpha and iaf_psc_delta with drawn initial V_m,
fixed_indegree and pairwise_bernoulli projections with drawn weights and delays) is run as YAML,
exported, and the exported simulation_config.json run: the spikes of every population must be
byte-identical. The exported files must hold SONATA's required datasets and columns (read with
h5py and csv). A model with a poisson_generator is refused, naming the population, with nothing
written; a non-empty folder is refused without --overwrite.

export_plastic.yaml (stdp_synapse with a non-default tau_minus on its targets, tsodyks_synapse,
three state recordings: chosen neurons, all neurons with two variables, a coarser interval) goes
the same way: spikes and every dataset and attribute of the three reports byte-identical after
the export; the edge types name the synapse models with their parameters as dynamics_params,
the reports are in the simulation config; a CSV state recording is refused.

The same round trip from SONATA: 300_pointneurons (../shared/sonata beside the project, copied
into a temporary folder; skipped when absent) exported and run again gives its spikes byte for
byte.

usage: test_export.py LEINAO_BINARY [SHARED_SONATA_DIR]   (run by CTest; Debian's python3-h5py)
"""
import csv
import shutil
import json
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

LEINAO = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/leinao"
SHARED = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "../shared/sonata"
HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "export_model.yaml")
POISSON_MODEL = os.path.join(HERE, "..", "data", "small.yaml")


def leinao(*args):
    return subprocess.run([LEINAO, *args], capture_output=True, text=True, timeout=120)


def spikes(path):
    with h5py.File(path, "r") as f:
        return {p: (g["timestamps"][:], g["node_ids"][:]) for p, g in f["spikes"].items()}


def table(path):
    with open(path) as f:
        rows = list(csv.reader(f, delimiter=" "))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.yaml_out = os.path.join(cls.tmp.name, "yaml")
        cls.dir = os.path.join(cls.tmp.name, "circuit")
        r = leinao("run", MODEL, "--out", cls.yaml_out, "--quiet")
        assert r.returncode == 0, r.stderr
        cls.export = leinao("export", MODEL, "--sonata", cls.dir)
        assert cls.export.returncode == 0, cls.export.stderr
        cls.sonata_run = leinao("run", os.path.join(cls.dir, "simulation_config.json"), "--quiet")
        assert cls.sonata_run.returncode == 0, cls.sonata_run.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_same_spikes(self):
        a = spikes(os.path.join(self.yaml_out, "spikes.h5"))
        b = spikes(os.path.join(self.dir, "output", "spikes.h5"))
        self.assertEqual(sorted(a), ["A", "D"])
        self.assertEqual(sorted(b), ["A", "D"])
        for pop in a:
            ta, ia = a[pop]
            tb, ib = b[pop]
            self.assertGreater(len(ta), 100, pop)  # an active network, not an empty comparison
            self.assertEqual(ta.dtype, tb.dtype)
            self.assertEqual(ia.dtype, ib.dtype)
            self.assertEqual(ta.tobytes(), tb.tobytes(), pop + ": timestamps")
            self.assertEqual(ia.tobytes(), ib.tobytes(), pop + ": node_ids")
            print("%s: %d spikes byte-identical" % (pop, len(ta)))

    def test_required_datasets(self):
        d = self.dir
        with open(os.path.join(d, "circuit_config.json")) as f:
            circuit = json.load(f)
        with open(os.path.join(d, "simulation_config.json")) as f:
            simulation = json.load(f)
        self.assertEqual(simulation["run"], {"tstop": 300.0, "dt": 0.1, "random_seed": 2024})
        self.assertEqual(simulation["output"]["spikes_file"], "spikes.h5")
        self.assertEqual(sorted(simulation["inputs"]), ["pulse_spikes", "stim_spikes"])

        def path(p):
            for k, v in circuit["manifest"].items():
                p = p.replace(k, v)
            for k, v in circuit["manifest"].items():
                p = p.replace(k, v)
            return os.path.join(d, p)

        sizes = {}
        for entry in circuit["networks"]["nodes"]:
            types = table(path(entry["node_types_file"]))
            for t in types:
                self.assertIn(t["model_type"], ("virtual", "point_process"))
                if t["model_type"] == "point_process":
                    self.assertTrue(t["model_template"].startswith("nest:"))
                    with open(os.path.join(path(circuit["components"]["point_neuron_models_dir"]),
                                           t["dynamics_params"])) as f:
                        self.assertIn("C_m", json.load(f))
            with h5py.File(path(entry["nodes_file"]), "r") as f:
                for name, g in f["nodes"].items():
                    for ds in ("node_type_id", "node_group_id", "node_group_index", "node_id"):
                        self.assertIn(ds, g, name)
                    n = len(g["node_type_id"])
                    self.assertTrue(all(len(g[ds]) == n for ds in ("node_group_id",
                                                                   "node_group_index")))
                    self.assertIn("0", g)
                    self.assertEqual(set(g["node_type_id"][:].tolist()),
                                     {int(t["node_type_id"]) for t in types})
                    sizes[name] = n
        self.assertEqual(sizes, {"stim": 3, "pulse": 1, "A": 60, "D": 40})
        # the drawn initial V_m is per neuron: in the node group's dynamics_params
        with h5py.File(os.path.join(d, "network", "nodes_A.h5"), "r") as f:
            v = f["nodes/A/0/dynamics_params/V_m"][:]
            self.assertEqual(len(v), 60)
            self.assertTrue(np.all((v >= -70) & (v < -55)) and len(set(v.tolist())) == 60)
        total = 0
        for entry in circuit["networks"]["edges"]:
            types = {int(t["edge_type_id"]): t for t in table(path(entry["edge_types_file"]))}
            with h5py.File(path(entry["edges_file"]), "r") as f:
                for name, g in f["edges"].items():
                    for ds in ("source_node_id", "target_node_id", "edge_type_id",
                               "edge_group_id", "edge_group_index", "0/syn_weight", "0/delay"):
                        self.assertIn(ds, g, name)
                    src = g["source_node_id"].attrs["node_population"]
                    tgt = g["target_node_id"].attrs["node_population"]
                    self.assertIn(src, sizes)
                    self.assertIn(tgt, ("A", "D"))
                    self.assertLess(g["source_node_id"][:].max(), sizes[src])
                    self.assertLess(g["target_node_id"][:].max(), sizes[tgt])
                    for t in set(g["edge_type_id"][:].tolist()):
                        self.assertEqual(types[t]["model_template"], "static_synapse")
                    delay = g["0/delay"][:]
                    self.assertTrue(np.allclose(delay / 0.1, np.round(delay / 0.1)))
                    total += len(g["edge_type_id"])
        self.assertIn("(%d edges" % total, self.export.stdout)
        with h5py.File(os.path.join(d, "inputs", "stim_spikes.h5"), "r") as f:
            self.assertEqual(len(f["spikes/stim/timestamps"]), 3 * 8)

    def test_poisson_refused(self):
        out = os.path.join(self.tmp.name, "poisson")
        r = leinao("export", POISSON_MODEL, "--sonata", out)
        self.assertEqual(r.returncode, 11, r.stderr)  # LEINAO_UNSUPPORTED
        self.assertIn("population 'noise' is a poisson_generator", r.stderr)
        self.assertFalse(os.path.exists(out), "nothing written")

    def test_bad_node_override(self):
        bad = os.path.join(self.tmp.name, "bad")
        shutil.copytree(self.dir, bad, ignore=shutil.ignore_patterns("output"))
        with h5py.File(os.path.join(bad, "network", "nodes_D.h5"), "a") as f:
            f["nodes/D/0/dynamics_params/V_mm"] = np.zeros(40)
        r = leinao("run", os.path.join(bad, "simulation_config.json"), "--quiet")
        self.assertEqual(r.returncode, 4, r.stderr)  # LEINAO_MODEL_FILE
        self.assertIn("nodes_D.h5", r.stderr)
        self.assertIn("'V_mm' is not a parameter of iaf_psc_delta", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(bad, "output")), "nothing written")
        # a per-node value a rule refuses names the node
        with h5py.File(os.path.join(bad, "network", "nodes_D.h5"), "a") as f:
            del f["nodes/D/0/dynamics_params/V_mm"]
            c = np.ones(40)
            c[7] = -1.0
            f["nodes/D/0/dynamics_params/C_m"] = c
        r = leinao("run", os.path.join(bad, "simulation_config.json"), "--quiet")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("node 7, dynamics_params 'C_m'", r.stderr)

    def test_not_empty(self):
        r = leinao("export", MODEL, "--sonata", self.dir)
        self.assertEqual(r.returncode, 7, r.stderr)  # LEINAO_EXISTS
        self.assertIn("is not empty", r.stderr)


PLASTIC = os.path.join(HERE, "export_plastic.yaml")
REPORTS = ("vm_E.h5", "state_I.h5", "coarse.h5")


def report(path):
    """Every dataset and attribute of a SONATA frame report, as bytes (for byte comparison)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = (obj.dtype.str, obj.shape, obj[()].tobytes())
            out[name + "@"] = sorted((k, str(v)) for k, v in obj.attrs.items())
        f.visititems(visit)
    return out


class ExportPlastic(unittest.TestCase):
    """stdp_synapse and tsodyks_synapse projections as edge types with their dynamics_params,
    state recordings as the simulation config's reports: the exported circuit runs to the same
    spikes and the same report files, byte for byte."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.yaml_out = os.path.join(cls.tmp.name, "yaml")
        cls.dir = os.path.join(cls.tmp.name, "circuit")
        r = leinao("run", PLASTIC, "--out", cls.yaml_out, "--quiet")
        assert r.returncode == 0, r.stderr
        r = leinao("export", PLASTIC, "--sonata", cls.dir)
        assert r.returncode == 0, r.stderr
        r = leinao("run", os.path.join(cls.dir, "simulation_config.json"), "--quiet")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_same_spikes(self):
        a = spikes(os.path.join(self.yaml_out, "spikes.h5"))
        b = spikes(os.path.join(self.dir, "output", "spikes.h5"))
        self.assertEqual(sorted(a), ["E", "I"])
        self.assertEqual(sorted(b), ["E", "I"])
        for pop in a:
            self.assertGreater(len(a[pop][0]), 50, pop)
            self.assertEqual(a[pop][0].tobytes(), b[pop][0].tobytes(), pop + ": timestamps")
            self.assertEqual(a[pop][1].tobytes(), b[pop][1].tobytes(), pop + ": node_ids")

    def test_same_reports(self):
        for name in REPORTS:
            a = report(os.path.join(self.yaml_out, name))
            b = report(os.path.join(self.dir, "output", name))
            self.assertIn("report/%s/data" % ("I" if name == "state_I.h5" else "E"), a, name)
            self.assertEqual(sorted(a), sorted(b), name)
            for k in a:
                self.assertEqual(a[k], b[k], "%s: %s" % (name, k))
        with h5py.File(os.path.join(self.dir, "output", "vm_E.h5"), "r") as f:
            self.assertEqual(f["report/E/mapping/node_ids"][:].tolist(), [7, 0, 3, 42])
            self.assertEqual(f["report/E/data"].shape, (4000, 4))
        with h5py.File(os.path.join(self.dir, "output", "coarse.h5"), "r") as f:
            self.assertEqual(f["report/E/data"].shape, (160, 6))

    def test_reports_in_config(self):
        with open(os.path.join(self.dir, "simulation_config.json")) as f:
            reports = json.load(f)["reports"]
        self.assertEqual(sorted(reports), ["coarse", "state_I", "vm_E"])
        self.assertEqual(reports["vm_E"], {"module": "multimeter_report",
                                           "cells": {"population": "E", "node_id": [7, 0, 3, 42]},
                                           "variable_name": "V_m", "dt": 0.1,
                                           "file_name": "vm_E.h5"})
        self.assertEqual(reports["state_I"]["cells"], {"population": "I"})  # all neurons
        self.assertEqual(reports["state_I"]["variable_name"], ["V_m", "I_syn_ex"])
        self.assertEqual(reports["coarse"]["dt"], 2.5)

    def test_edge_types(self):
        types = table(os.path.join(self.dir, "network", "edge_types.csv"))
        self.assertEqual([t["model_template"] for t in types],
                         ["static_synapse", "stdp_synapse", "tsodyks_synapse", "static_synapse"])
        syn = os.path.join(self.dir, "components", "synaptic_models")
        with open(os.path.join(syn, types[1]["dynamics_params"])) as f:
            stdp = json.load(f)
        self.assertEqual(stdp, {"tau_plus": 16.8, "lambda": 0.05, "alpha": 1.2, "mu_plus": 0.0,
                                "mu_minus": 0.0, "Wmax": 90.0})
        with open(os.path.join(syn, types[2]["dynamics_params"])) as f:
            tso = json.load(f)
        self.assertEqual({k: tso[k] for k in ("U", "tau_rec", "tau_fac", "tau_psc")},
                         {"U": 0.4, "tau_rec": 300.0, "tau_fac": 50.0, "tau_psc": 2.0})
        with open(os.path.join(self.dir, "components", "cell_models", "E.json")) as f:
            self.assertEqual(json.load(f)["tau_minus"], 15.0)  # stdp's postsynaptic trace
        with open(os.path.join(self.dir, "components", "cell_models", "I.json")) as f:
            self.assertNotIn("tau_minus", json.load(f))  # NEST's default 20 ms: left out
        # the stdp weights are the built (initial) ones, per edge
        with h5py.File(os.path.join(self.dir, "network", "edges_1.h5"), "r") as f:
            w = f["edges/E_to_E_1/0/syn_weight"][:]
        self.assertEqual(len(w), 50 * 8)
        self.assertTrue(np.all((w >= 20.0) & (w < 60.0)) and len(set(w.tolist())) > 300)

    def test_csv_state_refused(self):
        model = os.path.join(self.tmp.name, "csv_state.yaml")
        with open(PLASTIC) as f:
            text = f.read().replace("file: coarse.h5}", "file: coarse.csv}")
        with open(model, "w") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "csv_state")
        r = leinao("export", model, "--sonata", out)
        self.assertEqual(r.returncode, 11, r.stderr)  # LEINAO_UNSUPPORTED
        self.assertIn("state recording coarse.csv of population 'E' is csv", r.stderr)
        self.assertFalse(os.path.exists(out), "nothing written")


@unittest.skipUnless(os.path.isdir(os.path.join(SHARED, "300_pointneurons")),
                     "../shared/sonata is absent: the SONATA examples are not in this checkout")
class SonataRoundTrip(unittest.TestCase):
    def test_300_pointneurons(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("300_pointneurons", "shared_components"):
                shutil.copytree(os.path.join(SHARED, name), os.path.join(tmp, name))
            config = os.path.join(tmp, "300_pointneurons", "config.json")
            r = leinao("run", config, "--out", os.path.join(tmp, "orig"), "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
            out = os.path.join(tmp, "again")
            r = leinao("export", config, "--sonata", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("(48432 edges", r.stdout)  # 27588 internal + 20844 from the inputs
            r = leinao("run", os.path.join(out, "simulation_config.json"), "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
            a = spikes(os.path.join(tmp, "orig", "spikes.h5"))
            b = spikes(os.path.join(out, "output", "spikes.h5"))
            self.assertEqual(list(a), ["internal"])
            self.assertEqual(list(b), ["internal"])
            self.assertGreater(len(a["internal"][0]), 1000)
            self.assertEqual(a["internal"][0].tobytes(), b["internal"][0].tobytes())
            self.assertEqual(a["internal"][1].tobytes(), b["internal"][1].tobytes())
            print("300_pointneurons: %d spikes byte-identical after export" % len(a["internal"][0]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
