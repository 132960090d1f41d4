// cumulative.h — what the cumulative-head losses share (coral, corn, clm): their input
// check, the decoders that read P(y > k), and the threshold-BCE node of coral and corn.
//
// A cumulative head gives K-1 outputs per sample, one for each threshold k = 0..K-2,
// from which P(y > k) follows (coral_greater, corn_greater, clm_greater). Class
// probabilities and the predicted class are then the same for every such head:
//   p_0 = 1 - P(y>0),  p_k = P(y>k-1) - P(y>k),  p_{K-1} = P(y>K-2)
//   predicted class = #{k : P(y > k) > 1/2}  (the median class for a monotone row)
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// Input checks of the cumulative-head losses: s is [N,K-1] with K = t.K >= 2 and
// N = t.labels.size(); throws og::Error naming `op`.
void check_cumulative_input(const char* op, const Shape& s, const LossTarget& t);

// [N,K-1] P(y > k) -> [N,K] class probabilities (formula above).
// When P(y > k) is not non-increasing in k (possible for unconstrained logits),
// some differences are negative: those are set to 0 and the row is divided by its
// new sum, so every row is a distribution (rows already monotone are unchanged).
Tensor probs_from_greater(const Tensor& greater);

// [N,K-1] P(y > k) -> N labels: the number of k with P(y > k) > 0.5. This is the
// CORAL, CORN and CLM prediction rule; for a monotone row it is the median class.
std::vector<int> count_above_half(const Tensor& greater);

// The node of coral and corn (forward and backward in cumulative.cpp; each loss
// file names its own subclass). On logits s [N,T], T = K-1:
//   forward : L = sum_i w_i sum_{k=0}^{last_i} lambda_k BCE(s_ik, 1[y_i > k]),
//             BCE(s, T) = T softplus(-s) + (1 - T) softplus(s)
//             (log sigmoid(x) = -softplus(-x), log(1 - sigmoid(x)) = -softplus(x))
//   backward: ds_ik += g * w_i * lambda_k * (sigmoid(s_ik) - 1[y_i > k]), k <= last_i
// last_i = T-1 (coral: every task), or min(y_i, T-1) when `conditional` (corn: task
// k only for samples with y_i >= k). w_i arrive divided by the loss's denominator.
// saves   : labels, weights, task weights (sigmoid recomputed in backward)
// parallel: backward over rows (disjoint); the forward sum is serial in row order.
struct ThresholdBceNode : Node {
  std::vector<int> labels;
  std::vector<double> w;       // per-sample weights / denominator
  std::vector<double> lambda;  // T task weights (all 1 for corn)
  bool conditional;            // only tasks k <= y_i count (corn)
  ThresholdBceNode(std::vector<int> y, std::vector<double> weights, std::vector<double> tasks,
                   bool only_reached)
      : labels(std::move(y)), w(std::move(weights)), lambda(std::move(tasks)),
        conditional(only_reached) {}
  int64_t last_task(int64_t i, int64_t T) const {
    return conditional ? std::min<int64_t>(labels[i], T - 1) : T - 1;
  }
  void forward() override;
  void backward() override;
};

}  // namespace og
