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

}  // namespace og
