// ce.h — cross-entropy on softmax logits (spec name `ce`).
#pragma once
#include <vector>

#include "core/graph.h"

namespace og {

struct CeOptions {
  std::vector<float> class_weights;   // empty = all 1; else K entries
  std::vector<float> sample_weights;  // empty = all 1; else N entries
  float label_smoothing = 0.0f;       // epsilon in [0, 1)
};

// logits [N,K], labels N ints in [0,K) -> scalar loss (weighted mean, see ce.cpp).
Var cross_entropy(Var logits, const std::vector<int>& labels, const CeOptions& opt = {});

// Per-sample weights w_i = class_weights[y_i] * sample_weights[i], validated;
// shared by every loss that takes class and sample weights.
std::vector<double> loss_weights(const char* op, const std::vector<int>& labels, int64_t K,
                                 const std::vector<float>& class_weights,
                                 const std::vector<float>& sample_weights);

// loss_weights divided by their sum: the w_i / sum_j w_j of the weighted mean
// L = sum_i w_i L_i / sum_i w_i (a batch of 0 rows gives an empty vector).
std::vector<double> normalised_loss_weights(const char* op, const std::vector<int>& labels,
                                            int64_t K, const std::vector<float>& class_weights,
                                            const std::vector<float>& sample_weights);

}  // namespace og
