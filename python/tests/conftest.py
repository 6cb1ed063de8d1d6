"""Shared fixtures of the Python tests: the command-line binary and the source tree (CTest sets
LEINAO_CLI and LEINAO_SOURCE_DIR; PYTHONPATH points at the build tree's package)."""
import os
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ.get("LEINAO_SOURCE_DIR", pathlib.Path(__file__).parents[2]))


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("LEINAO_CLI", str(SOURCE / "build" / "leinao"))
    if not os.path.exists(path):
        pytest.skip(f"no leinao binary at {path} (set LEINAO_CLI)")
    return path


def run_cli(cli, model, out, *sets, threads=2):
    """Runs `leinao run MODEL --out OUT --set ...` and returns {population: (times, ids)} read
    from OUT/spikes.h5."""
    args = [cli, "run", str(model), "--out", str(out), "--overwrite", "--quiet",
            "--threads", str(threads)]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True)
    return read_sonata(out / "spikes.h5")


def read_sonata(path):
    with h5py.File(path, "r") as f:
        return {name: (np.asarray(g["timestamps"]), np.asarray(g["node_ids"]))
                for name, g in f["spikes"].items()}
