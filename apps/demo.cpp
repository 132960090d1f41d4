// demo.cpp — `ordgrad demo` (`make demo`): the user's whole problem, end to end.
//
//  1. counting images: n objects per 32x32 image, n in 0..29 from a long-tailed
//     distribution (io/counting.h), split into train / val / test, test in groups of 8;
//  2. the counting CNN trained with an ordinal loss (default ce+0.5*rps: class
//     probabilities rewarded for being close), checkpoints in OUT/run;
//  3. evaluation per image (MAE against predicting the training median, QWK, ...)
//     and per group of 8 (the total's MAE and the coverage of its 80% / 95% intervals);
//  4. predictions for a few groups with intervals;
//  5. pictures: OUT/curves.svg, OUT/confusion.svg, OUT/explain.svg.
// The built-in toy table of the first version is still `--data demo` for train/eval.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>

#include "apps/args.h"
#include "apps/curves.h"
#include "core/atomic_file.h"
#include "apps/commands.h"
#include "model/inference.h"
#include "model/data.h"
#include "apps/plot.h"
#include "core/metrics.h"
#include "core/parallel.h"
#include "io/counting.h"
#include "model/fit.h"
#include "model/group_eval.h"

namespace og::cli {

int run_demo(int argc, char** argv) {
  Args a("demo", {
                     {"out", "runs/demo", "directory for the data, the run and the pictures"},
                     {"n", "6000", "counting images to generate"},
                     {"loss", "ce+0.5*rps", "loss spec (a softmax head, so totals can be predicted)"},
                     {"epochs", "12", "training epochs"},
                     {"seed", "0", "seed of the data and of the training"},
                     {"threads", "2", "OpenMP threads"},
                 });
  if (!a.parse(argc, argv, 2)) return 0;
  set_num_threads(a.integer("threads"));
  const std::string out = a.str("out"), data_dir = out + "/data", run_dir = out + "/run";
  make_dirs(run_dir);
  const int K = 30, G = 8;

  std::printf("== 1. counting images (%s)\n", data_dir.c_str());
  CountingOptions co;
  co.n = a.integer("n");
  co.seed = static_cast<uint64_t>(a.integer("seed"));
  generate_counts(data_dir, co);
  DataOptions dopt;
  dopt.classes = K;
  NamedData train = load_named(data_dir, "train", dopt), val = load_named(data_dir, "val", dopt),
            test = load_named(data_dir, "test", dopt);
  std::vector<int> counts(K, 0);
  for (int y : train.data.y) counts[y]++;
  std::printf("   %ld train, %ld validation, %ld test images (%ld groups of %d); train labels 0-10: %.0f%%, 25-29: %.1f%%\n",
              static_cast<long>(train.data.size()), static_cast<long>(val.data.size()),
              static_cast<long>(test.data.size()), static_cast<long>(test.data.size() / G), G,
              100.0 * std::accumulate(counts.begin(), counts.begin() + 11, 0) / train.data.size(),
              100.0 * std::accumulate(counts.begin() + 25, counts.end(), 0) / train.data.size());

  std::printf("== 2. training count-cnn with loss %s\n", a.str("loss").c_str());
  ModelInfo info{"count-cnn", train.input, a.str("loss"), K, train.norm_mean, train.norm_std, {}, {}, 0};
  Model model = make_model(info, static_cast<uint64_t>(a.integer("seed")));
  for (NamedData* d : {&train, &val, &test}) prepare_inputs(d->data.x, model.info);
  TrainOptions opt;
  opt.optimizer = "adam";
  opt.lr = 2e-3f;
  opt.batch = 64;
  opt.epochs = a.integer("epochs");
  opt.schedule = "cosine";
  Trainer trainer(model, opt);
  FitOptions fo;
  fo.out = run_dir;
  TrainingCurves curves(out + "/curves.svg", "Training curves (" + a.str("loss") + ")", "validation");
  FitCallbacks cb;
  cb.on_epoch = [&](const EpochReport& r) {
    std::printf("   epoch %2ld | train loss %.4f | val loss %.4f | val MAE %.3f | %.1f s, %.0f img/s\n",
                static_cast<long>(r.train.epoch), r.train.loss, r.heldout_loss, r.heldout_mae, r.train.seconds,
                r.train.images_per_second);
    std::fflush(stdout);
    curves.add(r);
  };
  fit(trainer, train.data, &val.data, fo, cb);

  std::printf("== 3. test set, per image and per group of %d\n", G);
  const Predictions p = predict_all(model, test.data.x, Rule::median);
  const Tensor& probs = p.probs;
  const std::vector<int>& pred = p.classes;
  const MetricReport r = evaluate_metrics(test.data.y, pred, &probs, K);
  std::vector<int> sorted = train.data.y;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const int median = sorted[sorted.size() / 2];
  const double baseline = og::mae(test.data.y, std::vector<int>(test.data.y.size(), median));
  std::printf("   MAE %.3f (predicting the training median %d: %.3f) | accuracy %.1f%% | off by <= 1: %.1f%% | QWK %.3f | AMAE %.3f\n",
              r.mae, median, baseline, 100 * r.accuracy, 100 * r.off_by_one, r.qwk, r.amae);
  const GroupScores gs = score_totals(probs, test.data.y, G);
  std::vector<double> med(gs.groups), base(gs.groups, G * median);
  for (int64_t g = 0; g < gs.groups; ++g) med[g] = gs.forecasts[g].p80.median;
  std::printf("   totals of %ld groups: MAE %.2f (8 x training median: %.2f) | 80%% intervals cover %.1f%% | 95%% cover %.1f%%\n",
              static_cast<long>(gs.groups), gs.mae, total_mae(gs.truth, base), 100 * gs.coverage80,
              100 * gs.coverage95);

  std::printf("== 4. a few test groups\n   group  true total  predicted (median)  80%% interval  95%% interval\n");
  for (int64_t g = 0; g < std::min<int64_t>(gs.groups, 5); ++g) {
    const TotalForecast& f = gs.forecasts[g];
    std::printf("   %5ld  %10d  %18d  %5d..%-6d %5d..%-6d\n", static_cast<long>(g), gs.truth[g], f.p80.median,
                f.p80.lo, f.p80.hi, f.p95.lo, f.p95.hi);
  }

  std::printf("== 5. pictures\n");
  plot_heatmap(out + "/confusion.svg", "Test confusion matrix (rows: true count, columns: predicted)", r.confusion,
               "predicted count", "true count");
  const std::vector<Series> explained = loss_curves({"ce", "rps", "ev_l1", "ce+0.5*rps", "cdw_ce", "clm"}, K, 15, 2.0);
  plot_lines(out + "/explain.svg", "Which losses reward being close? True count 15, prediction peaked at j",
             "count j the prediction is peaked at", "loss", explained);
  std::printf("   %s/curves.svg  training curves\n   %s/confusion.svg  test confusion matrix\n"
              "   %s/explain.svg  each loss against a prediction peaked at every count (true count 15)\n",
              out.c_str(), out.c_str(), out.c_str());
  return 0;
}

}  // namespace og::cli
