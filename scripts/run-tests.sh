#!/usr/bin/env bash
# run-tests.sh BINARY [doctest args...] — run a doctest binary and end with the
# plain summary line "N passed, M failed" (test cases), exiting non-zero on failure.
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
echo "${passed} passed, ${failed} failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
