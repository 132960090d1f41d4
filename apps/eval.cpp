// eval.cpp — `ordgrad eval`: every metric of a saved model on a dataset.
//
// Per example: accuracy, mae, rmse, off_by_one, qwk, amae, mmae, kendall_tau,
// spearman, rps, nll, confusion (core/metrics.h), with classes predicted by
// --rule. With --group G, consecutive rows form groups of G whose total label
// matters (with --group column, the rows sharing a manifest's group id): total_mae
// (of the median total), total_crps, and the coverage of the central 80% and 95%
// intervals of the total (losses/group_total.h). When G does not divide the number
// of examples, the last N mod G examples form no group.
// Label folders (DIR/<label>/<image>) are split and named as the model file records
// (model/data.h: load_for_model), unless --split or --split-seed is given.
#include <cstdio>
#include <string>

#include "apps/args.h"
#include "core/calibration.h"
#include "apps/commands.h"
#include "model/heads.h"
#include "model/data.h"
#include "model/inference.h"
#include "apps/plot.h"
#include "core/metrics.h"
#include "core/parallel.h"
#include "model/group_eval.h"

namespace og::cli {

int run_eval(int argc, char** argv) {
  Args a("eval", with_scoring_data_flags({
                     {"model", "", "model file (DIR/model.ogm), required"},
                     {"data", "fashion-mnist:test", "dataset[:split]; FILE.csv[:train|:test|:all]; DIR[:train|:val|:test] (manifests, or label folders split as the model records)"},
                     {"rule", "default", "class prediction: default, argmax, median or mean"},
                     {"group", "0", "also score totals of groups: G consecutive examples, or 'column' (the manifest's group column)"},
                     {"batch", "256", "inference batch size"},
                     {"threads", "2", "OpenMP threads"},
                     {"plot", "", "also draw the confusion matrix to this SVG file"},
                     {"json", "", "print one JSON object", true},
                 }));
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "eval: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(a.has("model"), "eval: --model FILE is required");
  set_num_threads(a.integer("threads"));
  const Rule rule = parse_rule(a.str("rule"));
  const bool totals = totals_wanted(a, "eval");
  Model model = load_model(a.str("model"));
  if (totals) require_total_head(model.info, "eval --group");
  const int K = model.info.classes;
  const NamedData d = load_scoring_data(a, model.info, "eval");
  const Predictions p = predict_all(model, d.data, rule, a.integer("batch"));
  const Tensor& probs = p.probs;
  const std::vector<int>& pred = p.classes;
  const MetricReport r = evaluate_metrics(d.data.y, pred, &probs, K, d.data.weights);
  const double ece = ece_top_label(d.data.y, probs, 15, d.data.weights);
  const double ece_cum = ece_cumulative(d.data.y, probs, 15, d.data.weights);
  const std::vector<double> pit = pit_histogram(d.data.y, probs, 10, d.data.weights);
  const GroupFlag groups = group_flag(a, d, "eval");
  GroupScores gr;
  if (totals) gr = score_totals(probs, d.data.y, groups.rows);
  if (a.has("plot"))
    plot_heatmap(a.str("plot"), "Confusion matrix of " + a.str("model") + " on " + a.str("data"), r.confusion,
                 "predicted class", "true class");
  if (a.flag("json")) {
    std::string json = to_json(r);
    json.pop_back();  // the closing brace
    json += cat(", \"ece\": ", json_number(ece), ", \"ece_cumulative\": ", json_number(ece_cum),
                ", \"pit_uniformity\": ", json_number(pit_uniformity(pit)), ", \"pit_histogram\": ",
                json_numbers(pit), "}");
    if (!model.info.label_names.empty()) {
      json.pop_back();  // the closing brace
      json += ", \"label_names\": [";
      for (int k = 0; k < K; ++k) json += cat(k ? ", " : "", "\"", model.info.label_names[size_t(k)], "\"");
      json += "]}";
    }
    if (totals) {
      json.pop_back();  // the closing brace
      const std::string g = a.str("group");
      json += cat(", \"group\": ", g == "column" ? "\"column\"" : g, ", \"groups\": ", gr.groups, ", \"total_mae\": ", gr.mae,
                  ", \"total_crps\": ", gr.crps, ", \"total_coverage_80\": ", gr.coverage80,
                  ", \"total_coverage_95\": ", gr.coverage95, ", \"total_width_80\": ", json_number(gr.width80),
                  ", \"total_width_95\": ", json_number(gr.width95), ", \"total_pit_uniformity\": ",
                  json_number(gr.pit_uniformity), ", \"total_pit_histogram\": ", json_numbers(gr.pit), "}");
    }
    std::printf("%s\n", json.c_str());
    return 0;
  }
  std::printf("%s on %s (%ld examples, %d classes, rule %s)\n", a.str("model").c_str(), a.str("data").c_str(),
              static_cast<long>(r.n), K, a.str("rule").c_str());
  if (!model.info.label_names.empty()) {
    std::printf("  classes:");
    for (int k = 0; k < K; ++k) std::printf(" %d=%s", k, model.info.label_names[size_t(k)].c_str());
    std::printf("\n");
  }
  std::printf("  accuracy %.4f   MAE %.4f   RMSE %.4f   off-by-one %.4f\n", r.accuracy, r.mae, r.rmse,
              r.off_by_one);
  std::printf("  QWK %.4f   AMAE %.4f   MMAE %.4f   Kendall tau-b %.4f   Spearman %.4f\n", r.qwk, r.amae,
              r.mmae, r.kendall_tau, r.spearman);
  std::printf("  RPS %.4f   NLL %.4f\n", r.rps, r.nll);
  std::printf("  calibration: ECE %.4f   cumulative ECE %.4f   PIT uniformity %.4f (0 = flat)\n", ece, ece_cum,
              pit_uniformity(pit));
  if (totals)
    std::printf("  %s (%ld): total MAE %.4f   total CRPS %.4f   coverage 80%% %.3f   95%% %.3f   mean width 80%% %.2f   "
                "95%% %.2f   PIT uniformity %.4f\n",
                groups.what.c_str(), static_cast<long>(gr.groups), gr.mae, gr.crps, gr.coverage80, gr.coverage95,
                gr.width80, gr.width95, gr.pit_uniformity);
  std::printf("  confusion (rows = true, columns = predicted):\n");
  for (int i = 0; i < K; ++i) {
    std::printf("   ");
    for (int j = 0; j < K; ++j) std::printf(" %6.0f", r.confusion[i][j]);
    std::printf("\n");
  }
  return 0;
}

}  // namespace og::cli
