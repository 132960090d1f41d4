// predict.cpp — `ordgrad predict`: per example, the class distribution's top
// classes and the point estimate; per group (of G, or by a manifest's group column), the total's median, mean and
// central 80% / 95% intervals (losses/group_total.h). --csv FILE writes the
// per-example rows to a file (through a temporary file and a rename). Classes print
// by their names when the model has them (--label-order at training).
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <string>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/heads.h"
#include "model/data.h"
#include "model/inference.h"
#include "core/atomic_file.h"
#include "core/parallel.h"
#include "model/group_eval.h"

namespace og::cli {

int run_predict(int argc, char** argv) {
  Args a("predict", with_scoring_data_flags({
                        {"model", "", "model file (DIR/model.ogm), required"},
                        {"data", "", "dataset[:split], e.g. DIR:test (manifests, or label folders split as the model records) or FILE.csv:test (required)"},
                        {"rule", "default", "point estimate: default, argmax, median or mean"},
                        {"top", "3", "how many of the most likely classes to list"},
                        {"group", "0", "also predict totals of groups: G consecutive examples, or 'column' (the manifest's group column)"},
                        {"limit", "10", "print at most this many examples and groups (0 = all)"},
                        {"csv", "", "write every example's prediction to this CSV file"},
                        {"threads", "2", "OpenMP threads"},
                    }));
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "predict: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(a.has("model") && a.has("data"), "predict: --model FILE and --data DATA are required");
  set_num_threads(a.integer("threads"));
  const Rule rule = parse_rule(a.str("rule"));
  const int top = a.integer("top"), limit = a.integer("limit");
  OG_CHECK(top >= 1 && limit >= 0, "predict: --top must be >= 1 and --limit >= 0");
  const bool totals = totals_wanted(a, "predict");
  Model model = load_model(a.str("model"));
  if (totals) require_total_head(model.info, "predict --group");
  const int K = model.info.classes, off = model.info.label_offset;
  const NamedData d = load_scoring_data(a, model.info, "predict");
  const Predictions pr = predict_all(model, d.data, rule);
  const Tensor& probs = pr.probs;
  const std::vector<int>& pred = pr.classes;
  const int64_t N = d.data.size();

  std::ostringstream csv;
  csv << "example,path,label,predicted";
  for (int j = 0; j < std::min(top, K); ++j) csv << ",top" << j + 1 << ",p" << j + 1;
  csv << '\n';
  std::printf("%-8s %-24s %6s %9s   top classes (probability)\n", "example", "file", "label", "predicted");
  for (int64_t i = 0; i < N; ++i) {
    std::vector<int> order(K);
    std::iota(order.begin(), order.end(), 0);
    const float* p = probs.data() + i * K;
    std::stable_sort(order.begin(), order.end(), [&](int u, int v) { return p[u] > p[v]; });
    const std::string path = i < int64_t(d.paths.size()) ? d.paths[i] : "";
    const std::string truth = class_label(model.info, d.data.y[i]), guess = class_label(model.info, pred[i]);
    csv << i << ',' << path << ',' << truth << ',' << guess;
    std::ostringstream tops;
    for (int j = 0; j < std::min(top, K); ++j) {
      csv << ',' << class_label(model.info, order[j]) << ',' << p[order[j]];
      tops << class_label(model.info, order[j]) << " (" << static_cast<int>(100 * p[order[j]] + 0.5) << "%)  ";
    }
    csv << '\n';
    if (limit == 0 || i < limit)
      std::printf("%-8ld %-24s %6s %9s   %s\n", static_cast<long>(i), path.substr(0, 24).c_str(),
                  truth.c_str(), guess.c_str(), tops.str().c_str());
  }
  if (a.has("csv")) write_text_atomic(a.str("csv"), csv.str());

  if (totals) {
    const GroupFlag groups = group_flag(a, d, "predict");
    const GroupScores sc = score_totals(probs, d.data.y, groups.rows);
    std::printf("\n%s: the total of their labels\n%-6s %6s %7s %8s %12s %12s\n", groups.what.c_str(), "group",
                "true", "median", "mean", "80% interval", "95% interval");
    for (int64_t g = 0; g < sc.groups && (limit == 0 || g < limit); ++g) {
      const int shift = int(groups.rows[size_t(g)].size()) * off;  // file labels: each item adds the offset
      const TotalPrediction &p80 = sc.forecasts[size_t(g)].p80, &p95 = sc.forecasts[size_t(g)].p95;
      std::printf("%-6d %6d %7d %8.2f %5d..%-6d %5d..%-6d\n", groups.ids[size_t(g)], sc.truth[size_t(g)] + shift,
                  p80.median + shift, p80.mean + shift, p80.lo + shift, p80.hi + shift, p95.lo + shift,
                  p95.hi + shift);
    }
  }
  return 0;
}

}  // namespace og::cli
