#!/usr/bin/env bash
# uninstall.sh DEST — remove what install.sh recorded in DEST/share/ordgrad/
# install-manifest.txt: every listed file, the manifest, then every listed directory
# that is now empty, deepest first. Nothing else is touched: no rm -r, and a
# directory that already existed before the install (or holds anything else now)
# stays.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: uninstall.sh DEST" >&2; exit 2; }
dest=$1
manifest=$dest/share/ordgrad/install-manifest.txt
[ -f "$manifest" ] || { echo "uninstall.sh: no ordgrad manifest at $manifest; nothing removed" >&2; exit 1; }

# Only plain relative paths inside the prefix: a damaged manifest must not reach out.
bad=$(grep -E '^[fd] ' "$manifest" | cut -c3- | grep -E '^/|(^|/)\.\.(/|$)|^$' || true)
[ -z "$bad" ] || { echo "uninstall.sh: refusing a manifest with paths outside the prefix: $bad" >&2; exit 1; }

removed=0
while IFS= read -r rel; do
  if [ -e "$dest/$rel" ] || [ -L "$dest/$rel" ]; then rm -f -- "$dest/$rel"; removed=$((removed + 1)); fi
done < <(grep '^f ' "$manifest" | cut -c3-)
dirs=$(grep '^d ' "$manifest" | cut -c3- || true)
rm -f -- "$manifest"

# Deepest first, so a parent is empty once its children are gone.
while IFS= read -r rel; do
  [ -n "$rel" ] && [ -d "$dest/$rel" ] || continue
  rmdir -- "$dest/$rel" 2>/dev/null || echo "uninstall.sh: kept $dest/$rel (not empty)" >&2
done < <(awk -F/ '{ print NF "\t" $0 }' <<<"$dirs" | sort -rn | cut -f2-)
echo "uninstalled ordgrad from $dest ($removed files)"
