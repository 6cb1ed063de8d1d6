#!/bin/sh
# The examples under valgrind's memcheck, shortened: no invalid access, no use of uninitialised
# memory, no definite or indirect leak (font caches of cairo/fontconfig suppressed).
# usage: run_examples.sh LEINAO_BINARY REPO_ROOT
set -eu
bin=$1
root=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
  valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --suppressions="$root/tests/valgrind/font-caches.supp" -q \
    "$bin" run "$@" --out "$out/r" --overwrite --quiet
  echo "valgrind-clean: $1"
}
run "$root/tests/data/small.yaml" --threads 2 --set simulation.duration=50 --plot
run "$root/tests/data/state.yaml" --set simulation.duration=20
run "$root/examples/stdp.yaml" --set simulation.duration=100
run "$root/examples/coba.yaml" --set simulation.duration=5
run "$root/examples/cuba.yaml" --set simulation.duration=20
run "$root/examples/cobahh.yaml" --set simulation.duration=2 --set populations.E.size=400 \
  --set populations.I.size=100
run "$root/examples/brunel.yaml" --set simulation.duration=2 --set populations.E.size=1000 \
  --set populations.I.size=250
