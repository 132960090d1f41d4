// Gradient-check rows for the layers (layers/). See grad_rows.h.
#include <cmath>

#include "grad_rows.h"
#include "helpers.h"
#include "layers/batchnorm.h"
#include "layers/dropout.h"
#include "layers/linear.h"

using namespace og;
using test::Built;
using test::GradRow;
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
