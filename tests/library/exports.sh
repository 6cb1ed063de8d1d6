#!/bin/sh
# The shared library exports the public API and nothing else: every symbol that
# `nm -D --defined-only` lists is a leinao_* function (or one of the linker's own symbols named
# below), each function that include/leinao.h declares is there, and there are at least
# $min (40, the public functions today) of them: an empty or broken library fails.
# usage: exports.sh NM LIBLEINAO_SO LEINAO_H [MORE_PUBLIC_HEADERS...] (leinao_nir.h)
set -eu
nm=$1
lib=$2
shift 2
header="$*"
min=40
# Symbols the linker itself may define in a shared object; not leinao's.
linker_symbols="_init _fini __bss_start _edata _end __data_start _IO_stdin_used"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nm" -D --defined-only "$lib" > "$tmp/nm" || { echo "exports: $nm failed on $lib"; exit 1; }
awk 'NF >= 2 { sub(/@.*/, "", $NF); print $NF }' "$tmp/nm" | sort -u > "$tmp/all"
printf '%s\n' $linker_symbols | sort -u > "$tmp/ignored"
grep -v '^leinao_' "$tmp/all" | comm -23 - "$tmp/ignored" > "$tmp/leaked" || true
grep '^leinao_' "$tmp/all" > "$tmp/exported" || true
cat "$@" | grep -oE '\bleinao_[a-z0-9_]+\(' | tr -d '(' | sort -u > "$tmp/declared"
comm -23 "$tmp/declared" "$tmp/exported" > "$tmp/missing"
n=$(wc -l < "$tmp/exported")
status=0
if [ -s "$tmp/leaked" ]; then
  echo "exports: $lib exports internal symbols (not declared in $header):"
  sed 's/^/  /' "$tmp/leaked"
  status=1
fi
if [ -s "$tmp/missing" ]; then
  echo "exports: functions declared in $header but not exported by $lib:"
  sed 's/^/  /' "$tmp/missing"
  status=1
fi
if [ "$n" -lt "$min" ]; then
  echo "exports: only $n leinao_ symbols exported, expected at least $min"
  status=1
fi
[ "$status" -eq 0 ] && echo "exports: $n leinao_ symbols exported, $(wc -l < "$tmp/declared") declared, nothing else"
exit "$status"
