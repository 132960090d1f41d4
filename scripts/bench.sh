#!/usr/bin/env bash
# bench.sh ORDGRAD_BINARY [ROUNDS] [OUT.md] — `make bench`.
# 1. Trains the reference CNN (batch 64) with ordgrad at 1 and 2 threads and, when
#    Debian's python3-torch is installed, with PyTorch in its fastest configuration
#    (oneDNN, OpenBLAS 1 thread) and its default one, interleaved round by round so
#    that the shared machine's drifts hit both alike: train and inference images/s,
#    peak memory, and the medians of the per-round ratios.
# 2. The same for resnet8 on 64x64 RGB images (batch 64, SGD momentum 0.9, lr 0.05, ce
#    over 10 classes) against bench/torch_resnet8.py, PyTorch in its fastest layout
#    (NCHW or channels_last, measured each run); 10-step windows, as its steps are slow.
# 3. The ordinal losses' share of a training step of the counting CNN (K = 30).
# 4. The per-node / per-phase profile of both CNNs at 1 thread, and resnet8's per-node
#    times at 2 threads.
# 5. Streaming (skipped with BENCH_STREAM_N=0): one count-cnn epoch at 2 threads on
#    BENCH_STREAM_N (default 200,000) generated 64x64 RGB images in label folders, with
#    its peak RSS from /usr/bin/time -v; and on a 20,000-image set that fits in memory
#    (BENCH_STREAM_SMALL),
#    in memory against --stream, rounds interleaved: images/s and their ratio. The
#    generated images are kept in runs/bench/data and reused. BENCH_ONLY_STREAM=1 runs
#    this part alone.
# Prints everything and writes the tables to OUT.md (default runs/bench/bench.md,
# via a temporary file). Figures and how to read them: docs/performance.md.
set -euo pipefail
bin=$1
rounds=${2:-3}
md=${3:-runs/bench/bench.md}
raw=$(mktemp)
stream_md=$(mktemp)
tm=""
trap 'rm -rf "$raw" "$md.tmp" "$stream_md" ${tm:+"$tm"}' EXIT
only_stream=${BENCH_ONLY_STREAM:-0}
have_torch=0
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then have_torch=1; fi

if [ "$only_stream" = 0 ]; then
for r in $(seq 1 "$rounds"); do
  for t in 1 2; do
    echo "round $r/$rounds, $t thread(s)" >&2
    echo "ordgrad $r $t $("$bin" bench --threads "$t" --json)" >>"$raw"
    if [ $have_torch -eq 1 ]; then
      for cfg in fastest default; do
        [ "$cfg" = default ] && [ "$t" = 1 ] && continue   # 1 thread: the two configurations coincide
        line=$(/usr/bin/python3 bench/torch_cnn.py --threads "$t" --config "$cfg" | grep '^RESULT ' | cut -c8-)
        echo "torch-$cfg $r $t $line" >>"$raw"
      done
    fi
  done
  for t in 1 2; do
    echo "round $r/$rounds, resnet8, $t thread(s)" >&2
    echo "resnet8-ordgrad $r $t $("$bin" bench --model resnet8 --threads "$t" --steps 10 --warmup 3 --json)" >>"$raw"
    if [ $have_torch -eq 1 ]; then
      line=$(/usr/bin/python3 bench/torch_resnet8.py --threads "$t" | grep '^RESULT ' | cut -c8-)
      echo "resnet8-torch $r $t $line" >>"$raw"
    fi
  done
done

echo "ordinal losses' share of a counting-CNN step (1 thread)" >&2
for loss in ce rps ev_l1 cum_bce cdw_ce sord gauss_ld mean_var coral corn clm \
            total_nll:group=8 total_crps:group=8 total_ev_l1:group=8 "ce+0.5*rps" \
            "rps+total_nll:group=8" "ce+rps+ev_l1+total_crps:group=8"; do
  echo "loss $("$bin" bench --profile --json --threads 1 --steps 30 --model count-cnn --classes 30 --loss "$loss")" >>"$raw"
done
fi

# gen DIR N LAYOUT: the RGB counting images, generated once (into DIR.tmp, then renamed).
gen() {
  [ -d "$1" ] && return
  echo "generating $2 images into $1" >&2
  rm -rf "$1.tmp"
  "$bin" gen-counts --n "$2" --size 64 --channels 3 --layout "$3" --seed 0 --threads 2 --quiet --out "$1.tmp"
  mv "$1.tmp" "$1"
}
# epoch LOG.csv: the images/s of its first epoch
epoch_rate() { awk -F, 'NR == 2 { print $NF }' "$1"; }
rss_mb() { awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1"; }
stream_n=${BENCH_STREAM_N:-200000}
if [ "$stream_n" -gt 0 ] && [ -x /usr/bin/time ]; then
  data=runs/bench/data
  mkdir -p $data
  train="$bin train --model count-cnn --channels 3 --image-size 64 --epochs 1 --batch 64 --seed 1 --threads 2 --quiet"
  small_n=${BENCH_STREAM_SMALL:-20000}
  small=$data/counts-rgb64-$small_n
  gen "$small" "$small_n" manifests
  tm=$(mktemp -d)
  for r in $(seq 1 "$rounds"); do
    # Alternate which goes first, so that a drift of the shared machine hits both alike.
    echo "round $r/$rounds, $small_n images: in memory and streamed" >&2
    if [ $((r % 2)) = 0 ]; then $train --data "$small" --stream --workers 2 --out "$tm/stream"; fi
    $train --data "$small" --stream-above-mb 0 --out "$tm/mem"
    if [ $((r % 2)) = 1 ]; then $train --data "$small" --stream --workers 2 --out "$tm/stream"; fi
    echo "$r $(epoch_rate "$tm/mem/log.csv") $(epoch_rate "$tm/stream/log.csv")" >>"$tm/rates"
    cmp -s "$tm/mem/model.ogm" "$tm/stream/model.ogm" || { echo "bench: streamed and in-memory models differ" >&2; exit 1; }
    rm -rf "$tm/mem" "$tm/stream"
  done
  big=$data/counts-rgb64-$stream_n
  gen "$big" "$stream_n" folders
  echo "one epoch on $stream_n images in label folders (streams by itself above 4096 MB decoded)" >&2
  /usr/bin/time -v $train --data "$big" --out "$tm/big" 2>"$tm/time.txt"
  {
    echo "## Streaming: count-cnn, 64x64 RGB, batch 64, one epoch, 2 threads"
    echo
    echo "\`$train --data DIR\`, DIR generated by \`gen-counts --size 64 --channels 3 --seed 0\`."
    echo
    echo "| data | path | train img/s | peak RSS MB |"
    echo "|---|---|---|---|"
    echo "| $stream_n images, label folders (split 0.8,0.1,0.1) | default flags (streams above 4096 MB decoded) | $(epoch_rate "$tm/big/log.csv") | $(rss_mb "$tm/time.txt") |"
    awk -v n="$rounds" -v small="$small_n" '{ m[NR] = $2; s[NR] = $3; q[NR] = $3 / $2 }
      function med(a,  k, i, j, t, b) { k = 0; for (i in a) b[++k] = a[i]
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
        return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2 }
      END { printf "| %d images, manifests (70%% train) | in memory | %.1f | |\n", small, med(m)
            printf "| %d images, manifests (70%% train) | --stream --workers 2 | %.1f | |\n\n", small, med(s)
            printf "Streamed / in memory, median of %d per-round ratios of train images/s: x%.3f (same model.ogm bytes each round).\n", n, med(q) }' "$tm/rates"
  } >"$stream_md"
  rm -rf "$tm"
fi

mkdir -p "$(dirname "$md")"
if [ "$only_stream" = 1 ]; then
  { echo "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), streaming only"; echo; cat "$stream_md"; } >"$md.tmp"
else
{
  echo "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $rounds round(s)"
  echo
  if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$raw" <<'PY'
import json, statistics, sys
runs, losses = {}, []
for line in open(sys.argv[1]):
    if line.startswith("loss "):
        losses.append(json.loads(line[5:]))
        continue
    who, rnd, thr, js = line.split(" ", 3)
    runs[(who, int(rnd), int(thr))] = json.loads(js)
med = lambda xs: statistics.median(xs) if xs else float("nan")


def side_by_side(title, ours, refs):
    print("## %s: ordgrad and PyTorch side by side\n" % title)
    print("| system | threads | train img/s | inference img/s | peak memory MB |")
    print("|---|---|---|---|---|")
    for who in (ours,) + refs:
        for t in (1, 2):
            rs = [v for (w, r, th), v in runs.items() if w == who and th == t]
            if rs:
                print("| %s | %d | %.0f | %.0f | %.0f |" % (who, t, med([x["train_img_s"] for x in rs]),
                      med([x["infer_img_s"] for x in rs]), max(x["peak_rss_mb"] for x in rs)))
    print("\nMedians over the rounds; ratios are medians of the per-round ratios:\n")
    print("| %s / ... | threads | train | inference | peak memory |" % ours)
    print("|---|---|---|---|---|")
    for ref in refs:
        for t in (1, 2):
            tr, inf, mem = [], [], []
            for (w, r, th), v in runs.items():
                if w == ours and th == t and (ref, r, t) in runs:
                    o = runs[(ref, r, t)]
                    tr.append(v["train_img_s"] / o["train_img_s"])
                    inf.append(v["infer_img_s"] / o["infer_img_s"])
                    mem.append(v["peak_rss_mb"] / o["peak_rss_mb"])
            if tr:
                print("| %s | %d | x%.2f | x%.2f | x%.2f |" % (ref, t, med(tr), med(inf), med(mem)))
    print()


side_by_side("The reference CNN, batch 64", "ordgrad", ("torch-fastest", "torch-default"))
side_by_side("resnet8, 3x64x64 inputs, batch 64", "resnet8-ordgrad", ("resnet8-torch",))
layouts = [(r, t, v["train_layout"], v["infer_layout"]) for (w, r, t), v in sorted(runs.items()) if w == "resnet8-torch"]
if layouts:
    print("PyTorch's faster layout for resnet8 (round, threads: train, inference): " +
          "; ".join("%d, %d: %s, %s" % x for x in layouts) + "\n")
if not any(w.startswith("torch") or w.endswith("-torch") for (w, _, _) in runs):
    print("(PyTorch not measured: apt-get install python3-torch to include it.)")
print("## Ordinal losses' share of a training step: count-cnn, K = 30, batch 64, 1 thread\n")
print("| loss | loss fwd+bwd ms | step ms | share |")
print("|---|---|---|---|")
for x in losses:
    print("| `%s` | %.3f | %.2f | %.2f%% |" % (x["loss"], x["loss_ms"], x["step_ms"], 100 * x["loss_share"]))
PY
  else
    echo '```'; cat "$raw"; echo '```'
  fi
  for model in fashion-cnn count-cnn; do
    classes=10; [ $model = count-cnn ] && classes=30
    echo
    echo "## Profile: $model, 1 thread (\`ordgrad bench --profile --model $model --classes $classes\`)"
    echo
    echo '```'
    "$bin" bench --profile --threads 1 --steps 50 --model $model --classes $classes
    echo '```'
  done
  echo
  echo "## Per-node times: resnet8, 2 threads (\`ordgrad bench --model resnet8 --threads 2 --layers --steps 10\`)"
  echo
  echo '```'
  "$bin" bench --model resnet8 --threads 2 --layers --steps 10
  echo '```'
  if [ -s "$stream_md" ]; then echo; cat "$stream_md"; fi
} >"$md.tmp"
fi
mv "$md.tmp" "$md"
cat "$md"
echo
echo "written to $md"
