// coral.h — CORAL loss (spec name `coral`) and its decoders.
//
// Cao, Mirjalili & Raschka, "Rank consistent ordinal regression for neural networks
// with application to age estimation", Pattern Recognition Letters 140 (2020).
// A cumulative head gives K-1 logits per sample, s_k for threshold k = 0..K-2, with
// P(y > k) = sigmoid(s_k). CORAL's head shares one score and adds K-1 biases
// (layers/ordinal_head.h: CoralHead), which keeps the P(y > k) rank consistent
// once trained; the loss itself accepts any [N,K-1] logits. What coral shares with
// corn and clm (input check, decoders, the threshold-BCE node) is in
// losses/cumulative.h.
#pragma once
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

// [N,K-1] logits -> [N,K] class probabilities:
// coral_probs(s) = probs_from_greater(coral_greater(s)) (losses/cumulative.h).
// The CORAL prediction is count_above_half(coral_greater(s)).
Tensor coral_probs(const Tensor& s);

}  // namespace og
