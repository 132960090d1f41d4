// Gradient-check rows for the loss nodes (losses/). See grad_rows.h.
#include <cmath>

#include "grad_rows.h"
#include "helpers.h"
#include "losses/cdw_ce.h"
#include "losses/ce.h"
#include "losses/cum_bce.h"
#include "losses/ev.h"
#include "losses/mean_var.h"
#include "losses/rps.h"
#include "losses/soft_target.h"

using namespace og;
using test::target;
using test::Built;
using test::randn;

namespace {

// Logits [N,K] (sd 2) whose expected value mu_i = sum_k v_k p_ik stays more than 0.3
// away from v_{y_i} + c for each kink offset c (rows are redrawn until so). A
// finite-difference step of 2h = 0.02 max(1,|z|) moves mu by at most 2h times
// |dmu/dz_k| = p_k (1 - p_k) |v_k - mean of the other classes| <= (v_max - v_min)/4,
// i.e. <= 0.02 |z| for K = 5: well under 0.3, so every stencil stays on one side.
Tensor logits_off_kinks(const LossTarget& t, Rng& r, const std::vector<float>& kinks) {
  const int64_t N = t.labels.size(), K = t.K;
  Tensor z = Tensor::empty({N, K});
  for (int64_t i = 0; i < N; ++i) {
    for (bool ok = false; !ok;) {
      double s = 0, mu = 0;
      for (int64_t k = 0; k < K; ++k) s += std::exp(z[i * K + k] = 2.0f * r.normal());
      for (int64_t k = 0; k < K; ++k) mu += t.value(k) * std::exp(z[i * K + k]) / s;
      ok = true;
      for (float c : kinks) ok = ok && std::fabs(mu - t.value(t.labels[i]) - c) > 0.3;
    }
  }
  return z;
}

}  // namespace

std::vector<test::GradRow> test::loss_rows() {
  return {
      {"ce", [](Graph& g, Rng& r) { Var z = g.leaf(randn({4, 5}, r, 2.0f)); return Built{cross_entropy(z, {0, 4, 2, 2}), {z}}; }},
      {"ce", [](Graph& g, Rng& r) {
         Var z = g.leaf(randn({4, 5}, r, 2.0f));
         CeOptions o;
         o.class_weights = {1, 2, 0.5f, 3, 1};
         o.sample_weights = {1, 0.25f, 2, 1};
         o.label_smoothing = 0.1f;
         return Built{cross_entropy(z, {0, 4, 2, 3}, o), {z}};
       }},
      {"rps", [](Graph& g, Rng& r) { Var z = g.leaf(randn({4, 5}, r, 2.0f)); return Built{rps(z, target({0, 4, 2, 1}, 5)), {z}}; }},
      {"rps", [](Graph& g, Rng& r) {  // normalised, with class and sample weights
         LossTarget t = target({3, 0, 5, 2, 3}, 6);
         t.class_weights = {1, 0.5f, 2, 3, 1, 0.25f};
         t.sample_weights = {1, 2, 0.5f, 1, 1.5f};
         Var z = g.leaf(randn({5, 6}, r, 2.0f));
         return Built{rps(z, t, true), {z}};
       }},
      {"ev_l1", [](Graph& g, Rng& r) {
         LossTarget t = target({0, 4, 2, 1, 3}, 5);
         Var z = g.leaf(logits_off_kinks(t, r, {0}));
         return Built{ev_loss(z, t, EvDistance::l1), {z}};
       }},
      {"ev_l2", [](Graph& g, Rng& r) {  // with class values and sample weights
         LossTarget t = target({0, 4, 2, 1, 3}, 5);
         t.values = {0, 0.5f, 2, 3, 5};
         t.sample_weights = {1, 0.5f, 2, 1, 3};
         Var z = g.leaf(randn({5, 5}, r, 2.0f));
         return Built{ev_loss(z, t, EvDistance::l2), {z}};
       }},
      {"ev_huber", [](Graph& g, Rng& r) {  // rows on both sides of delta = 1 (checked once: 2 of 6 inside)
         LossTarget t = target({0, 4, 2, 1, 3, 2}, 5);
         Var z = g.leaf(logits_off_kinks(t, r, {-1, 1}));
         return Built{ev_loss(z, t, EvDistance::huber, 1.0f), {z}};
       }},
      {"cum_bce", [](Graph& g, Rng& r) {  // with class weights
         LossTarget t = target({0, 5, 2, 3, 1}, 6);
         t.class_weights = {2, 1, 0.5f, 1, 1, 3};
         Var z = g.leaf(randn({5, 6}, r, 2.0f));
         return Built{cum_bce(z, t), {z}};
       }},
      {"cdw_ce", [](Graph& g, Rng& r) { Var z = g.leaf(randn({4, 5}, r, 2.0f)); return Built{cdw_ce(z, target({0, 4, 2, 1}, 5)), {z}}; }},
      {"cdw_ce", [](Graph& g, Rng& r) {  // alpha = 2, normalised, class and sample weights
         LossTarget t = target({3, 0, 5, 2, 4}, 6);
         t.class_weights = {1, 0.5f, 2, 3, 1, 0.25f};
         t.sample_weights = {1, 2, 0.5f, 1, 1.5f};
         Var z = g.leaf(randn({5, 6}, r, 2.0f));
         return Built{cdw_ce(z, t, 2.0f, true), {z}};
       }},
      {"sord", [](Graph& g, Rng& r) { Var z = g.leaf(randn({4, 5}, r, 2.0f)); return Built{sord(z, target({0, 4, 2, 1}, 5)), {z}}; }},
      {"sord", [](Graph& g, Rng& r) {  // squared distance, class values
         LossTarget t = target({0, 4, 2, 1}, 5);
         t.values = {0, 0.5f, 2, 3, 5};
         Var z = g.leaf(randn({4, 5}, r, 2.0f));
         return Built{sord(z, t, 0.7f, true), {z}};
       }},
      {"gauss_ld", [](Graph& g, Rng& r) {  // class values, sample weights
         LossTarget t = target({0, 4, 2, 1, 3}, 5);
         t.values = {0, 0.5f, 2, 3, 5};
         t.sample_weights = {1, 0.5f, 2, 1, 3};
         Var z = g.leaf(randn({5, 5}, r, 2.0f));
         return Built{gauss_ld(z, t, 1.5f), {z}};
       }},
      {"mean_var", [](Graph& g, Rng& r) { Var z = g.leaf(randn({4, 5}, r, 2.0f)); return Built{mean_var(z, target({0, 4, 2, 1}, 5)), {z}}; }},
      {"mean_var", [](Graph& g, Rng& r) {  // large lambdas so the mean and variance terms dominate
         LossTarget t = target({0, 4, 2, 1, 3}, 5);
         t.values = {0, 0.5f, 2, 3, 5};
         t.class_weights = {1, 2, 0.5f, 1, 3};
         Var z = g.leaf(randn({5, 5}, r, 2.0f));
         return Built{mean_var(z, t, 1.0f, 0.5f), {z}};
       }},
  };
}
