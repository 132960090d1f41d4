// Gradient-check rows for the cumulative and regression heads and losses. See grad_rows.h.
#include "grad_rows.h"
#include "helpers.h"
#include "layers/ordinal_head.h"
#include "losses/clm.h"
#include "losses/coral.h"
#include "losses/corn.h"
#include "losses/reg.h"

using namespace og;
using test::target;
using test::Built;
using test::GradRow;
using test::randn;
using test::uniform;

namespace {
// [N,T] cumulative logits, increasing along each row with gaps in [0.5, 1.5] from a
// start in [-2.5, -1]: the checker moves an entry by at most 2h = 0.02 max(1,|c|) <= 0.1,
// far less than any gap, so the rows stay ordered.
Tensor ordered(int64_t N, int64_t T, Rng& r) {
  Tensor c = Tensor::empty({N, T});
  for (int64_t i = 0; i < N; ++i) {
    c[i * T] = r.uniform(-2.5f, -1.0f);
    for (int64_t k = 1; k < T; ++k) c[i * T + k] = c[i * T + k - 1] + r.uniform(0.5f, 1.5f);
  }
  return c;
}

// r_i = v_{y_i} + d_i with the residuals d given: away from the kinks of |d| (0) and
// of Huber (|d| = delta = 1).
Tensor residual_scores(const LossTarget& t, const std::vector<float>& d) {
  Tensor r = Tensor::empty({static_cast<int64_t>(d.size()), 1});
  for (size_t i = 0; i < d.size(); ++i) r[i] = t.value(t.labels[i]) + d[i];
  return r;
}

const std::vector<float> kResiduals = {0.3f, -1.7f, 0.6f, -2.5f, -0.45f, 1.4f};
}  // namespace

std::vector<GradRow> test::ordinal_rows() {
  return {
      {"coral", [](Graph& g, Rng& r) {
         Var s = g.leaf(randn({4, 4}, r, 2.0f));
         return Built{coral(s, target({0, 4, 2, 3}, 5), {1, 0.5f, 2, 1.5f}), {s}}; }},
      {"coral", [](Graph& g, Rng& r) {  // class and sample weights
         Var s = g.leaf(randn({4, 3}, r, 2.0f));
         LossTarget t = target({3, 0, 1, 1}, 4);
         t.class_weights = {1, 3, 0.5f, 2};
         t.sample_weights = {1, 0.5f, 2, 1};
         return Built{coral(s, t), {s}}; }},
      {"corn", [](Graph& g, Rng& r) {  // tasks 2, 3 see one sample each; task 3 of row 2 is ineligible
         Var s = g.leaf(randn({4, 4}, r, 2.0f));
         return Built{corn(s, target({0, 1, 2, 4}, 5)), {s}}; }},
      {"corn", [](Graph& g, Rng& r) {  // tasks 2 and 3 have no eligible sample at all; weighted
         Var s = g.leaf(randn({4, 4}, r, 2.0f));
         LossTarget t = target({0, 1, 0, 1}, 5);
         t.sample_weights = {1, 2, 0.5f, 1};
         t.class_weights = {1, 0.7f, 1, 1, 1};
         return Built{corn(s, t), {s}}; }},
      {"clm", [](Graph& g, Rng& r) {  // logit; tail labels 0 and K-1 included
         Var c = g.leaf(ordered(5, 4, r));
         return Built{clm(c, target({0, 4, 2, 1, 3}, 5), ClmLink::logit), {c}}; }},
      {"clm", [](Graph& g, Rng& r) {  // probit, weighted
         Var c = g.leaf(ordered(5, 4, r));
         LossTarget t = target({4, 0, 3, 2, 1}, 5);
         t.sample_weights = {1, 2, 0.5f, 1, 1.5f};
         return Built{clm(c, t, ClmLink::probit), {c}}; }},
      {"reg_l1", [](Graph& g, Rng&) {
         LossTarget t = target({0, 3, 1, 2, 4, 4}, 5);
         Var s = g.leaf(residual_scores(t, kResiduals));
         return Built{reg_loss(s, t, RegDistance::l1), {s}}; }},
      {"reg_l2", [](Graph& g, Rng&) {  // class values and weights
         LossTarget t = target({0, 3, 1, 2, 4, 4}, 5);
         t.values = {0, 1, 3, 6, 10};
         t.class_weights = {1, 2, 1, 0.5f, 1};
         Var s = g.leaf(residual_scores(t, kResiduals));
         return Built{reg_loss(s, t, RegDistance::l2), {s}}; }},
      {"reg_huber", [](Graph& g, Rng&) {
         LossTarget t = target({0, 3, 1, 2, 4, 4}, 5);
         Var s = g.leaf(residual_scores(t, kResiduals));
         return Built{reg_loss(s, t, RegDistance::huber, 1.0f), {s}}; }},
      {"coral_head", [](Graph& g, Rng& r) {
         Var x = g.leaf(randn({3, 4}, r)), w = g.leaf(randn({1, 4}, r)), b = g.leaf(randn({3}, r));
         return Built{coral_head(x, w, b), {x, w, b}}; }},
      {"clm_head", [](Graph& g, Rng& r) {
         Var x = g.leaf(randn({3, 4}, r)), w = g.leaf(randn({1, 4}, r));
         Var t0 = g.leaf(randn({1}, r)), d = g.leaf(randn({3}, r));
         return Built{clm_head(x, w, t0, d), {x, w, t0, d}}; }},
  };
}
