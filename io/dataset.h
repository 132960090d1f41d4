// dataset.h — examples in memory: inputs, labels, weights; and batches of them.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace og {

struct Dataset {
  Tensor x;                    // [N, ...] inputs, already normalised
  std::vector<int> y;          // N labels in [0, classes)
  std::vector<float> weights;  // per-example weights (e.g. frequencies); empty = all 1
  int64_t size() const { return static_cast<int64_t>(y.size()); }
};

// x rows idx[begin..end) stacked into a batch [end-begin, ...].
Tensor gather_rows(const Tensor& x, const std::vector<int64_t>& idx, int64_t begin, int64_t end);
// The examples idx[begin..end) of a dataset (weights included).
Dataset subset(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end);

}  // namespace og
