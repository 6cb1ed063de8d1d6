"""Every edge of a SONATA example, read back from the built network through the public C API
(libleinao: leinao_load_sonata, leinao_build, leinao_get_connections, via ctypes) and compared
with an independent reading of the same files (h5py for the HDF5 files, the csv module for the
edge types): per (source node population, target node population), the multiset of (source
node id, target node id, weight, delay) must be equal. The weight is bmtk's nsyns x syn_weight
(nsyns 1 where absent), the delay the edge's own, else its edge type's, else 1 ms.

Virtual nodes are built as one spike_generator population of size 1 per node, named
POPULATION_ID; the test maps them back to (POPULATION, ID).

The examples come from ../shared/sonata (beside the project), copied into a temporary folder;
without it the test is skipped.

usage: test_sonata_edges.py LIBLEINAO_SO SHARED_SONATA_DIR   (run by CTest; Debian's python3-h5py)
"""
import collections
import csv
import ctypes
import json
import os
import shutil
import sys
import tempfile
import unittest

import h5py
import numpy as np

LIB = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/libleinao.so"
SHARED = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "../shared/sonata"
SKIP = "../shared/sonata is absent: the SONATA examples are not in this checkout"


class PopulationStats(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("model", ctypes.c_char_p), ("size", ctypes.c_uint64),
                ("is_device", ctypes.c_int), ("spikes", ctypes.c_uint64), ("rate", ctypes.c_double),
                ("cv_isi", ctypes.c_double)]


class ProjectionStats(ctypes.Structure):
    _fields_ = [("source", ctypes.c_int), ("target", ctypes.c_int),
                ("synapse_model", ctypes.c_char_p), ("synapses", ctypes.c_uint64),
                ("weight_mean_initial", ctypes.c_double), ("weight_mean", ctypes.c_double),
                ("weight_min", ctypes.c_double), ("weight_max", ctypes.c_double)]


def load_lib():
    lib = ctypes.CDLL(LIB)
    vp = ctypes.c_void_p
    lib.leinao_open.argtypes = [ctypes.POINTER(vp)]
    lib.leinao_close.argtypes = [vp]
    lib.leinao_errmsg.argtypes = [vp]
    lib.leinao_errmsg.restype = ctypes.c_char_p
    lib.leinao_load_sonata.argtypes = [vp, ctypes.c_char_p, vp, ctypes.c_size_t, vp]
    lib.leinao_build.argtypes = [vp]
    lib.leinao_set_output_dir.argtypes = [vp, ctypes.c_char_p, ctypes.c_int]
    lib.leinao_population_count.argtypes = [vp]
    lib.leinao_projection_count.argtypes = [vp]
    lib.leinao_get_population_stats.argtypes = [vp, ctypes.c_int, ctypes.POINTER(PopulationStats)]
    lib.leinao_get_projection_stats.argtypes = [vp, ctypes.c_int, ctypes.POINTER(ProjectionStats)]
    lib.leinao_get_connections.argtypes = [vp, ctypes.c_int, ctypes.POINTER(ctypes.c_size_t), vp,
                                           vp, vp, vp]
    return lib


def built_edges(lib, config, out_dir):
    """{(source population, target population): Counter of (source, target, weight, delay)}."""
    sim = ctypes.c_void_p()
    assert lib.leinao_open(ctypes.byref(sim)) == 0
    try:
        if lib.leinao_load_sonata(sim, config.encode(), None, 0, None) != 0:
            raise AssertionError(lib.leinao_errmsg(sim).decode())
        # the build opens the config's output files: into the temporary folder
        if lib.leinao_set_output_dir(sim, out_dir.encode(), 1) != 0:
            raise AssertionError(lib.leinao_errmsg(sim).decode())
        if lib.leinao_build(sim) != 0:
            raise AssertionError(lib.leinao_errmsg(sim).decode())
        names = []
        for p in range(lib.leinao_population_count(sim)):
            s = PopulationStats()
            assert lib.leinao_get_population_stats(sim, p, ctypes.byref(s)) == 0
            names.append(s.name.decode())
        out = collections.defaultdict(collections.Counter)
        for j in range(lib.leinao_projection_count(sim)):
            ps = ProjectionStats()
            assert lib.leinao_get_projection_stats(sim, j, ctypes.byref(ps)) == 0
            n = ctypes.c_size_t(0)
            assert lib.leinao_get_connections(sim, j, ctypes.byref(n), None, None, None, None) == 0
            src = np.zeros(n.value, np.uint32)
            tgt = np.zeros(n.value, np.uint32)
            w = np.zeros(n.value, np.float64)
            d = np.zeros(n.value, np.float64)
            assert lib.leinao_get_connections(sim, j, ctypes.byref(n), src.ctypes.data,
                                              tgt.ctypes.data, w.ctypes.data, d.ctypes.data) == 0
            sname, tname = names[ps.source], names[ps.target]
            if ps.synapses and src.max() == 0 and "_" in sname and sname.rsplit("_", 1)[1].isdigit():
                base, node = sname.rsplit("_", 1)  # a virtual node's spike_generator
                sname, src = base, np.full(n.value, int(node), np.int64)
            out[(sname, tname)].update(zip(src.tolist(), tgt.tolist(), w.tolist(), d.tolist()))
        return out
    finally:
        lib.leinao_close(sim)


def file_edges(circuit_path):
    """The same, from the circuit config's files with h5py and csv."""
    with open(circuit_path) as f:
        circuit = json.load(f)
    base = os.path.dirname(circuit_path)
    manifest = {k: v for k, v in circuit.get("manifest", {}).items()}

    def expand(p):
        for _ in range(4):
            for k, v in manifest.items():
                p = p.replace(k, v)
        return os.path.normpath(os.path.join(base, p))

    out = collections.defaultdict(collections.Counter)
    for entry in circuit["networks"]["edges"]:
        with open(expand(entry["edge_types_file"])) as f:
            header = f.readline()
            f.seek(0)
            rows = list(csv.reader(f, delimiter="\t" if "\t" in header else " "))
        cols = rows[0]
        types = {}
        for r in rows[1:]:
            rec = dict(zip(cols, r))
            types[int(rec["edge_type_id"])] = rec
        with h5py.File(expand(entry["edges_file"]), "r") as h5:
            for name, g in h5["edges"].items():
                s = g["source_node_id"][:].astype(np.int64)
                t = g["target_node_id"][:].astype(np.int64)
                ty = g["edge_type_id"][:].astype(np.int64)
                gid = g["edge_group_id"][:] if "edge_group_id" in g else np.zeros(len(s), int)
                gix = g["edge_group_index"][:] if "edge_group_index" in g else np.arange(len(s))
                spop = g["source_node_id"].attrs["node_population"]
                tpop = g["target_node_id"].attrs["node_population"]
                spop = spop.decode() if isinstance(spop, bytes) else spop
                tpop = tpop.decode() if isinstance(tpop, bytes) else tpop

                def column(col):
                    v = np.full(len(s), np.nan)
                    for k in np.unique(gid):
                        grp = g[str(int(k))] if str(int(k)) in g else {}
                        if col in grp:
                            rows_k = gid == k
                            v[rows_k] = grp[col][:][gix[rows_k]]
                    for i in np.flatnonzero(np.isnan(v)):
                        cell = types[int(ty[i])].get(col, "")
                        v[i] = float(cell) if cell not in ("", "NULL", "None") else np.nan
                    return v

                w, d, ns = column("syn_weight"), column("delay"), column("nsyns")
                ns[np.isnan(ns)] = 1.0
                d[np.isnan(d)] = 1.0
                out[(spop, tpop)].update(zip(s.tolist(), t.tolist(), (ns * w).tolist(),
                                             d.tolist()))
    return out


@unittest.skipUnless(os.path.isdir(os.path.join(SHARED, "300_pointneurons")), SKIP)
class EveryEdge(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        for name in ("300_pointneurons", "shared_components"):
            shutil.copytree(os.path.join(SHARED, name), os.path.join(self.tmp.name, name))
        self.lib = load_lib()

    def tearDown(self):
        self.tmp.cleanup()

    def test_300_pointneurons(self):
        example = os.path.join(self.tmp.name, "300_pointneurons")
        expected = file_edges(os.path.join(example, "circuit_config.json"))
        got = built_edges(self.lib, os.path.join(example, "config.json"),
                          os.path.join(self.tmp.name, "out"))
        self.assertEqual(sorted(expected), [("external", "internal"), ("internal", "internal")])
        self.assertEqual(sorted(got), sorted(expected))
        counts = {k: sum(v.values()) for k, v in expected.items()}
        self.assertEqual(counts, {("external", "internal"): 20844, ("internal", "internal"): 27588})
        for key in expected:
            self.assertEqual(sum(got[key].values()), counts[key], key)
            missing = expected[key] - got[key]
            extra = got[key] - expected[key]
            self.assertFalse(missing or extra, "%s: %d edges of the files not built (e.g. %s), %d "
                             "built edges not in the files (e.g. %s)"
                             % (key, sum(missing.values()), list(missing)[:3],
                                sum(extra.values()), list(extra)[:3]))
        print("every edge equal: %s" % counts)


if __name__ == "__main__":
    unittest.main(verbosity=2)
