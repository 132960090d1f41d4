#!/usr/bin/env bash
# export — models leave ordgrad and are read by other code (docs/export.md).
# Run by scripts/run-tests.sh with ORDGRAD_BIN. Installs Debian's python3-numpy (run as
# /usr/bin/python3, Debian's, whatever else is first on PATH), then for
# a linear and an MLP model trained on a generated table: `ordgrad export --format
# safetensors`, scripts/safetensors_numpy.py reads the file with json and numpy alone
# and reproduces every probability `ordgrad predict` prints, to 1e-5. Each failure
# prints one "export check: FAIL ..." line.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$repo" && realpath "${ORDGRAD_BIN:?ORDGRAD_BIN is required}")
bash "$repo/scripts/install-deps.sh" python3 python3-numpy || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "export check: FAIL $*"; failures=$((failures + 1)); }
/usr/bin/python3 - "$tmp/table.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(5)
x = rng.normal(size=(600, 6)) * [1, 2, 0.5, 3, 1, 10] + [0, 5, 0, -2, 1, 50]
score = x @ [0.8, -0.3, 1.5, 0.2, -0.6, 0.05] + rng.logistic(size=600)
y = np.digitize(score, np.quantile(score, [0.15, 0.35, 0.6, 0.85])) + 1
with open(sys.argv[1], "w") as f:
    f.write("grade,a,b,c,d,e,f\n")
    for yi, row in zip(y, x):
        f.write(f"{yi}," + ",".join(f"{v:.6g}" for v in row) + "\n")
PY
for model in linear "mlp:16,8"; do
  name=${model//[:,]/_}
  "$B" train --data "$tmp/table.csv" --model "$model" --loss ce --optimizer adam --lr 0.01 --epochs 20 --batch 32 \
    --quiet --out "$tmp/$name" >/dev/null || { fail "$model: train"; continue; }
  "$B" export --model "$tmp/$name/model.ogm" --format safetensors --out "$tmp/$name.safetensors" --quiet ||
    { fail "$model: export"; continue; }
  "$B" predict --model "$tmp/$name/model.ogm" --data "$tmp/table.csv:all" --top 5 --csv "$tmp/$name.pred.csv" \
    >/dev/null || { fail "$model: predict"; continue; }
  /usr/bin/python3 "$repo/scripts/safetensors_numpy.py" "$tmp/$name.safetensors" "$tmp/table.csv" "$tmp/$name.pred.csv" ||
    fail "$model: numpy's probabilities differ from ordgrad predict's"
done
[ "$failures" -eq 0 ]
