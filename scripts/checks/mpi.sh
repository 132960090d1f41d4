#!/usr/bin/env bash
# mpi — data-parallel training under a real Open MPI (docs/distributed.md).
# Run by scripts/run-tests.sh with ORDGRAD_BIN (the default, MPI-free tool) and
# ORDGRAD_BUILD set. Installs Open MPI as the deps script does, builds `make MPI=1 bin`,
# then, with mpirun's run-as-root switches and --bind-to none (OpenMP threads free):
#  1. same bytes: model.ogm's sha256 equal for the MPI-free tool and -np 1, 2, 4 in three
#     cases: the reference CNN on a 6,000-image Fashion-MNIST subset, batch 64, one epoch;
#     count-cnn with ce+total_nll:group=8 on counting images; and a network with batch
#     norm and dropout trained with flips (running statistics and randomness by shard);
#  2. refused before training: -np 2 without --shards, ranks with other flags (MPMD), with
#     other data under the same flags (-wdir), and the MPI-free tool under mpirun;
#  3. faults: a rank meeting a corrupt image, and a rank whose parameters are nudged
#     (ORDGRAD_TEST_DESYNC_RANK), each stop every rank with one line naming the rank;
#  4. SIGKILL of rank 1 mid-epoch: every rank gone within 10 s, the checkpoint loads, and
#     a resume from it on one process ends with the bytes of an uninterrupted run;
#  5. eval under mpirun says it runs on one process.
# Each failure prints one "mpi check: FAIL ..." line.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${ORDGRAD_BUILD:?ORDGRAD_BUILD (the build directory) is required}
plain=$(cd "$repo" && realpath "${ORDGRAD_BIN:?ORDGRAD_BIN is required}")
cfg=$(basename "$build")
mode=${cfg%-*} blas=${cfg##*-}
bash "$repo/scripts/install-deps.sh" libopenmpi-dev openmpi-bin dataset-fashion-mnist python3 || exit 1
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$repo" --no-print-directory -j2 MODE="$mode" BLAS="$blas" MPI=1 bin \
  >/dev/null || { echo "mpi check: FAIL make MPI=1"; exit 1; }
B=$repo/build/$cfg-mpi/ordgrad
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0
fail() { echo "mpi check: FAIL $*"; failures=$((failures + 1)); }
run() { mpirun --allow-run-as-root --oversubscribe --bind-to none "$@"; }
export OMP_NUM_THREADS=1
sha() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

python3 "$repo/scripts/fashion_subset.py" fash 6000 1000 || { echo "mpi check: FAIL fashion subset"; exit 1; }
"$plain" gen-counts --out counts --n 1600 --quiet || { echo "mpi check: FAIL gen-counts"; exit 1; }

# 1. the same model.ogm bytes for the MPI-free tool and every process count.
same_bytes() {  # name, train flags...
  local name=$1; shift
  "$plain" train "$@" --threads 2 --quiet --out "$name-plain" || fail "$name: the MPI-free tool failed"
  local want; want=$(sha "$name-plain/model.ogm")
  for np in 1 2 4; do
    run -np $np "$B" train "$@" --threads 1 --quiet --out "$name-np$np" >/dev/null 2>"$name-np$np.err" ||
      fail "$name: -np $np failed: $(head -n 1 "$name-np$np.err")"
    local got; got=$(sha "$name-np$np/model.ogm")
    [ -n "$want" ] && [ "$got" = "$want" ] || fail "$name: -np $np model.ogm ${got:-missing} != ${want:-missing}"
  done
  echo "mpi check: $name: model.ogm ${want:0:16}... for the MPI-free tool and -np 1, 2, 4"
}
same_bytes fashion --data fash --image-size 28 --model fashion-cnn --loss ce --batch 64 --epochs 1 --shards 4
same_bytes counts --data counts --model count-cnn --loss ce+total_nll:group=8 --optimizer adam --lr 0.002 \
  --batch 64 --epochs 1 --shards 4
same_bytes bn-dropout --data counts --model "conv(8,3,pad=1), bn, relu, maxpool(2), conv(8,3,pad=1), bn, relu, flatten, dropout(0.3), dense(32), relu" \
  --loss coral --flip --shift 2 --batch 32 --epochs 2 --shards 8

# 2. refused before training, one line, nothing written.
C=(--data counts --model count-cnn --loss ce --batch 64 --epochs 1 --threads 1 --quiet)
refused() {  # label, expected text, mpirun args...
  local label=$1 want=$2; shift 2
  if run "$@" >out.txt 2>err.txt; then fail "$label: exited 0"; return; fi
  local lines; lines=$(grep -c '^ordgrad' err.txt)
  grep -q "$want" err.txt && [ "$lines" -eq 1 ] || fail "$label: want one line with '$want', got: $(grep '^ordgrad' err.txt)"
  [ ! -e r/model.ogm ] || fail "$label: wrote r/model.ogm"
}
refused "no --shards" "train: 2 processes need --shards S" -np 2 "$B" train "${C[@]}" --out r
refused "other flags" "rank 1 has other flags than rank 0" -np 1 "$B" train "${C[@]}" --shards 2 --out r --seed 1 : \
  -np 1 "$B" train "${C[@]}" --shards 2 --out r --seed 2
mkdir -p a b && ln -s ../counts a/counts && cp -r counts b/counts && sed -i '2d' b/counts/train.csv
refused "other data" "rank 1 has other data than rank 0" -np 1 -wdir "$tmp/a" "$B" train "${C[@]}" --shards 2 --out r : \
  -np 1 -wdir "$tmp/b" "$B" train "${C[@]}" --shards 2 --out r
refused "MPI-free tool" "built without MPI" -np 2 "$plain" train "${C[@]}" --shards 2 --out r

# 3. a rank meets a corrupt image; a rank's parameters drift.
cp -r counts bad && first=$(sed -n 2p bad/train.csv | cut -d, -f1) && head -c 100 counts/"$first" >bad/"$first"
start=$SECONDS
if run -np 2 "$B" train --data bad --stream --model count-cnn --batch 64 --epochs 1 --shards 2 --threads 1 --quiet \
  --out rb >/dev/null 2>err.txt; then fail "corrupt image: exited 0"; fi
grep -Eq "^ordgrad: rank [01]: .*$first" err.txt || fail "corrupt image: no line naming a rank and $first: $(grep '^ordgrad' err.txt)"
[ $((SECONDS - start)) -le 30 ] || fail "corrupt image: took $((SECONDS - start)) s"
if ORDGRAD_TEST_DESYNC_RANK=1 run -x ORDGRAD_TEST_DESYNC_RANK -np 2 "$B" train "${C[@]}" --shards 2 --sync-check 1 \
  --out rd >/dev/null 2>err.txt; then fail "desync: exited 0"; fi
grep -q "^ordgrad: train: rank 1 has other parameters than rank 0: after step 3" err.txt ||
  fail "desync: $(grep '^ordgrad' err.txt)"

# 4. SIGKILL one rank mid-epoch; resume on one process.
K=(--data counts --model count-cnn --loss ce --batch 64 --epochs 5 --shards 2 --threads 1 --quiet)
run -np 2 "$B" train "${K[@]}" --out whole >/dev/null 2>&1 || fail "kill: the uninterrupted run failed"
run -np 2 "$B" train "${K[@]}" --out killed >/dev/null 2>kill.err &
launcher=$!
for _ in $(seq 600); do [ -e killed/checkpoint.ogm ] && break; sleep 0.1; done
sleep 0.3
victim=
for p in $(pgrep -f "ordgrad train"); do
  tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && victim=$p
done
if [ -z "$victim" ] || [ ! -e killed/checkpoint.ogm ]; then
  fail "kill: no rank 1 running after the first checkpoint"
else
  kill -9 "$victim"
  t0=$(date +%s%N)
  while pgrep -f "$B train" >/dev/null; do sleep 0.1; [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 20000 ] && break; done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  wait "$launcher" && fail "kill: mpirun exited 0"
  [ "$ms" -le 10000 ] || fail "kill: ranks still running $ms ms after the SIGKILL"
  grep -q "rank 1 .*exited on signal 9" kill.err || fail "kill: mpirun did not name rank 1 and the signal"
  epoch=$("$B" inspect killed/checkpoint.ogm --json 2>/dev/null | sed -n 's/.*"epoch": *"\([0-9]*\)".*/\1/p')
  "$B" eval --model killed/checkpoint.ogm --data counts:test >/dev/null || fail "kill: checkpoint.ogm does not load"
  run -np 1 "$B" train "${K[@]}" --out killed --resume killed/checkpoint.ogm >/dev/null 2>&1 || fail "kill: resume failed"
  [ "$(sha killed/model.ogm)" = "$(sha whole/model.ogm)" ] || fail "kill: the resumed model differs from the uninterrupted one"
  echo "mpi check: SIGKILL of rank 1: every rank gone after $ms ms; resumed from epoch ${epoch:-?} on 1 process to the same bytes"
fi

# 5. eval says it runs on one process.
run -np 2 "$B" eval --model whole/model.ogm --data counts:test >out.txt 2>err.txt || fail "eval under mpirun failed"
grep -q "runs on one process" err.txt && [ "$(grep -c '^whole/model.ogm on' out.txt)" -eq 1 ] ||
  fail "eval under mpirun: $(head -n 2 err.txt out.txt)"

[ "$failures" -eq 0 ]
