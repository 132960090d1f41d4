// dataset.cpp — gathering rows into batches (see dataset.h).
#include "io/dataset.h"

#include <cstring>
#include <numeric>

#include "io/stream.h"

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

Tensor Dataset::rows(const std::vector<int64_t>& idx, int64_t begin, int64_t end) const {
  return source ? decode_rows(*source, idx, begin, end) : gather_rows(x, idx, begin, end);
}

Tensor Dataset::all_rows() const {
  if (!source) return x;
  std::vector<int64_t> idx(size_t(source->size()));
  std::iota(idx.begin(), idx.end(), 0);
  return decode_rows(*source, idx, 0, int64_t(idx.size()));
}

Dataset subset(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end) {
  Dataset out{d.rows(idx, begin, end), {}, {}};
  for (int64_t i = begin; i < end; ++i) {
    out.y.push_back(d.y[idx[i]]);
    if (!d.weights.empty()) out.weights.push_back(d.weights[idx[i]]);
  }
  return out;
}

}  // namespace og
