// dataset.cpp — gathering rows into batches (see dataset.h).
#include "io/dataset.h"

#include <cstring>

namespace og {

Tensor gather_rows(const Tensor& x, const std::vector<int64_t>& idx, int64_t begin, int64_t end) {
  Shape s = x.shape();
  const int64_t row = s[0] ? x.numel() / s[0] : 0;
  s.d[0] = end - begin;
  Tensor out = Tensor::empty(s);
  for (int64_t i = begin; i < end; ++i)
    std::memcpy(out.data() + (i - begin) * row, x.data() + idx[i] * row, sizeof(float) * row);
  return out;
}

Dataset subset(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end) {
  Dataset out{gather_rows(d.x, idx, begin, end), {}, {}};
  for (int64_t i = begin; i < end; ++i) {
    out.y.push_back(d.y[idx[i]]);
    if (!d.weights.empty()) out.weights.push_back(d.weights[idx[i]]);
  }
  return out;
}

}  // namespace og
