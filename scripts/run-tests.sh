#!/usr/bin/env bash
# run-tests.sh BINARY [doctest args...] — run a doctest binary, then (when
# ORDGRAD_CHECKS is set) every scripts/checks/*.sh, each counted as one case; end
# with the plain summary line "N passed, M failed", exiting non-zero on failure.
# A check is a shell script that exits 0 on success; it gets ORDGRAD_BIN and
# ORDGRAD_BUILD (the build directory) from the environment.
set -uo pipefail
bin=$1; shift
log=$(mktemp)
"$bin" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
passed=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
failed=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
rm -f "$log"
if [ -z "$line" ]; then passed=0; failed=1; fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # crashed before doctest's summary
if [ -n "${ORDGRAD_CHECKS:-}" ]; then
  for check in "$(dirname "$0")"/checks/*.sh; do
    [ -e "$check" ] || continue
    name=$(basename "$check" .sh)
    echo "== check $name"
    start=$SECONDS
    if bash "$check"; then
      passed=$((passed + 1)); echo "== check $name: passed ($((SECONDS - start)) s)"
    else
      failed=$((failed + 1)); rc=1; echo "== check $name: FAILED ($((SECONDS - start)) s)"
    fi
  done
fi
echo "${passed} passed, ${failed} failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
