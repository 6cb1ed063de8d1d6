#!/bin/sh
# The core library (base, models, net, engine) needs only libc, libm and threads: nothing it
# leaves undefined comes from libyaml (yaml_*), HDF5 (H5*) or cairo (cairo_*), nor from the io
# layer above it. To show the check can see such symbols at all, the io library must list some.
# usage: core_deps.sh NM LIBLEINAO_CORE_A LIBLEINAO_IO_A
set -eu
nm=$1
core=$2
io=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
undefined() { "$nm" -u "$1" | awk 'NF >= 1 && $NF != "" && $1 == "U" { print $NF }' | sort -u; }
defined() { "$nm" --defined-only "$1" | awk 'NF >= 3 && $2 ~ /^[A-Z]$/ { print $3 }' | sort -u; }
undefined "$core" > "$tmp/core_u"
defined "$core" > "$tmp/core_d"
defined "$io" > "$tmp/io_d"
undefined "$io" > "$tmp/io_u"
status=0
pattern='^(yaml_|H5|cairo_)'
if grep -E "$pattern" "$tmp/core_u" > "$tmp/bad"; then
  echo "core_deps: $core needs symbols of libyaml, HDF5 or cairo:"
  sed 's/^/  /' "$tmp/bad"
  status=1
fi
comm -23 "$tmp/core_u" "$tmp/core_d" | comm -12 - "$tmp/io_d" > "$tmp/upward"
if [ -s "$tmp/upward" ]; then
  echo "core_deps: $core uses functions of the io layer:"
  sed 's/^/  /' "$tmp/upward"
  status=1
fi
for prefix in yaml_ H5 cairo_; do
  if ! grep -q "^$prefix" "$tmp/io_u"; then
    echo "core_deps: $io lists no undefined $prefix* symbol: the check cannot see dependencies"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "core_deps: $(wc -l < "$tmp/core_u") undefined symbols in the core library, none from libyaml, HDF5, cairo or io"
exit "$status"
