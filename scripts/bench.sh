#!/usr/bin/env bash
# bench.sh ORDGRAD_BINARY [ROUNDS] — `make bench`.
# Trains the reference CNN (batch 64) with ordgrad at 1 and 2 threads and, when
# Debian's python3-torch is installed, with PyTorch in its fastest configuration
# (oneDNN, OpenBLAS 1 thread) and its default one, interleaved round by round so
# that the shared machine's drifts hit both alike. Prints each measurement and the
# medians of the per-round ratios. Figures: docs/benchmarks.md.
set -euo pipefail
bin=$1
rounds=${2:-3}
out=$(mktemp)
have_torch=0
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then have_torch=1; fi

echo "== per-layer times, 1 thread (ordgrad bench --threads 1 --layers)"
"$bin" bench --threads 1 --layers
for r in $(seq 1 "$rounds"); do
  for t in 1 2; do
    echo "round $r threads $t" >&2
    line=$("$bin" bench --threads "$t" --json)
    echo "ordgrad $r $t $line" >>"$out"
    if [ $have_torch -eq 1 ]; then
      for cfg in fastest default; do
        [ "$cfg" = default ] && [ "$t" = 1 ] && continue   # 1 thread: the two configurations coincide
        line=$(/usr/bin/python3 bench/torch_cnn.py --threads "$t" --config "$cfg" | grep '^RESULT ' | cut -c8-)
        echo "torch-$cfg $r $t $line" >>"$out"
      done
    fi
  done
done
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, rnd, thr, js = line.split(" ", 3)
    rows[(who, int(rnd), int(thr))] = json.loads(js)
def med(xs): return statistics.median(xs) if xs else float("nan")
print("\n%-16s %7s %12s %12s %10s" % ("system", "threads", "train img/s", "infer img/s", "peak MB"))
for who in ("ordgrad", "torch-fastest", "torch-default"):
    for t in (1, 2):
        rs = [v for (w, r, th), v in rows.items() if w == who and th == t]
        if rs:
            print("%-16s %7d %12.0f %12.0f %10.0f" % (who, t, med([x["train_img_s"] for x in rs]),
                  med([x["infer_img_s"] for x in rs]), max(x["peak_rss_mb"] for x in rs)))
print()
for ref in ("torch-fastest", "torch-default"):
    for t in (1, 2):
        tr, inf, mem = [], [], []
        for (w, r, th), v in rows.items():
            if w == "ordgrad" and th == t and (ref, r, t) in rows:
                o = rows[(ref, r, t)]
                tr.append(v["train_img_s"] / o["train_img_s"])
                inf.append(v["infer_img_s"] / o["infer_img_s"])
                mem.append(v["peak_rss_mb"] / o["peak_rss_mb"])
        if tr:
            print("ordgrad / %-14s %d thread(s): train x%.2f  inference x%.2f  peak memory x%.2f  (median of %d rounds)"
                  % (ref, t, med(tr), med(inf), med(mem), len(tr)))
PY
else
  cat "$out"
fi
[ $have_torch -eq 1 ] || echo "(PyTorch comparison skipped: apt-get install python3-torch to include it)"
rm -f "$out"
