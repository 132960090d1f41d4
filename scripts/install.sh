#!/usr/bin/env bash
# install.sh DEST LIB BIN PC HEADER... — copy ordgrad into the prefix DEST (DESTDIR
# already prepended by the Makefile) and record what it wrote, for uninstall.sh.
#   HEADER  a path in the tree (core/tensor.h, or ordgrad.h at the root), installed
#           as DEST/include/ordgrad/HEADER with its `#include "dir/x.h"` lines
#           rewritten to <ordgrad/dir/x.h>, so -I DEST/include alone resolves them
#           (the tree itself keeps the short form).
#   LIB -> DEST/lib/libordgrad.a, BIN -> DEST/bin/ordgrad, PC -> DEST/lib/pkgconfig/ordgrad.pc
#   (PC "-" reads it from stdin: `sudo make install` then leaves no root-owned file
#   in the build directory)
# Manifest DEST/share/ordgrad/install-manifest.txt, paths relative to DEST:
#   "f PATH"  a file this install wrote
#   "d PATH"  a directory this install created (it did not exist before)
# A second install over the first keeps the first's entries, so directories the
# first created are still removed. The manifest is written before any file is
# copied: an install that fails half way can still be uninstalled.
set -euo pipefail
[ $# -ge 5 ] || { echo "usage: install.sh DEST LIB BIN PC HEADER..." >&2; exit 2; }
dest=$1 lib=$2 bin=$3 pc=$4
shift 4
headers=("$@")
manifest_rel=share/ordgrad/install-manifest.txt
manifest=$dest/$manifest_rel

# The library directories, from the headers' own paths: the include lines to rewrite.
dirs=$(printf '%s\n' "${headers[@]}" | grep / | cut -d/ -f1 | sort -u | paste -sd'|')
[ -n "$dirs" ] || { echo "install.sh: no library headers given" >&2; exit 2; }

files=("lib/libordgrad.a" "bin/ordgrad" "lib/pkgconfig/ordgrad.pc")
for h in "${headers[@]}"; do files+=("include/ordgrad/$h"); done

entries=$(mktemp)
trap 'rm -f "$entries"' EXIT
[ -f "$manifest" ] && grep -E '^[fd] ' "$manifest" >>"$entries" || true

# mkdir -p, recording every directory that did not exist yet (parents first).
make_dir() {
  local rel=$1
  [ -d "$dest/$rel" ] && return 0
  [ "$rel" != "${rel%/*}" ] && make_dir "${rel%/*}"
  mkdir "$dest/$rel"
  echo "d $rel" >>"$entries"
}
mkdir -p "$dest"
for f in "${files[@]}" "$manifest_rel"; do make_dir "$(dirname "$f")"; done
for f in "${files[@]}"; do echo "f $f" >>"$entries"; done

{
  echo "# ordgrad install manifest: files written (f) and directories created (d), relative to the prefix"
  sort -u "$entries"
} >"$manifest.tmp"
mv "$manifest.tmp" "$manifest"

install -m 644 "$lib" "$dest/lib/libordgrad.a"
install -m 755 "$bin" "$dest/bin/ordgrad"
if [ "$pc" = - ]; then pc=/dev/stdin; fi
install -m 644 "$pc" "$dest/lib/pkgconfig/ordgrad.pc"
grep -q '^Libs:' "$dest/lib/pkgconfig/ordgrad.pc" || { echo "install.sh: ordgrad.pc is incomplete" >&2; exit 1; }
for h in "${headers[@]}"; do
  out=$dest/include/ordgrad/$h
  sed -E "s@^([[:space:]]*#[[:space:]]*include[[:space:]]*)\"(($dirs)/[^\"]*)\"@\1<ordgrad/\2>@" "$h" >"$out.tmp"
  chmod 644 "$out.tmp"
  mv "$out.tmp" "$out"
  # A short include left behind would only resolve inside the tree.
  if grep -En "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"($dirs)/" "$out" >&2; then
    echo "install.sh: $h: include line not rewritten" >&2
    exit 1
  fi
done
echo "installed ordgrad in $dest (${#headers[@]} headers; manifest $manifest)"
