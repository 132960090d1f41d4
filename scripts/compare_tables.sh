#!/usr/bin/env bash
# compare_tables.sh [SEEDS] — the loss comparison on the real ordinal tables
# (docs/comparison-tables.md is this script's output).
#
# For each table, each loss and each seed: train an MLP (mlp:128,64, Adam lr 1e-3,
# batch 128) on the fixed split --test-fraction 0.2 --split-seed 0, then evaluate it
# on the held-out rows with the default prediction rule (argmax for softmax heads,
# #{P(y>k) > 1/2} for coral/corn/clm, rounding for reg_l1); ev_l1 is also scored
# with --rule mean. Seeds change the initialisation and the data order only.
# Needs python3 for the final table. Data: $DATA (default ../shared/data/ordinal-tabular).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-build/fast-openblas/ordgrad}
data=${DATA:-../shared/data/ordinal-tabular}
seeds=${1:-5}
losses=(ce "ce:weights=inverse" ev_l1 "ce+rps" rps cdw_ce coral corn clm reg_l1)
# table:epochs — about 2,000-8,000 steps each
tables=(cement_strength:300 winequality-red:300 abalone_ord:100 fireman_example:30)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
for te in "${tables[@]}"; do
  table=${te%%:*}
  epochs=${te##*:}
  for loss in "${losses[@]}"; do
    for seed in $(seq 0 $((seeds - 1))); do
      echo "$table $loss seed $seed" >&2
      "$bin" train --data "$data/$table.csv" --model mlp:128,64 --loss "$loss" --optimizer adam \
        --lr 0.001 --batch 128 --epochs "$epochs" --seed "$seed" --quiet --out "$work/run"
      json=$("$bin" eval --model "$work/run/model.ogm" --data "$data/$table.csv:test" --json)
      printf '{"table": "%s", "loss": "%s", "seed": %s, "eval": %s}\n' "$table" "$loss" "$seed" "$json" >>"$results"
      if [ "$loss" = ev_l1 ]; then  # the expected value is what ev_l1 trains: also predict its rounding
        json=$("$bin" eval --model "$work/run/model.ogm" --data "$data/$table.csv:test" --rule mean --json)
        printf '{"table": "%s", "loss": "%s", "seed": %s, "eval": %s}\n' "$table" "ev_l1 --rule mean" "$seed" "$json" >>"$results"
      fi
    done
  done
done
python3 - "$results" "$seeds" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seeds = sys.argv[2]
tables = list(dict.fromkeys(r["table"] for r in rows))
losses = list(dict.fromkeys(r["loss"] for r in rows))
def cell(vals):
    m = statistics.mean(vals)
    s = statistics.stdev(vals) if len(vals) > 1 else 0.0
    return m, "%.3f ± %.3f" % (m, s)
for t in tables:
    print(f"\n### {t}\n")
    print("| loss | test MAE | QWK | accuracy | AMAE |")
    print("|---|---|---|---|---|")
    best = {}
    table = {}
    for l in losses:
        ev = [r["eval"] for r in rows if r["table"] == t and r["loss"] == l]
        table[l] = {k: cell([e[k] for e in ev]) for k in ("mae", "qwk", "accuracy", "amae")}
    for k, better in (("mae", min), ("qwk", max), ("accuracy", max), ("amae", min)):
        best[k] = better(table[l][k][0] for l in losses)
    for l in losses:
        fmt = lambda k: ("**%s**" if table[l][k][0] == best[k] else "%s") % table[l][k][1]
        print(f"| `{l}` | {fmt('mae')} | {fmt('qwk')} | {fmt('accuracy')} | {fmt('amae')} |")
print(f"\n(mean ± sd over {seeds} seeds; best mean in bold)")
PY
