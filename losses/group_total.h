// group_total.h — totals of groups: the distribution of a group's total label,
// three losses on it, and point / interval predictions of the total.
//
// A group is a set of rows of the batch whose labels are summed, e.g. 8 images
// whose total count matters. Each row i has a softmax head z_i (K logits) and
// p^(i) = softmax(z_i). The items are treated as independent, so the total's
// distribution is the convolution
//     D = p^(1) * p^(2) * ... * p^(G),   D[t] = P(sum_i y_i = t),  t = 0..G(K-1)
// (labels 0..K-1 are the class values here: totals are sums of labels, and
// LossTarget::values must be empty).
//
// Groups, in every function below that takes (group, group_ids):
//   group_ids == nullptr : groups of `group` consecutive rows; N must be a
//                          multiple of group (>= 1); group g is rows gG..gG+G-1.
//   group_ids != nullptr : N ids, any ints; the rows sharing an id form a group
//                          (any size >= 1), groups ordered by the first row of
//                          each id, rows of a group in batch order; `group` is
//                          not used.
//
// Losses (total_nll, total_crps, total_ev_l1) take the item labels in
// LossTarget::labels; a group's target total is T = sum of its items' labels.
// Reduction: L = sum_g w_g L_g / sum_g w_g, where the group weight w_g is the mean
// of its items' sample weights (1 when none are given). Class weights do not apply
// to totals (a total mixes classes) and are ignored, so one LossTarget serves a
// spec such as "ce+total_crps". See the node files losses/total_*.cpp.
#pragma once
#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// The groups of a batch of N rows, resolved once (see the top of this file).
struct GroupLayout {
  std::vector<int> rows;   // batch rows, group after group
  std::vector<int> start;  // group g owns rows[start[g] .. start[g+1]); size = count() + 1
  int max_size = 0;        // size of the largest group
  int count() const { return static_cast<int>(start.size()) - 1; }
  int size(int g) const { return start[g + 1] - start[g]; }
  const int* members(int g) const { return rows.data() + start[g]; }
};

// Throws og::Error naming `op` for N < 1, group < 1 (without ids), N not a
// multiple of group, or group_ids of a length other than N.
GroupLayout group_layout(const char* op, int64_t N, int group, const std::vector<int>* group_ids);

// T_g = sum of the labels of group g's rows (labels indexed by batch row).
std::vector<int> group_totals(const GroupLayout& layout, const std::vector<int>& labels);

// logits [N,K] -> D [groups, W], W = max group size * (K-1) + 1. Row g is the
// distribution of group g's total; a group smaller than the largest is padded
// with zeros beyond its support s(K-1). Differentiable (node "total_dist").
Var total_dist(Var logits, int group, const std::vector<int>* group_ids = nullptr);

// Losses on logits [N,K] (K = t.K >= 2) -> scalar (reduction above).
//   total_nll  : -log D_g[T_g], computed in log space (finite for any finite logits)
//   total_crps : sum_{t=0}^{s_g(K-1)} (cumsum(D_g)_t - 1[t >= T_g])^2
//   total_ev_l1: |sum_{i in g} mu_i - T_g|,  mu_i = sum_k k p^(i)_k
Var total_nll(Var logits, const LossTarget& t, int group, const std::vector<int>* group_ids = nullptr);
Var total_crps(Var logits, const LossTarget& t, int group, const std::vector<int>* group_ids = nullptr);
Var total_ev_l1(Var logits, const LossTarget& t, int group, const std::vector<int>* group_ids = nullptr);

// The total's distribution from G rows of K class probabilities (row-major
// probs[G*K], e.g. one group's rows of LossSpec::probs). Plain function, no graph;
// computed in double; returns G(K-1)+1 entries. Probabilities are used as given
// (rows need not sum to 1 exactly). Throws for G < 1, K < 1 or a negative or
// non-finite probability.
std::vector<double> total_distribution(const float* probs, int G, int K);

// Point and interval predictions of a total from its distribution D[0..len).
// With CDF(t) = sum_{u<=t} D[u] / sum_u D[u] (D need not sum to 1 exactly):
//   mean   = sum_t t D[t] / sum D               (the squared-error optimum)
//   median = smallest t with CDF(t) >= 0.5      (the absolute-error optimum)
//   mode   = argmax_t D[t] (the smallest t on ties)
//   [lo, hi], the central interval at `level` in (0,1), a = 1 - level:
//     lo = smallest t with CDF(t) >= a/2,  hi = smallest t with CDF(t) >= 1 - a/2,
//   so P(lo <= total <= hi) >= level: a discrete interval is conservative.
// Each comparison CDF(t) >= q allows 1e-12 of rounding, so that an exact tie in
// real numbers (e.g. CDF = 0.1 for a = 0.2) is not lost to a summation error.
struct TotalPrediction {
  double mean = 0;
  int median = 0;
  int mode = 0;
  int lo = 0, hi = 0;
};
TotalPrediction predict_total(const double* D, int len, double level);

}  // namespace og
