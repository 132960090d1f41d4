// coral.h — CORAL loss (spec name `coral`) and the decoders of cumulative heads
// that read P(y > k) (shared with corn.h).
//
// Cao, Mirjalili & Raschka, "Rank consistent ordinal regression for neural networks
// with application to age estimation", Pattern Recognition Letters 140 (2020).
// A cumulative head gives K-1 logits per sample, s_k for threshold k = 0..K-2, with
// P(y > k) = sigmoid(s_k). CORAL's head shares one score and adds K-1 biases
// (layers/ordinal_head.h: CoralHead), which keeps the P(y > k) rank consistent
// once trained; the loss itself accepts any [N,K-1] logits.
#pragma once
#include <algorithm>
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// s [N,K-1] -> scalar: weighted mean over samples of
//   L_i = sum_k lambda_k [softplus(-s_ik) 1[y_i > k] + softplus(s_ik) 1[y_i <= k]]
// lambda = task_weights (K-1 entries >= 0; empty = all 1). Class and sample weights
// from t enter as in every loss: sum_i w_i L_i / sum_i w_i.
Var coral(Var s, const LossTarget& t, const std::vector<float>& task_weights = {});

// [N,K-1] logits -> [N,K-1] P(y > k) = sigmoid(s_k).
Tensor coral_greater(const Tensor& s);

// [N,K-1] P(y > k) -> [N,K] class probabilities:
//   p_0 = 1 - P(y>0),  p_k = P(y>k-1) - P(y>k),  p_{K-1} = P(y>K-2).
// When P(y > k) is not non-increasing in k (possible for unconstrained logits),
// some differences are negative: those are set to 0 and the row is divided by its
// new sum, so every row is a distribution (rows already monotone are unchanged).
Tensor probs_from_greater(const Tensor& greater);

// coral_probs(s) = probs_from_greater(coral_greater(s)).
Tensor coral_probs(const Tensor& s);

// [N,K-1] P(y > k) -> N labels: the number of k with P(y > k) > 0.5. This is the
// CORAL and CORN prediction rule; for a monotone row it is the median class.
std::vector<int> count_above_half(const Tensor& greater);

// Shared input checks of the cumulative-head losses (coral, corn, clm): s is
// [N,K-1] with K = t.K >= 2 and N = t.labels.size(); throws og::Error naming `op`.
void check_cumulative_input(const char* op, const Shape& s, const LossTarget& t);

// The node of coral and corn (forward and backward in coral.cpp; each file names
// its own subclass). On logits s [N,T], T = K-1:
//   forward : L = sum_i w_i sum_{k=0}^{last_i} lambda_k BCE(s_ik, 1[y_i > k]),
//             BCE(s, T) = T softplus(-s) + (1 - T) softplus(s)
//   backward: ds_ik += g * w_i * lambda_k * (sigmoid(s_ik) - 1[y_i > k]), k <= last_i
// last_i = T-1 (coral: every task), or min(y_i, T-1) when `conditional` (corn: task
// k only for samples with y_i >= k). w_i arrive divided by the loss's denominator.
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
