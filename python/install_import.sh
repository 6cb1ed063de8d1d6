#!/bin/sh
# Installs the build into a temporary prefix and imports the installed leinao package from
# another folder, with PYTHONPATH set to the installed site folder only (no LD_LIBRARY_PATH: the
# extension's RPATH must find the installed libleinao.so), and runs a small network with it.
# usage: install_import.sh CMAKE BUILD_DIR PYTHON SITE_DIR_RELATIVE_TO_PREFIX
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" --install "$2" --prefix "$tmp/prefix" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
cd /
env -u LD_LIBRARY_PATH PYTHONPATH="$tmp/prefix/$4" "$3" -c '
import leinao
assert leinao.__file__.startswith("'"$tmp"'"), leinao.__file__
sim = leinao.Simulator(threads=1)
p = sim.population("iaf_psc_alpha", 5, {"I_e": 500.0})
sim.record_spikes(p)
sim.run(100.0)
t, ids = p.spikes()
assert len(t) > 0
print("installed leinao", leinao.__version__, "from", leinao.__file__, ":", len(t), "spikes")
'
