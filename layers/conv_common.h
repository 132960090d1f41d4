// conv_common.h — pieces shared by the two convolution algorithms (layers/conv2d.cpp:
// im2col + sgemm; layers/conv2d_winograd.cpp). Internal to layers/.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/parallel.h"

namespace og::conv {

// Per-thread scratch grows on demand and never shrinks, so steady-state training
// allocates nothing for it.
inline float* grow(std::vector<float>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(n);
  return v.data();
}

// d = g, or g masked by y > 0 (the relu's derivative). Plain pointer arguments let
// the compiler vectorise; inside a chunk lambda it reloaded them every element.
inline void relu_mask(const float* g, const float* y, float* d, int64_t n, bool relu) {
  if (relu) for (int64_t j = 0; j < n; ++j) d[j] = y[j] > 0.0f ? g[j] : 0.0f;
  else std::memcpy(d, g, sizeof(float) * n);
}

// Sum of v[0..n) over 8 interleaved float lanes (vectorisable, fixed order), lanes
// then tail added in double: the same result for any thread count.
inline double lane_sum(const float* v, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) acc[l] += v[j + l];
  double s = 0;
  for (int l = 0; l < 8; ++l) s += acc[l];
  for (; j < n; ++j) s += v[j];
  return s;
}

// total[k] = sum over chunks ch of partials[ch * part + k], in chunk order: the
// same additions for any thread count.
inline void sum_chunk_partials(const float* partials, int64_t chunks, int64_t part, float* total) {
  parallel_for(part, 1 << 14, [&](int64_t k) {
    float s = partials[k];
    for (int64_t ch = 1; ch < chunks; ++ch) s += partials[ch * part + k];
    total[k] = s;
  });
}

}  // namespace og::conv
