// group_eval.h — totals of groups of items from a model's class probabilities:
// the forecast of each group's total (median, mean, central 80% and 95% intervals)
// and, with labels, how good those forecasts are. Used by `eval`, `predict`, the
// demo and user programs alike.
//
// Groups are lists of rows (GroupRows): G consecutive rows (row g*G .. g*G+G-1; when
// G does not divide N, the last N mod G rows form no group), or the rows sharing an
// id, e.g. a manifest's group column, in any order and of any sizes. The items are
// taken as independent, so a group's total has the distribution D = p(1) * ... * p(n)
// (losses/group_total.h).
// Totals are in class numbers 0..K-1 summed; add G * label_offset for file labels.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "losses/group_total.h"
#include "model/model.h"

namespace og {

struct TotalForecast {
  TotalPrediction p80;  // median, mean, mode and the central 80% interval
  TotalPrediction p95;  // the same with the central 95% interval
};

using GroupRows = std::vector<std::vector<int64_t>>;  // each group's rows
// Groups of G consecutive rows of N. Throws og::Error for G < 1 or G > N.
GroupRows consecutive_groups(int64_t N, int G);
// One group per distinct id, in the order each id first appears; rows in their order.
GroupRows groups_by_id(const std::vector<int>& ids);

// One forecast per group of rows of probs [N,K].
std::vector<TotalForecast> forecast_totals(const Tensor& probs, const GroupRows& groups);
std::vector<TotalForecast> forecast_totals(const Tensor& probs, int G);

struct GroupScores {
  int64_t groups = 0;
  std::vector<int> truth;                // each group's true total
  std::vector<TotalForecast> forecasts;  // each group's forecast
  double mae = 0;         // of the median total
  double crps = 0;        // of the total's distribution
  double coverage80 = 0;  // share of true totals inside the 80% interval
  double coverage95 = 0;
  double width80 = 0;     // mean width hi - lo of the 80% intervals
  double width95 = 0;
  std::vector<double> pit;    // PIT histogram of the true totals (core/calibration.h), 10 bins
  double pit_uniformity = 0;  // its distance from flat
};

// Forecasts and scores against labels (N classes in 0..K-1).
GroupScores score_totals(const Tensor& probs, const std::vector<int>& labels, const GroupRows& groups);
GroupScores score_totals(const Tensor& probs, const std::vector<int>& labels, int G);

// Throws og::Error naming `who` when the model's head gives no distribution over
// classes to sum (regression puts all mass on one class): totals need one.
void require_total_head(const ModelInfo& info, const char* who);

}  // namespace og
