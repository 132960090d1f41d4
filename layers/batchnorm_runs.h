// batchnorm_runs.h — the per-run loops of the batchnorm nodes (layers/batchnorm.cpp;
// formulas in batchnorm.h). Internal to layers/. A "run" is one channel of one sample:
// H*W contiguous values.
#pragma once
#include <cstdint>
#include <cstring>

namespace og::bn {

// g where y > 0, else +0, as bit operations: written as a select, GCC 12 turned it
// into a branch inside the sum loops and gave up vectorising them.
inline float keep_if_positive(float g, float y) {
  uint32_t bits;
  std::memcpy(&bits, &g, sizeof bits);
  bits &= 0u - static_cast<uint32_t>(y > 0.0f);
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// Per-run loops with plain restrict pointers, so that they vectorise. Sums go to 8
// double lanes (element k of a run to lane k % 8), added up in lane order at the end:
// a fixed order, the same for any thread count. `Relu` fuses max(., 0) after the
// normalisation; its backward masks g by y > 0 (y = max(z, 0) > 0 exactly when z > 0).
struct Lanes {
  double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  double total() const {
    double s = 0;
    for (double v : a) s += v;
    return s;
  }
};

inline void sum_run(const float* __restrict x, int64_t n, Lanes& acc) {
  double a[8];
  for (int l = 0; l < 8; ++l) a[l] = acc.a[l];
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) a[l] += x[j + l];
  for (int l = 0; j + l < n; ++l) a[l] += x[j + l];
  for (int l = 0; l < 8; ++l) acc.a[l] = a[l];
}

inline void sq_dev_run(const float* __restrict x, int64_t n, double m, Lanes& acc) {  // sum (x - m)^2
  double a[8];
  for (int l = 0; l < 8; ++l) a[l] = acc.a[l];
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) {
      const double d = x[j + l] - m;
      a[l] += d * d;
    }
  for (int l = 0; j + l < n; ++l) {
    const double d = x[j + l] - m;
    a[l] += d * d;
  }
  for (int l = 0; l < 8; ++l) acc.a[l] = a[l];
}

template <bool Relu>
inline void normalize_run(const float* __restrict x, float* __restrict y, int64_t n, float m, float scale, float shift) {
  for (int64_t j = 0; j < n; ++j) {
    const float z = (x[j] - m) * scale + shift;
    y[j] = Relu ? (z > 0.0f ? z : 0.0f) : z;
  }
}

// gz = g (masked by y > 0 with Relu); adds sum gz and sum gz * (x - m) r.
template <bool Relu>
inline void grad_sums_run(const float* __restrict g, const float* __restrict y, const float* __restrict x, int64_t n,
                   float m, float r, Lanes& sg, Lanes& sgx) {
  double a[8], b[8];
  for (int l = 0; l < 8; ++l) a[l] = sg.a[l], b[l] = sgx.a[l];
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) {
      const float gz = Relu ? keep_if_positive(g[j + l], y[j + l]) : g[j + l], xh = (x[j + l] - m) * r;
      a[l] += gz;
      b[l] += static_cast<double>(gz) * xh;
    }
  for (int l = 0; j + l < n; ++l) {
    const float gz = Relu ? keep_if_positive(g[j + l], y[j + l]) : g[j + l];
    a[l] += gz;
    b[l] += static_cast<double>(gz) * ((x[j + l] - m) * r);
  }
  for (int l = 0; l < 8; ++l) sg.a[l] = a[l], sgx.a[l] = b[l];
}

// dx += scale (gz - mean_g - xh mean_gx), xh = (x - m) r; with Assign (a fresh
// gradient buffer, Node::in_grad_fresh) dx = instead of +=.
template <bool Relu, bool Assign>
inline void input_grad_run(const float* __restrict g, const float* __restrict y, const float* __restrict x,
                    float* __restrict dx, int64_t n, float m, float r, float scale, float mean_g, float mean_gx) {
  for (int64_t j = 0; j < n; ++j) {
    const float gz = Relu ? keep_if_positive(g[j], y[j]) : g[j];
    const float xh = (x[j] - m) * r;
    const float d = scale * (gz - mean_g - xh * mean_gx);
    dx[j] = Assign ? d : dx[j] + d;
  }
}

// Eval backward of one run: the sums as above, and dx += gz * scale.
template <bool Relu, bool Assign>
inline void eval_grad_run(const float* __restrict g, const float* __restrict y, const float* __restrict x,
                   float* __restrict dx, int64_t n, float m, float r, float scale, Lanes& sg, Lanes& sgx) {
  grad_sums_run<Relu>(g, y, x, n, m, r, sg, sgx);
  if (!dx) return;
  for (int64_t j = 0; j < n; ++j) {
    const float gz = Relu ? keep_if_positive(g[j], y[j]) : g[j];
    const float d = gz * scale;
    dx[j] = Assign ? d : dx[j] + d;
  }
}


}  // namespace og::bn
