#!/usr/bin/env bash
# bench_mpi.sh ORDGRAD_MPI_BINARY [ROUNDS] [OUT.md] — the data-parallel part of `make bench`
# (docs/distributed.md), with the tool built by make MPI=1:
# 1. the cost of combining shard gradients against their size: `bench --combine` over
#    mpirun -np 2 and on one process (the grid arithmetic alone);
# 2. on this machine's 2 cores, one epoch of the reference CNN (full Fashion-MNIST, batch
#    64) and of count-cnn (8,000 generated counting images, batch 64, the demo's Adam lr
#    0.002, ce+total_nll:group=8) three ways, rounds
#    interleaved: one process with 2 threads as usual (--shards 1), one process with 2
#    threads and --shards 2, and mpirun -np 2 with 1 thread each and --shards 2 (the
#    same model as the line before): training images/s, whole-process seconds, and the
#    medians of the per-round ratios to the first way.
set -euo pipefail
bin=$(realpath "$1")
rounds=${2:-3}
out=${3:-runs/bench/mpi.md}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { mpirun --allow-run-as-root --oversubscribe --bind-to none "$@"; }
{
  echo "## Combining gradients (bench --combine)"
  echo
  echo '```'
  OMP_NUM_THREADS=1 run -np 2 "$bin" bench --combine
  OMP_NUM_THREADS=1 "$bin" bench --combine
  echo '```'
} >"$tmp/combine.md"
cat "$tmp/combine.md"

"$bin" gen-counts --out "$tmp/counts" --n 8000 --seed 0 --quiet
rate() { awk -F, 'NR == 2 { print $NF }' "$1/log.csv"; }
# way NAME LABEL: one epoch, its images/s and whole seconds appended to $tmp/NAME-LABEL
way() {
  local name=$1 label=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$@" --epochs 1 --batch 64 --seed 1 --quiet --out "$tmp/run" >/dev/null
  t1=$(date +%s.%N)
  echo "$(rate "$tmp/run") $(echo "$t1 - $t0" | bc)" >>"$tmp/$name-$label"
  rm -rf "$tmp/run"
}
for job in fashion counts; do
  if [ $job = fashion ]; then args=(--data fashion-mnist --model fashion-cnn); else args=(--data "$tmp/counts" --model count-cnn --loss ce+total_nll:group=8 --optimizer adam --lr 0.002); fi
  for r in $(seq 1 "$rounds"); do
    echo "$job round $r/$rounds" >&2
    OMP_NUM_THREADS=2 way $job one "$bin" train "${args[@]}" --threads 2
    OMP_NUM_THREADS=2 way $job sharded "$bin" train "${args[@]}" --threads 2 --shards 2
    OMP_NUM_THREADS=1 way $job np2 run -np 2 "$bin" train "${args[@]}" --threads 1 --shards 2
  done
done
# median FORMAT: the median of the numbers on stdin, printed with FORMAT
median() { sort -g | awk -v f="$1" '{ v[NR] = $1 } END { printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  cat "$tmp/combine.md"
  echo
  echo "## One epoch on 2 cores: 1 process x 2 threads against 2 processes x 1 thread ($rounds rounds)"
  echo
  echo "| job | way | train img/s (median) | whole s (median) | img/s ratio to 1x2 | whole-time ratio to 1x2 |"
  echo "|---|---|---|---|---|---|"
  for job in fashion counts; do
    for w in one sharded np2; do
      case $w in one) label="1 process, 2 threads";; sharded) label="1 process, 2 threads, --shards 2";; np2) label="mpirun -np 2, 1 thread each, --shards 2";; esac
      ratio=$(paste "$tmp/$job-$w" "$tmp/$job-one" | awk '{ print $1 / $3 }' | median "x%.2f")
      wratio=$(paste "$tmp/$job-$w" "$tmp/$job-one" | awk '{ print $2 / $4 }' | median "x%.2f")
      echo "| $job | $label | $(cut -d' ' -f1 "$tmp/$job-$w" | median "%.0f") | $(cut -d' ' -f2 "$tmp/$job-$w" | median "%.1f") | $ratio | $wratio |"
    done
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
