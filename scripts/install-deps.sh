#!/usr/bin/env bash
# install-deps.sh [extra packages...] — install the Debian packages ordgrad needs.
# Installs only what is missing. As root it runs apt-get; otherwise it prints the
# exact command to run and fails, so a build never starts half-equipped.
set -euo pipefail
need=(make g++ libopenblas-dev libstb-dev doctest-dev zlib1g-dev "$@")
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: missing Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
