#!/bin/sh
# Installs the build into a temporary prefix and uses it as an outside program would: compiles
# tests/install/consumer.c with `pkg-config --cflags --libs leinao`, runs it against the installed
# library (its spike count must be > 0, its plot must exist) and runs the installed bin/leinao
# from another folder, where only its RPATH can find libleinao.so; then scripts/install's choice of
# prefix and what it prints, and the installed `leinao` found on the PATH from another folder
# (--help and a small model).
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

# scripts/install (what scripts/quickstart runs): the prefix it chooses and what it says.
# A writable system prefix (LEINAO_SYSTEM_PREFIX stands in for /usr/local) is the first choice;
# on the PATH, it says that leinao runs from any folder.
system=$tmp/system
mkdir "$system"
PATH="$system/bin:$PATH" LEINAO_SYSTEM_PREFIX=$system CMAKE=$cmake "$src/scripts/install" "$build" \
  > "$tmp/install1.log" 2>&1 || { cat "$tmp/install1.log"; fail "scripts/install failed"; }
cat "$tmp/install1.log"
grep -q "^installed leinao into $system: $system/bin/leinao" "$tmp/install1.log" ||
  fail "scripts/install did not choose the writable system prefix"
grep -q "leinao is on your PATH: run 'leinao --help' from any folder" "$tmp/install1.log" ||
  fail "scripts/install did not say that leinao is on the PATH"
# No writable system prefix (as a user): ~/.local, and the line that puts its bin/ on the PATH.
home=$tmp/home
mkdir "$home"
HOME=$home LEINAO_SYSTEM_PREFIX=$tmp/not-there CMAKE=$cmake "$src/scripts/install" "$build" \
  > "$tmp/install2.log" 2>&1 || { cat "$tmp/install2.log"; fail "scripts/install failed"; }
cat "$tmp/install2.log"
grep -q "^installed leinao into $home/.local: " "$tmp/install2.log" ||
  fail "scripts/install did not fall back to ~/.local"
grep -qF "echo 'export PATH=\"$home/.local/bin:\$PATH\"' >> ~/.profile" "$tmp/install2.log" ||
  fail "scripts/install did not print how to put ~/.local/bin on the PATH"
# With that on the PATH (and nothing of the build tree), from another folder: leinao --help and a
# small model.
mkdir "$tmp/elsewhere"
cp "$src/tests/data/small.yaml" "$tmp/elsewhere/model.yaml"
userpath="$home/.local/bin:/usr/bin:/bin"
found=$(cd "$tmp/elsewhere" && env -u LD_LIBRARY_PATH PATH="$userpath" sh -c 'command -v leinao')
[ "$found" = "$home/.local/bin/leinao" ] || fail "leinao on the PATH is '$found'"
(cd "$tmp/elsewhere" && env -u LD_LIBRARY_PATH PATH="$userpath" leinao --help) > "$tmp/help.log" 2>&1 ||
  { cat "$tmp/help.log"; fail "leinao --help failed from another folder"; }
grep -q "^usage: leinao COMMAND" "$tmp/help.log" || fail "leinao --help printed no usage"
(cd "$tmp/elsewhere" && env -u LD_LIBRARY_PATH PATH="$userpath" \
  leinao run model.yaml --set simulation.duration=50) > "$tmp/run.log" 2>&1 ||
  { cat "$tmp/run.log"; fail "leinao run model.yaml failed from another folder"; }
tail -n 6 "$tmp/run.log"
grep -q '"status": "completed"' "$tmp/elsewhere/results/summary.json" ||
  fail "the run from another folder wrote no completed results/summary.json"
[ -s "$tmp/elsewhere/results/spikes.h5" ] || fail "the run from another folder wrote no spikes"
echo "install_consumer: installed tree works ($spikes spikes); scripts/install puts leinao on the PATH"
