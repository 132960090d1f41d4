// dataset.cpp — gathering rows into batches (see dataset.h).
#include "io/dataset.h"

#include <cstring>
#include <numeric>

#include "core/comm.h"
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

Dataset labels_of(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end) {
  Dataset out;
  for (int64_t i = begin; i < end; ++i) {
    out.y.push_back(d.y[idx[i]]);
    if (!d.weights.empty()) out.weights.push_back(d.weights[idx[i]]);
  }
  return out;
}

Dataset subset(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end) {
  Dataset out = labels_of(d, idx, begin, end);
  out.x = d.rows(idx, begin, end);
  return out;
}

uint64_t fingerprint(const Dataset& d, uint64_t h) {
  h = fingerprint(d.y.data(), sizeof(int) * d.y.size(), h);
  h = fingerprint(d.weights.data(), sizeof(float) * d.weights.size(), h);
  if (d.streamed()) {
    const ImageSource& s = *d.source;
    for (const std::string& p : s.paths) h = fingerprint(p.c_str(), p.size() + 1, h);
    const float f[] = {float(s.options.channels), float(s.options.height), float(s.options.width), s.mean, s.std,
                       float(s.normalized)};
    return fingerprint(f, sizeof f, h);
  }
  return d.x.defined() ? fingerprint(d.x.data(), sizeof(float) * size_t(d.x.numel()), h) : h;
}

}  // namespace og
