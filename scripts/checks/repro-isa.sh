#!/usr/bin/env bash
# repro-isa.sh — `make MODE=repro` gives the same bits whatever the instruction set.
# Builds the library and the tool for two x86-64 levels this CPU runs (ARCH=x86-64-v2
# and x86-64-v3, or the baseline and v2 on an older CPU), then with each: generates
# counting images, trains a table model and a small conv network (Winograd 3x3 convs,
# batch norm, pools, a residual block) for two epochs, with 1 thread on one level and 2
# on the other. The data and both model.ogm files must be byte-identical.
# Compiling is most of the time; the build directories persist between runs.
set -uo pipefail
cd "$(dirname "$0")/../.."

# ld.so lists the x86-64 levels of this CPU as "x86-64-vN (supported, searched)".
supported=$(/lib64/ld-linux-x86-64.so.2 --help 2>/dev/null | sed -n 's/^ *\(x86-64-v[234]\) (supported.*/\1/p')
if grep -qx x86-64-v3 <<<"$supported"; then
  levels=(x86-64-v2 x86-64-v3)
elif grep -qx x86-64-v2 <<<"$supported"; then
  levels=(x86-64 x86-64-v2)
else
  echo "repro-isa: FAILED: this CPU runs neither x86-64-v2 nor x86-64-v3 (ld.so: '$supported')"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
threads=1
for level in "${levels[@]}"; do
  bin=build/repro-fixed-$level/ordgrad
  # MAKEFLAGS would pass the outer make's variables (BLAS=none, ...) down to this one.
  if ! env -u MAKEFLAGS -u MFLAGS make -s -j2 MODE=repro BLAS=fixed ARCH="$level" bin >"$tmp/make-$level.log" 2>&1; then
    tail -n 20 "$tmp/make-$level.log"
    echo "repro-isa: FAILED: make MODE=repro ARCH=$level did not build"
    exit 1
  fi
  out=$tmp/$level
  mkdir -p "$out"
  if ! { "$bin" gen-counts --out "$out/data" --n 384 --size 16 --seed 3 --threads "$threads" --quiet &&
         "$bin" train --data demo --model "mlp:32,16" --loss "clm:link=probit" --optimizer adam --lr 0.01 \
           --epochs 2 --seed 1 --threads "$threads" --quiet --out "$out/table" &&
         "$bin" train --data "$out/data" --image-size 16 --loss "ce+0.5*rps" --batch 32 --epochs 2 --seed 2 \
           --model "conv(8,3,pad=1), relu, conv(16,3,pad=1), bn, relu, maxpool(2), res(conv(16,3,pad=1), bn), relu, avgpool(2), flatten, dense(16), relu" \
           --flip --threads "$threads" --quiet --out "$out/image"; } >"$out/log" 2>&1; then
    tail -n 20 "$out/log"
    echo "repro-isa: FAILED: a run of $bin failed"
    exit 1
  fi
  threads=2
done

a=$tmp/${levels[0]} b=$tmp/${levels[1]}
for f in data/train.csv data/images table/model.ogm image/model.ogm; do
  if ! diff -rq "$a/$f" "$b/$f" >/dev/null; then
    echo "repro-isa: FAILED: $f differs between MODE=repro ARCH=${levels[0]} (1 thread) and ARCH=${levels[1]} (2 threads)"
    exit 1
  fi
done
echo "repro-isa: data and both models byte-identical for ARCH=${levels[0]} (1 thread) and ARCH=${levels[1]} (2 threads)"
