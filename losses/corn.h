// corn.h — CORN loss (spec name `corn`): conditional ordinal training of K-1 binary tasks.
//
// Shi, Cao & Raschka, "Deep neural networks for rank-consistent ordinal regression
// based on conditional probabilities", Pattern Analysis and Applications 26 (2023).
// The head is a plain Linear with K-1 outputs: s_k is the logit of the conditional
// probability P(y > k | y > k-1) = P(y > k | y >= k); chaining them gives
// P(y > k) = prod_{j <= k} sigmoid(s_j), which is non-increasing in k by construction.
#pragma once

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// s [N,K-1] -> scalar. Task k is trained only on the samples with y_i >= k (the
// conditional subset), with target 1[y_i > k]:
//   L = sum_{(i,k): y_i >= k} w_i BCE(s_ik, 1[y_i > k]) / sum_{(i,k): y_i >= k} w_i
// Unweighted (w_i = 1) the denominator is the number of eligible (sample, task)
// pairs in the batch, as in the paper's code; with class or sample weights each pair
// carries its sample's weight w_i and the sum of the pair weights is the denominator.
Var corn(Var s, const LossTarget& t);

// [N,K-1] logits -> [N,K-1] P(y > k) = prod_{j <= k} sigmoid(s_j).
Tensor corn_greater(const Tensor& s);

// corn_probs(s) = probs_from_greater(corn_greater(s)) (losses/cumulative.h; no
// clipping ever needed).
// The CORN prediction is count_above_half(corn_greater(s)).
Tensor corn_probs(const Tensor& s);

}  // namespace og
