#!/bin/sh
# Installs the build into a temporary prefix and uses it as an outside program would: compiles
# tests/install/consumer.c with `pkg-config --cflags --libs leinao`, runs it against the installed
# library (its spike count must be > 0, its plot must exist) and runs the installed bin/leinao
# from another folder, where only its RPATH can find libleinao.so.
# usage: install_consumer.sh CMAKE BUILD_DIR SOURCE_DIR CC LIBDIR BINDIR [EXTRA_CFLAGS...]
set -eu
cmake=$1
build=$2
src=$3
cc=$4
libdir_rel=$5
bindir_rel=$6
shift 6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "install_consumer: $*"; exit 1; }
# the file that the dynamic loader uses as libleinao.so for program $1 (run from /, with
# LD_LIBRARY_PATH=$2 or none when $2 is empty)
loaded() {
  path=$(cd / && if [ -n "$2" ]; then LD_LIBRARY_PATH=$2 ldd "$1"; else env -u LD_LIBRARY_PATH ldd "$1"; fi |
    awk '/libleinao\.so/ { print $3 }')
  [ -n "$path" ] && readlink -f "$path"
}

"$cmake" --install "$build" --prefix "$prefix" > "$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "cmake --install failed"; }
libdir=$prefix/$libdir_rel
for f in "$bindir_rel/leinao" "$libdir_rel/libleinao.so" "$libdir_rel/libleinao_core.a" \
  "$libdir_rel/libleinao_io.a" "$libdir_rel/pkgconfig/leinao.pc" include/leinao.h \
  share/doc/leinao/README.md share/doc/leinao/docs/model-format.md; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
soname=$(ls "$libdir" | grep -E '^libleinao\.so\.[0-9]+$' || true)
[ -n "$soname" ] || fail "no libleinao.so.MAJOR in $libdir: $(ls "$libdir")"

flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs leinao) ||
  fail "pkg-config cannot read $libdir/pkgconfig/leinao.pc"
echo "pkg-config --cflags --libs leinao: $flags"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "$@" -o "$tmp/consumer" "$src/tests/install/consumer.c" $flags ||
  fail "the consumer does not compile against the installed leinao"
mkdir "$tmp/out"
LD_LIBRARY_PATH=$libdir "$tmp/consumer" "$tmp/out" > "$tmp/consumer.log" 2>&1 ||
  { cat "$tmp/consumer.log"; fail "the consumer failed"; }
cat "$tmp/consumer.log"
spikes=$(sed -n 's/^spikes \([0-9][0-9]*\) .*/\1/p' "$tmp/consumer.log")
[ -n "$spikes" ] || fail "the consumer printed no spike count"
[ "$spikes" -gt 0 ] || fail "the consumer's network did not fire (spikes $spikes)"
[ -s "$tmp/out/raster.png" ] || fail "the consumer's plot was not written"
installed=$(readlink -f "$libdir/$soname")
[ "$(loaded "$tmp/consumer" "$libdir")" = "$installed" ] ||
  fail "the consumer does not load the installed library: $(ldd "$tmp/consumer" | grep leinao)"

# the installed command, from /, with no library path: its RPATH finds the installed library
(cd / && env -u LD_LIBRARY_PATH "$prefix/$bindir_rel/leinao" version) > "$tmp/version.log" 2>&1 ||
  { cat "$tmp/version.log"; fail "the installed bin/leinao does not run"; }
cat "$tmp/version.log"
grep -q "leinao" "$tmp/version.log" || fail "bin/leinao version printed no version"
[ "$(loaded "$prefix/$bindir_rel/leinao" "")" = "$installed" ] ||
  fail "the installed bin/leinao does not load the installed library"
echo "install_consumer: installed tree works ($spikes spikes)"
