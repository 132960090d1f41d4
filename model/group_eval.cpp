// group_eval.cpp — group totals from class probabilities (see group_eval.h).
#include "model/group_eval.h"

#include "core/metrics.h"

namespace og {

namespace {
int64_t group_count(const Tensor& probs, int G) {
  OG_CHECK(probs.shape().nd == 2, "group totals: probabilities must be [N,K], got ", probs.shape());
  const int64_t N = probs.shape()[0];
  OG_CHECK(G >= 1, "group totals: the group size must be >= 1, got ", G);
  OG_CHECK(N >= G, "group totals: a group of ", G, " is more than the ", N, " examples");
  return N / G;
}

TotalForecast forecast_of(const std::vector<double>& D) {
  return {predict_total(D.data(), int(D.size()), 0.8), predict_total(D.data(), int(D.size()), 0.95)};
}
}  // namespace

std::vector<TotalForecast> forecast_totals(const Tensor& probs, int G) {
  const int64_t groups = group_count(probs, G), K = probs.shape()[1];
  std::vector<TotalForecast> out(groups);
  for (int64_t g = 0; g < groups; ++g)
    out[g] = forecast_of(total_distribution(probs.data() + g * G * K, G, int(K)));
  return out;
}

GroupScores score_totals(const Tensor& probs, const std::vector<int>& labels, int G) {
  const int64_t groups = group_count(probs, G), K = probs.shape()[1];
  OG_CHECK(int64_t(labels.size()) == probs.shape()[0], "group totals: ", labels.size(), " labels for ",
           probs.shape()[0], " rows");
  const int64_t len = G * (K - 1) + 1;
  GroupScores s;
  s.groups = groups;
  s.truth.assign(groups, 0);
  s.forecasts.resize(groups);
  Tensor dist = Tensor::empty({groups, len});
  std::vector<double> median(groups), lo80(groups), hi80(groups), lo95(groups), hi95(groups);
  for (int64_t g = 0; g < groups; ++g) {
    const std::vector<double> D = total_distribution(probs.data() + g * G * K, G, int(K));
    for (int64_t t = 0; t < len; ++t) dist[g * len + t] = static_cast<float>(D[t]);
    for (int i = 0; i < G; ++i) s.truth[g] += labels[g * G + i];
    const TotalForecast& f = s.forecasts[g] = forecast_of(D);
    median[g] = f.p80.median;
    lo80[g] = f.p80.lo, hi80[g] = f.p80.hi, lo95[g] = f.p95.lo, hi95[g] = f.p95.hi;
  }
  s.mae = total_mae(s.truth, median);
  s.crps = total_crps(s.truth, dist);
  s.coverage80 = interval_coverage(s.truth, lo80, hi80);
  s.coverage95 = interval_coverage(s.truth, lo95, hi95);
  return s;
}

void require_total_head(const ModelInfo& info, const char* who) {
  OG_CHECK(info.head() != Head::regression, who, ": totals need class probabilities; the model's loss '",
           info.loss, "' has a regression head, which gives none");
}

}  // namespace og
