#!/usr/bin/env bash
# run.sh FUZZ_DIR SECONDS TARGET... — for each libFuzzer target, one at a time:
#   1. replay fuzz/corpus/<t> and fuzz/regressions/<t> once (-runs=0): every seed and
#      every earlier finding must pass;
#   2. fuzz for SECONDS (-max_total_time) from those seeds plus FUZZ_DIR/corpus/<t>
#      (new inputs land there, not in the checked-in corpus), with fuzz/dict/<t>.dict.
# Limits: -rss_limit_mb=2048 (also caps single allocations), -timeout=10 s per input.
# FUZZ_SEED (default 0: libFuzzer picks one) fixes the mutation sequence, so a run
# explores the same inputs in the same order each time it is given the same seconds.
# Prints one line per target: executions, coverage (cov/ft), and OK or FINDING with
# the log and crashing input under FUZZ_DIR/artifacts/<t>/. Exit status 1 on any finding.
set -uo pipefail
dir=$1 seconds=$2
shift 2
export OMP_NUM_THREADS=1   # one core per run; the machine is shared
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
limits=(-rss_limit_mb=2048 -timeout=10)
seed=${FUZZ_SEED:-0}
failed=0
for t in "$@"; do
  bin=$dir/fuzz_$t
  art=$dir/artifacts/$t
  mkdir -p "$art" "$dir/corpus/$t"
  seeds=(fuzz/corpus/$t)
  [ -d fuzz/regressions/$t ] && seeds+=(fuzz/regressions/$t)
  dict=()
  [ -f fuzz/dict/$t.dict ] && dict=(-dict=fuzz/dict/$t.dict)
  log=$art/replay.log
  if ! "$bin" "${limits[@]}" -runs=0 -artifact_prefix="$art/" "${seeds[@]}" >"$log" 2>&1; then
    echo "fuzz_$t: FINDING while replaying the corpus and regressions (see $log)"
    failed=1
    continue
  fi
  log=$art/fuzz.log
  "$bin" "${limits[@]}" -seed="$seed" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$art/" \
    "${dict[@]}" "$dir/corpus/$t" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
  if [ $rc -eq 0 ]; then
    echo "fuzz_$t: ${runs:-?} executions in ${seconds} s, ${cov:-no coverage line}, OK"
  else
    echo "fuzz_$t: FINDING after ${runs:-?} executions (exit $rc; see $log and $art/)"
    grep -m 3 -E 'ERROR: |runtime error|==ERROR|deadly signal|Test unit written' "$log" | sed 's/^/  /'
    failed=1
  fi
done
exit $failed
