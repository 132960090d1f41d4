#!/usr/bin/env bash
# onnx — ONNX exports checked by other runtimes (docs/export.md).
# Run by scripts/run-tests.sh with ORDGRAD_BIN. Installs Debian's python3-onnx and
# python3-opencv (run as /usr/bin/python3), then for fashion-cnn (a Fashion-MNIST subset),
# count-cnn (counting images), resnet8 (64x64 RGB counting scenes) and a custom network
# (batch norm, identity and projected residual blocks, leaky ReLU, average pooling,
# dropout, tanh, sigmoid), each trained one epoch (Adam 0.002) with a softmax (ce), CORAL, CORN, CLM
# (logit; probit for the custom one too) and a regression (reg_l2) head:
# and a calibrated count-cnn (CORN, `ordgrad calibrate`): `ordgrad export --format onnx`,
# then scripts/onnx_check.py: the onnx checker
# (full_check) accepts the file and OpenCV's DNN module reproduces every probability
# `ordgrad predict` prints on the test images, to 1e-4. One "onnx check: FAIL ..." line
# per failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$repo" && realpath "${ORDGRAD_BIN:?ORDGRAD_BIN is required}")
bash "$repo/scripts/install-deps.sh" python3 python3-onnx python3-opencv dataset-fashion-mnist || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0 checked=0
fail() { echo "onnx check: FAIL $*"; failures=$((failures + 1)); }
export OMP_NUM_THREADS=2
/usr/bin/python3 "$repo/scripts/fashion_subset.py" fashion 512 256 || { fail "fashion subset"; exit 1; }
"$B" gen-counts --out counts --n 800 --quiet || { fail "gen-counts"; exit 1; }
"$B" gen-counts --out scenes --n 400 --size 64 --channels 3 --quiet || { fail "gen-counts RGB"; exit 1; }
custom="conv(8,3,pad=1), bn, relu, maxpool(2), res(conv(8,3,pad=1), bn, relu, conv(8,3,pad=1), bn), relu, res(conv(16,3,stride=2,pad=1), bn), leakyrelu, avgpool(2), flatten, dropout(0.2), dense(24), tanh, dense(16), sigmoid"
# check NAME CHANNELS LOSS TRAIN-FLAGS...
check() {
  local name=$1 channels=$2 loss=$3; shift 3
  local run=$name-${loss//[:=]/_}
  "$B" train "$@" --loss "$loss" --optimizer adam --lr 0.002 --epochs 1 --batch 32 --quiet --out "$run" >/dev/null 2>"$run.err" ||
    { fail "$run: train: $(head -n 1 "$run.err")"; return; }
  "$B" export --model "$run/model.ogm" --format onnx --out "$run.onnx" --quiet || { fail "$run: export"; return; }
  local data; data=$(sed -n 's/.*--data \([^ ]*\).*/\1/p' <<<"$*")
  "$B" predict --model "$run/model.ogm" --data "$data:test" --top 1000 --csv "$run.csv" >/dev/null ||
    { fail "$run: predict"; return; }
  /usr/bin/python3 "$repo/scripts/onnx_check.py" "$run.onnx" "$run.csv" "$channels" || fail "$run: see above"
  checked=$((checked + 1))
}
for loss in ce coral corn clm reg_l2; do
  check fashion-cnn 1 "$loss" --data fashion --model fashion-cnn --image-size 28
  check count-cnn 1 "$loss" --data counts --model count-cnn
  check resnet8 3 "$loss" --data scenes --model resnet8 --channels 3 --image-size 64
  check custom 1 "$loss" --data counts --model "$custom"
done
check custom 1 clm:link=probit --data counts --model "$custom"
# A calibrated model: the temperature is part of the graph.
if "$B" calibrate --model count-cnn-corn/model.ogm --data counts:val --out calibrated.ogm --quiet &&
  "$B" export --model calibrated.ogm --format onnx --out calibrated.onnx --quiet &&
  "$B" predict --model calibrated.ogm --data counts:test --top 1000 --csv calibrated.csv >/dev/null; then
  /usr/bin/python3 "$repo/scripts/onnx_check.py" calibrated.onnx calibrated.csv 1 || fail "calibrated: see above"
  checked=$((checked + 1))
else
  fail "calibrated: calibrate, export or predict"
fi
echo "onnx check: $checked exports checked, $failures failed"
[ "$failures" -eq 0 ]
