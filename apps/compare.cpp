// compare.cpp — `ordgrad compare`: the same data, model and seeds, trained with
// several losses; a side-by-side table (mean ± sd over seeds) of the held-out
// metrics, written to OUT/compare.csv and drawn in OUT/compare.svg.
//
// --merge-labels MAP adds the "merge the labels" attempt: ce on coarse classes made
// of label ranges (e.g. 0-4,5-9,10-14,15-29), each coarse class predicting its
// range's median, scored on the fine labels.
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/heads.h"
#include "model/data.h"
#include "apps/plot.h"
#include "core/metrics.h"
#include "core/atomic_file.h"
#include "core/parallel.h"
#include "io/folders.h"
#include "model/fit.h"

namespace og::cli {

namespace {
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

// "0-4,5-9,15-29" -> coarse class of every fine label, and the median fine label of each range.
void parse_merge(const std::string& map, int K, std::vector<int>& coarse_of, std::vector<int>& median_of) {
  coarse_of.assign(K, -1);
  median_of.clear();
  for (const std::string& range : split(map, ',')) {
    int lo = 0, hi = 0;
    char dash = 0, extra = 0;
    OG_CHECK(std::sscanf(range.c_str(), "%d%c%d%c", &lo, &dash, &hi, &extra) == 3 && dash == '-' && 0 <= lo &&
                 lo <= hi && hi < K,
             "compare: --merge-labels range '", range, "' is not LO-HI within 0..", K - 1);
    for (int k = lo; k <= hi; ++k) {
      OG_CHECK(coarse_of[k] < 0, "compare: --merge-labels puts label ", k, " in two ranges");
      coarse_of[k] = static_cast<int>(median_of.size());
    }
    median_of.push_back((lo + hi) / 2);
  }
  for (int k = 0; k < K; ++k) OG_CHECK(coarse_of[k] >= 0, "compare: --merge-labels leaves label ", k, " out");
}

struct Scores {
  std::vector<double> mae, qwk, accuracy, amae;
};

std::string mean_sd(const std::vector<double>& v) {
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= v.size();
  for (double x : v) s += (x - m) * (x - m);
  s = v.size() > 1 ? std::sqrt(s / (v.size() - 1)) : 0.0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f ± %.3f", m, s);
  return buf;
}
}  // namespace

int run_compare(int argc, char** argv) {
  Args a("compare", {
                        {"data", "", "dataset: DIR (images: train.csv/test.csv, or DIR/<label>/<image> folders), FILE.csv (a table), demo (required)"},
                        {"model", "count-cnn", "network shared by every run: an alias or architecture text (as train)"},
                        {"losses", "ce;ce:weights=inverse;ev_l1;ce+rps;coral;corn;clm;reg_l1",
                         "loss specs separated by ';'"},
                        {"seeds", "3", "seeds per loss (0..N-1)"},
                        {"merge-labels", "", "also train ce on merged label ranges, e.g. 0-4,5-9,10-29"},
                        {"optimizer", "adam", "sgd, adam or adamw"},
                        {"lr", "0.001", "learning rate"},
                        {"batch", "64", "batch size"},
                        {"epochs", "5", "epochs per run"},
                        {"image-size", "32", "images: resize to H (square) or HxW (height x width)"},
                        {"channels", "1", "images: 1 (grayscale) or 3 (RGB)"},
                        {"split", "0.8,0.1,0.1", "label folders: train,val,test fractions, stratified by label (test is scored)"},
                        {"split-seed", "0", "seed of the split (tables: train/test; label folders: train/val/test)"},
                        {"label-order", "", "label folders named by class: the names from lowest to highest, e.g. low,mid,high"},
                        {"threads", "2", "OpenMP threads"},
                        {"out", "", "directory for compare.csv and compare.svg (required)"},
                    });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.has("data") && a.has("out"), "compare: --data and --out are required");
  set_num_threads(a.integer("threads"));
  const std::string out = a.str("out");
  make_dirs(out);
  DataOptions dopt;
  dopt.channels = a.integer("channels");
  OG_CHECK(dopt.channels == 1 || dopt.channels == 3, "compare: --channels must be 1 or 3, got ", dopt.channels);
  parse_image_size(a.str("image-size"), "compare", dopt.height, dopt.width);
  dopt.split = a.str("split");
  dopt.split_seed = static_cast<uint64_t>(a.integer("split-seed"));
  if (a.has("label-order")) dopt.label_order = parse_label_order(a.str("label-order"));
  NamedData train = load_named(a.str("data"), "train", dopt);
  dopt.classes = train.classes;
  dopt.label_offset = train.label_offset;
  NamedData test = load_named(a.str("data"), "test", dopt);
  write_data_split(a.str("data"), dopt, out, {}, false);  // label folders: the split scored, as manifests
  const int K = train.classes, seeds = a.integer("seeds");
  OG_CHECK(seeds >= 1, "compare: --seeds must be >= 1");
  std::vector<std::string> names = split(a.str("losses"), ';');
  for (const std::string& n : names) LossSpec::parse(n);  // reject a bad spec before any training
  std::vector<int> coarse_of, median_of;
  if (a.has("merge-labels")) {
    parse_merge(a.str("merge-labels"), K, coarse_of, median_of);
    names.push_back("ce on merged labels " + a.str("merge-labels"));
  }

  TrainOptions opt;
  opt.optimizer = a.str("optimizer");
  opt.lr = static_cast<float>(a.number("lr"));
  opt.batch = a.integer("batch");
  opt.epochs = a.integer("epochs");
  std::vector<Scores> scores(names.size());
  for (size_t l = 0; l < names.size(); ++l) {
    const bool merged = !coarse_of.empty() && l + 1 == names.size();
    for (int seed = 0; seed < seeds; ++seed) {
      std::fprintf(stderr, "compare: %s, seed %d\n", names[l].c_str(), seed);
      Dataset tr = train.data, te = test.data;
      ModelInfo info{a.str("model"), train.input, merged ? "ce" : names[l], merged ? int(median_of.size()) : K,
                     train.norm_mean, train.norm_std, {}, {}, train.label_offset};
      if (train.table) {
        const Standardizer st = Standardizer::fit(tr.x, tr.weights);
        info.feature_mean = st.mean, info.feature_std = st.std;
      }
      if (merged)
        for (int& y : tr.y) y = coarse_of[y];
      tr.x = tr.x.clone(), te.x = te.x.clone();
      Model model = make_model(info, static_cast<uint64_t>(seed));
      prepare_inputs(tr.x, model.info);
      prepare_inputs(te.x, model.info);
      Trainer trainer(model, opt);
      fit(trainer, tr, nullptr, FitOptions{});
      std::vector<int> pred = predict_all(model, te.x).classes;
      if (merged)
        for (int& p : pred) p = median_of[p];
      scores[l].mae.push_back(og::mae(te.y, pred));
      scores[l].qwk.push_back(og::qwk(te.y, pred, K));
      scores[l].accuracy.push_back(og::accuracy(te.y, pred));
      scores[l].amae.push_back(og::amae(te.y, pred, K));
    }
  }

  std::ostringstream csv;
  csv << "loss,seed,mae,qwk,accuracy,amae\n";
  std::printf("\n%-36s %16s %16s %16s %16s\n", "loss", "test MAE", "QWK", "accuracy", "AMAE");
  std::vector<Bar> bars;
  for (size_t l = 0; l < names.size(); ++l) {
    const Scores& s = scores[l];
    for (int i = 0; i < seeds; ++i)
      csv << '"' << names[l] << "\"," << i << ',' << s.mae[i] << ',' << s.qwk[i] << ',' << s.accuracy[i] << ','
          << s.amae[i] << '\n';
    std::printf("%-36s %16s %16s %16s %16s\n", names[l].c_str(), mean_sd(s.mae).c_str(), mean_sd(s.qwk).c_str(),
                mean_sd(s.accuracy).c_str(), mean_sd(s.amae).c_str());
    Bar b{names[l], {}, {}};
    for (const std::vector<double>* v : {&s.mae, &s.amae}) {
      double m = 0, sd = 0;
      for (double x : *v) m += x;
      m /= v->size();
      for (double x : *v) sd += (x - m) * (x - m);
      b.values.push_back(m);
      b.errors.push_back(v->size() > 1 ? std::sqrt(sd / (v->size() - 1)) : 0.0);
    }
    bars.push_back(b);
  }
  std::printf("(mean ± sd over %d seeds; held-out split of %s)\n", seeds, a.str("data").c_str());
  write_text_atomic(out + "/compare.csv", csv.str());
  plot_bars(out + "/compare.svg", "Test MAE and AMAE by loss (" + std::to_string(seeds) + " seeds, mean ± sd)",
            "error (lower is better)", {"MAE", "AMAE"}, bars);
  std::printf("wrote %s/compare.csv and %s/compare.svg\n", out.c_str(), out.c_str());
  return 0;
}

}  // namespace og::cli
