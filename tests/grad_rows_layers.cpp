// Gradient-check rows for the layers (layers/). See grad_rows.h.
#include <cmath>
#include <utility>

#include "grad_rows.h"
#include "helpers.h"
#include "layers/batchnorm.h"
#include "layers/dropout.h"
#include "layers/linear.h"

using namespace og;
using test::Built;
using test::GradRow;
using test::away_from_zero;
using test::randn;
using test::uniform;

namespace {
// x [N,I], W [O,I], b [O] in [-1,1], with every pre-activation x W^T + b at least
// 0.3 from the ReLU kink. The checker moves one entry by at most 2h = 0.02 (|v| <= 1),
// which moves a pre-activation by at most 0.02, so no difference crosses the kink.
// Each output column is redrawn (its W row and b) until it is clear of 0.
struct LinearInputs {
  Tensor x, w, b;
};
LinearInputs away_from_kink(int N, int I, int O, Rng& r) {
  LinearInputs in{uniform({N, I}, r, -1, 1), Tensor::empty({O, I}), Tensor::empty({O})};
  for (int o = 0; o < O; ++o) {
    for (bool clear = false; !clear;) {
      for (int i = 0; i < I; ++i) in.w[o * I + i] = r.uniform(-1, 1);
      in.b[o] = r.uniform(-1, 1);
      clear = true;
      for (int n = 0; n < N; ++n) {
        double z = in.b[o];
        for (int i = 0; i < I; ++i) z += double(in.x[n * I + i]) * in.w[o * I + i];
        clear = clear && std::fabs(z) >= 0.3;
      }
    }
  }
  return in;
}

// x [2,C,2,2] whose 8 values per channel are a shuffled, scaled and shifted copy of
// +-{0.5, 1.2, 2, 3}: normalised, they are +-{0.26, 0.63, 1.04, 1.57}, so with gamma in
// [0.5, 1.5] and |beta| <= 0.05 every bn output is >= 0.08 from the relu kink, and
// the checker's moves (<= 0.03 on an output) never cross it.
Tensor bn_relu_input(int C, Rng& r) {
  const float base[8] = {-3.0f, -2.0f, -1.2f, -0.5f, 0.5f, 1.2f, 2.0f, 3.0f};
  Tensor x = Tensor::empty({2, C, 2, 2});
  for (int c = 0; c < C; ++c) {
    float v[8];
    for (int k = 0; k < 8; ++k) v[k] = base[k];
    for (int k = 7; k > 0; --k) std::swap(v[k], v[r.below(uint64_t(k) + 1)]);
    const float scale = r.uniform(0.5f, 2.0f), shift = r.uniform(-1.0f, 1.0f);
    for (int k = 0; k < 8; ++k) x[((k / 4) * C + c) * 4 + k % 4] = v[k] * scale + shift;
  }
  return x;
}
}  // namespace

std::vector<GradRow> test::layer_rows() {
  return {
      {"linear", [](Graph& g, Rng& r) {
         Var x = g.leaf(randn({3, 4}, r)), w = g.leaf(randn({5, 4}, r)), b = g.leaf(randn({5}, r));
         return Built{linear(x, w, b), {x, w, b}}; }},
      {"linear", [](Graph& g, Rng& r) {  // no bias
         Var x = g.leaf(randn({4, 3}, r)), w = g.leaf(randn({2, 3}, r));
         return Built{linear(x, w, Var{}), {x, w}}; }},
      {"linear_relu", [](Graph& g, Rng& r) {
         LinearInputs in = away_from_kink(4, 3, 5, r);
         Var x = g.leaf(in.x), w = g.leaf(in.w), b = g.leaf(in.b);
         return Built{linear(x, w, b, true), {x, w, b}}; }},
      {"batchnorm", [](Graph& g, Rng& r) {  // 1d: [N,C]
         Var x = g.leaf(randn({6, 3}, r)), gamma = g.leaf(uniform({3}, r, 0.5f, 1.5f)),
             beta = g.leaf(randn({3}, r));
         return Built{batch_norm(x, gamma, beta), {x, gamma, beta}}; }},
      {"batchnorm", [](Graph& g, Rng& r) {  // 2d: [N,C,H,W], statistics over N*H*W = 8
         Var x = g.leaf(randn({2, 3, 2, 2}, r, 2.0f)), gamma = g.leaf(uniform({3}, r, 0.5f, 1.5f)),
             beta = g.leaf(randn({3}, r));
         return Built{batch_norm(x, gamma, beta), {x, gamma, beta}}; }},
      {"batchnorm_relu", [](Graph& g, Rng& r) {
         Var x = g.leaf(bn_relu_input(3, r)), gamma = g.leaf(uniform({3}, r, 0.5f, 1.5f)),
             beta = g.leaf(uniform({3}, r, -0.05f, 0.05f));
         return Built{batch_norm(x, gamma, beta, 1e-5f, nullptr, true), {x, gamma, beta}}; }},
      {"batchnorm_eval_relu", [](Graph& g, Rng& r) {  // x - mean at least 0.5 from 0, r ~ 1
         Tensor mean = randn({3}, r), var = uniform({3}, r, 0.8f, 1.2f), x = away_from_zero({2, 3, 2, 2}, r, 0.5f);
         for (int64_t i = 0; i < x.numel(); ++i) x[i] += mean[(i / 4) % 3];
         Var xv = g.leaf(x), gamma = g.leaf(uniform({3}, r, 0.5f, 1.5f)),
             beta = g.leaf(uniform({3}, r, -0.05f, 0.05f));
         return Built{batch_norm_eval(xv, gamma, beta, mean, var, 1e-5f, true), {xv, gamma, beta}}; }},
      {"batchnorm_eval", [](Graph& g, Rng& r) {
         Var x = g.leaf(randn({2, 3, 2, 2}, r)), gamma = g.leaf(uniform({3}, r, 0.5f, 1.5f)),
             beta = g.leaf(randn({3}, r));
         Tensor mean = randn({3}, r), var = uniform({3}, r, 0.5f, 2.0f);
         return Built{batch_norm_eval(x, gamma, beta, mean, var), {x, gamma, beta}}; }},
      {"dropout", [](Graph& g, Rng& r) {  // the mask is fixed at recording, so replay reuses it
         Var x = g.leaf(randn({4, 5}, r));
         return Built{dropout(x, 0.3f, r), {x}}; }},
  };
}
