// reduce.h — the weighted reduction every loss shares, and the input checks that
// come with it.
//
// A loss of N samples with per-sample losses L_i reduces as
//   L = sum_i w_i L_i / sum_i w_i,     w_i = class_weight[y_i] * sample_weight_i
// (a missing class or sample weight is 1, so unweighted L is the mean). A node saves
// w_i / sum_j w_j once, when it is created, and its backward adds
//   dz_i += g * w_i / sum_j w_j * dL_i/dz_i        (g = dLoss/dL, the node's grad).
// Checks (each throws og::Error naming the loss `op`): K class weights and N sample
// weights when given; every label in [0,K); every w_i finite and >= 0; sum_i w_i > 0
// unless the batch is empty. corn divides by its own denominator (a sum of pair
// weights) and the group totals by their group weights; both start from loss_weights.
#pragma once
#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// w_i = class_weights[y_i] * sample_weights[i] (empty vectors = all 1), checked.
std::vector<double> loss_weights(const char* op, const std::vector<int>& labels, int64_t K,
                                 const std::vector<float>& class_weights,
                                 const std::vector<float>& sample_weights);

// loss_weights divided by their sum: the w_i / sum_j w_j of the weighted mean
// (a batch of 0 rows gives an empty vector).
std::vector<double> normalised_loss_weights(const char* op, const std::vector<int>& labels,
                                            int64_t K, const std::vector<float>& class_weights,
                                            const std::vector<float>& sample_weights);

// sum_i w_i L_i, serially in row order, so the result does not depend on how the
// L_i were computed (in parallel or not). w holds normalised weights.
double weighted_sum(const std::vector<double>& w, const std::vector<double>& losses);

// A softmax head's logits against the target: [N,K] with K = t.K >= 2 and N labels.
void check_softmax_input(const char* op, const Shape& logits, const LossTarget& t);

// check_softmax_input, K finite class values if any, then the normalised weights
// w_i / sum_j w_j of t: what a softmax-head loss checks before recording its node.
std::vector<double> checked_weights(const char* op, Var logits, const LossTarget& t);

}  // namespace og
