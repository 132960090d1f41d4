// Gradient-check rows for convolution and pooling (layers/). See grad_rows.h.
#include <algorithm>
#include <cmath>

#include "grad_rows.h"
#include "helpers.h"
#include "layers/conv2d.h"
#include "layers/pool2d.h"

using namespace og;
using test::Built;
using test::GradRow;
using test::randn;
using test::uniform;

namespace {

Built conv_row(Graph& g, Rng& r, Shape xs, Shape ws, bool bias, int stride, int pad) {
  Var x = g.leaf(randn(xs, r)), w = g.leaf(randn(ws, r, 0.5f));
  Var b = bias ? g.leaf(randn({ws[0]}, r)) : Var{};
  std::vector<Var> wrt{x, w};
  if (bias) wrt.push_back(b);
  return Built{conv2d(x, w, b, stride, pad), wrt};
}

// conv2d_relu on inputs whose pre-activations all lie >= 0.03 from the kink at 0.
// With |x| <= 1, |w| <= 0.5 the checker moves one x by <= 0.02 (z by <= 0.01) and one
// w or b by <= 0.02 (z by <= 0.02), so no pre-activation crosses 0. Redraw until so.
Built conv_relu_row(Graph& g, Rng& r, Shape xs, Shape ws) {
  for (;;) {
    Tensor x = uniform(xs, r, -1, 1), w = uniform(ws, r, -0.5f, 0.5f), b = uniform({ws[0]}, r, -0.5f, 0.5f);
    Graph probe;
    Var z = conv2d(probe.input(x), probe.input(w), probe.input(b), 1, 1);
    float closest = INFINITY;
    for (int64_t i = 0; i < z.value().numel(); ++i) closest = std::min(closest, std::fabs(z.value()[i]));
    if (closest < 0.03f) continue;
    Var xv = g.leaf(x), wv = g.leaf(w), bv = g.leaf(b);
    return Built{conv2d(xv, wv, bv, 1, 1, true), {xv, wv, bv}};
  }
}

// Values (perm[k] - n/2) * 0.1: distinct, 0.1 apart. For n <= 96, |x| <= 4.8, so the
// checker's largest move (2h = 0.02 * max(1,|x|) <= 0.096) never reorders a window.
Tensor no_ties(const Shape& s, Rng& r) {
  std::vector<int> perm(s.numel());
  for (size_t k = 0; k < perm.size(); ++k) perm[k] = static_cast<int>(k);
  r.shuffle(perm);
  Tensor t = Tensor::empty(s);
  for (int64_t k = 0; k < t.numel(); ++k) t[k] = 0.1f * static_cast<float>(perm[k] - t.numel() / 2);
  return t;
}

}  // namespace

std::vector<GradRow> og::test::conv_rows() {
  return {
      // N = 5: two chunks of images (4 + 1), so the chunk partials of dW, db are summed
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {5, 3, 5, 5}, {4, 3, 3, 3}, true, 1, 1); }},
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {2, 3, 7, 6}, {4, 3, 3, 3}, true, 2, 1); }},
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {5, 3, 4, 5}, {4, 3, 1, 1}, true, 1, 0); }},  // 1x1 fast path
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {2, 3, 5, 6}, {2, 3, 3, 3}, false, 1, 0); }},
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {2, 2, 5, 5}, {3, 2, 2, 2}, true, 3, 2); }},  // windows skip inputs
      {"conv2d_relu", [](Graph& g, Rng& r) { return conv_relu_row(g, r, {2, 2, 4, 4}, {3, 2, 3, 3}); }},
      // >= 8 input channels, 3x3 stride 1: the Winograd path (layers/conv2d_winograd.cpp);
      // odd output sizes clip the edge tiles; 2x2 images are one tile, mostly padding.
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {3, 8, 5, 6}, {4, 8, 3, 3}, true, 1, 1); }},
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {2, 8, 6, 5}, {3, 8, 3, 3}, false, 1, 0); }},
      {"conv2d", [](Graph& g, Rng& r) { return conv_row(g, r, {9, 8, 2, 2}, {2, 8, 3, 3}, true, 1, 1); }},
      {"conv2d_relu", [](Graph& g, Rng& r) { return conv_relu_row(g, r, {2, 8, 4, 3}, {3, 8, 3, 3}); }},
      {"max_pool2d", [](Graph& g, Rng& r) { Var x = g.leaf(no_ties({2, 3, 4, 4}, r)); return Built{max_pool2d(x, 2, 2), {x}}; }},
      {"max_pool2d", [](Graph& g, Rng& r) { Var x = g.leaf(no_ties({1, 2, 5, 6}, r)); return Built{max_pool2d(x, 3, 2), {x}}; }},  // overlapping windows
      {"avg_pool2d", [](Graph& g, Rng& r) { Var x = g.leaf(randn({2, 3, 6, 5}, r)); return Built{avg_pool2d(x, 2, 2), {x}}; }},
      {"avg_pool2d", [](Graph& g, Rng& r) { Var x = g.leaf(randn({2, 3, 5, 5}, r)); return Built{avg_pool2d(x, 3, 1), {x}}; }},
      {"global_avg_pool", [](Graph& g, Rng& r) { Var x = g.leaf(randn({2, 3, 4, 5}, r)); return Built{global_avg_pool(x), {x}}; }},
  };
}
