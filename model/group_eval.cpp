// group_eval.cpp — group totals from class probabilities (see group_eval.h).
#include "model/group_eval.h"

#include <algorithm>
#include <map>

#include "core/calibration.h"
#include "core/metrics.h"

namespace og {

namespace {
TotalForecast forecast_of(const std::vector<double>& D) {
  return {predict_total(D.data(), int(D.size()), 0.8), predict_total(D.data(), int(D.size()), 0.95)};
}

int64_t class_count(const Tensor& probs, const GroupRows& groups) {
  OG_CHECK(probs.shape().nd == 2, "group totals: probabilities must be [N,K], got ", probs.shape());
  OG_CHECK(!groups.empty(), "group totals: no groups");
  for (const std::vector<int64_t>& rows : groups) {
    OG_CHECK(!rows.empty(), "group totals: an empty group");
    for (int64_t r : rows)
      OG_CHECK(r >= 0 && r < probs.shape()[0], "group totals: row ", r, " of ", probs.shape()[0], " examples");
  }
  return probs.shape()[1];
}

// The distribution of a group's total: its rows' probabilities gathered, then convolved.
std::vector<double> distribution_of(const Tensor& probs, const std::vector<int64_t>& rows) {
  const int64_t K = probs.shape()[1];
  std::vector<float> p(rows.size() * size_t(K));
  for (size_t i = 0; i < rows.size(); ++i)
    std::copy(probs.data() + rows[i] * K, probs.data() + (rows[i] + 1) * K, p.begin() + int64_t(i) * K);
  return total_distribution(p.data(), int(rows.size()), int(K));
}
}  // namespace

GroupRows consecutive_groups(int64_t N, int G) {
  OG_CHECK(G >= 1, "group totals: the group size must be >= 1, got ", G);
  OG_CHECK(N >= G, "group totals: a group of ", G, " is more than the ", N, " examples");
  GroupRows out(size_t(N / G));
  for (int64_t g = 0; g < N / G; ++g)
    for (int i = 0; i < G; ++i) out[size_t(g)].push_back(g * G + i);
  return out;
}

GroupRows groups_by_id(const std::vector<int>& ids) {
  GroupRows out;
  std::map<int, size_t> index;  // id -> its group
  for (size_t r = 0; r < ids.size(); ++r) {
    auto it = index.emplace(ids[r], out.size()).first;
    if (it->second == out.size()) out.emplace_back();
    out[it->second].push_back(int64_t(r));
  }
  return out;
}

std::vector<TotalForecast> forecast_totals(const Tensor& probs, const GroupRows& groups) {
  class_count(probs, groups);
  std::vector<TotalForecast> out(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) out[g] = forecast_of(distribution_of(probs, groups[g]));
  return out;
}

std::vector<TotalForecast> forecast_totals(const Tensor& probs, int G) {
  OG_CHECK(probs.shape().nd == 2, "group totals: probabilities must be [N,K], got ", probs.shape());
  return forecast_totals(probs, consecutive_groups(probs.shape()[0], G));
}

GroupScores score_totals(const Tensor& probs, const std::vector<int>& labels, const GroupRows& groups) {
  const int64_t K = class_count(probs, groups), n = int64_t(groups.size());
  OG_CHECK(int64_t(labels.size()) == probs.shape()[0], "group totals: ", labels.size(), " labels for ",
           probs.shape()[0], " rows");
  size_t largest = 0;
  for (const std::vector<int64_t>& rows : groups) largest = std::max(largest, rows.size());
  // Every total's distribution in one [groups, support] table, zero past a smaller group's support.
  const int64_t len = int64_t(largest) * (K - 1) + 1;
  GroupScores s;
  s.groups = n;
  s.truth.assign(size_t(n), 0);
  s.forecasts.resize(size_t(n));
  Tensor dist = Tensor::zeros({n, len});
  std::vector<double> median(n), lo80(n), hi80(n), lo95(n), hi95(n);
  for (int64_t g = 0; g < n; ++g) {
    const std::vector<int64_t>& rows = groups[size_t(g)];
    const std::vector<double> D = distribution_of(probs, rows);
    for (size_t t = 0; t < D.size(); ++t) dist[g * len + int64_t(t)] = static_cast<float>(D[t]);
    for (int64_t r : rows) s.truth[size_t(g)] += labels[size_t(r)];
    const TotalForecast& f = s.forecasts[size_t(g)] = forecast_of(D);
    median[g] = f.p80.median;
    lo80[g] = f.p80.lo, hi80[g] = f.p80.hi, lo95[g] = f.p95.lo, hi95[g] = f.p95.hi;
  }
  s.mae = total_mae(s.truth, median);
  s.crps = total_crps(s.truth, dist);
  s.coverage80 = interval_coverage(s.truth, lo80, hi80);
  s.coverage95 = interval_coverage(s.truth, lo95, hi95);
  for (int64_t g = 0; g < n; ++g) s.width80 += (hi80[g] - lo80[g]) / double(n), s.width95 += (hi95[g] - lo95[g]) / double(n);
  if (n > 0) {
    s.pit = pit_histogram(s.truth, dist);
    s.pit_uniformity = pit_uniformity(s.pit);
  }
  return s;
}

GroupScores score_totals(const Tensor& probs, const std::vector<int>& labels, int G) {
  OG_CHECK(probs.shape().nd == 2, "group totals: probabilities must be [N,K], got ", probs.shape());
  return score_totals(probs, labels, consecutive_groups(probs.shape()[0], G));
}

void require_total_head(const ModelInfo& info, const char* who) {
  OG_CHECK(info.head() != Head::regression, who, ": totals need class probabilities; the model's loss '",
           info.loss, "' has a regression head, which gives none");
}

}  // namespace og
