// helpers.h — small test utilities: random leaves and tensors.
#pragma once
#include <cmath>
#include <cstring>

#include "core/graph.h"
#include "core/rng.h"

namespace og::test {

inline Tensor randn(const Shape& s, Rng& rng, float sd = 1.0f) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = sd * rng.normal();
  return t;
}

inline Tensor uniform(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// Values with |x| in [margin, 2]: random sign, kept away from kinks at 0.
inline Tensor away_from_zero(const Shape& s, Rng& rng, float margin = 0.15f) {
  Tensor t = uniform(s, rng, margin, 2.0f);
  for (int64_t i = 0; i < t.numel(); ++i)
    if (rng.uniform() < 0.5f) t[i] = -t[i];
  return t;
}

inline bool bit_equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  for (int64_t i = 0; i < a.numel(); ++i)
    if (std::memcmp(a.data() + i, b.data() + i, sizeof(float)) != 0) return false;
  return true;
}

}  // namespace og::test
