// Gradient-check rows for the group-total nodes (losses/group_total.h: total_dist,
// total_nll, total_crps, total_ev_l1). See grad_rows.h. Each node has a small
// case (G = 3, K = 4), the user's case (G = 8, K = 30) and a case with explicit
// group ids of unequal sizes.
#include <algorithm>
#include <cmath>

#include "grad_rows.h"
#include "helpers.h"
#include "losses/group_total.h"

using namespace og;
using test::target;
using test::Built;
using test::randn;

namespace {

// n labels in [0,K) from the row's generator.
std::vector<int> random_labels(int n, int K, Rng& r) {
  std::vector<int> y(n);
  for (int& v : y) v = static_cast<int>(r.below(K));
  return y;
}

// Logits [N,K] (sd 2) such that every group's e = sum_i mu_i - T satisfies
// |e| > 2 * 2h (K-1), h = 0.01 max(1, max |z|): a stencil point moves one logit by
// at most 2h, which moves mu_i by at most 2h max_m |p_m (m - mu_i)| <= 2h (K-1),
// so no finite-difference stencil crosses the kink of |e|. Groups are redrawn
// until so.
Tensor logits_off_kink(const LossTarget& t, int group, const std::vector<int>* ids, Rng& r) {
  const int64_t N = t.labels.size(), K = t.K;
  const GroupLayout l = group_layout("test", N, group, ids);
  Tensor z = Tensor::empty({N, K});
  for (int g = 0; g < l.count(); ++g) {
    for (bool ok = false; !ok;) {
      double e = 0, zmax = 1;
      for (int i = 0; i < l.size(g); ++i) {
        float* zi = z.data() + int64_t(l.members(g)[i]) * K;
        double s = 0, mu = 0;
        for (int64_t k = 0; k < K; ++k) s += std::exp(zi[k] = 2.0f * r.normal());
        for (int64_t k = 0; k < K; ++k) mu += k * std::exp(zi[k]) / s;
        for (int64_t k = 0; k < K; ++k) zmax = std::max(zmax, std::fabs(double(zi[k])));
        e += mu - t.labels[l.members(g)[i]];
      }
      ok = std::fabs(e) > 2 * 0.02 * zmax * (K - 1);
    }
  }
  return z;
}

// G = 8, K = 30: the outputs are float32, and the checked functions are flat in
// each single logit (a total over 8 items barely moves when one logit does), so at
// the default step the rounding of the output (ulp 4.8e-7 at L ~ 4) divided by h
// is a sizeable part of the gradient. Measured over 12 seeds, the worst
// error/tolerance at the default step 1e-2 was 1.03 (total_dist), 0.88
// (total_crps) and 4.5 (total_nll, whose gradients p - q are only ~0.04 when T is
// a typical total). Step 2e-2 halves that noise (the O(h^4) truncation error stays
// far below it: the worst ratios fell to 0.51 and 0.45); total_nll further needs
// atol 1e-3 of its largest gradient (worst 0.50) -- still 1000 times finer than a
// wrong sign or a missing term.
GradCheckOptions wide_step(double atol) {
  GradCheckOptions o;
  o.step = 2e-2;
  o.atol = atol;
  return o;
}
const GradCheckOptions kWideStep = wide_step(2e-4), kWideStepLooseAtol = wide_step(1e-3);

// Unequal groups for 7 rows: id 2 -> rows {0,2,5}, id 0 -> {1,4}, id 5 -> {3}, id 7 -> {6}.
const std::vector<int> kIds = {2, 0, 2, 5, 0, 2, 7};

}  // namespace

std::vector<test::GradRow> test::group_rows() {
  return {
      {"total_dist", [](Graph& g, Rng& r) { Var z = g.leaf(randn({6, 4}, r, 2.0f)); return Built{total_dist(z, 3), {z}}; }},
      {"total_dist", [](Graph& g, Rng& r) { Var z = g.leaf(randn({8, 30}, r, 2.0f)); return Built{total_dist(z, 8), {z}}; }, kWideStep},
      {"total_dist", [](Graph& g, Rng& r) { Var z = g.leaf(randn({7, 4}, r, 2.0f)); return Built{total_dist(z, 0, &kIds), {z}}; }},
      {"total_nll", [](Graph& g, Rng& r) {
         Var z = g.leaf(randn({6, 4}, r, 2.0f));
         return Built{total_nll(z, target({0, 3, 2, 1, 1, 3}, 4), 3), {z}};
       }},
      {"total_nll", [](Graph& g, Rng& r) {
         Var z = g.leaf(randn({8, 30}, r, 2.0f));
         return Built{total_nll(z, target(random_labels(8, 30, r), 30), 8), {z}};
       }, kWideStepLooseAtol},
      {"total_nll", [](Graph& g, Rng& r) {  // D[T] < 1e-250: the log-space path
         // Every item favours class 0 by ~80 nats over class 29; the total 8 * 29 needs all 8 at 29.
         Tensor zt = randn({8, 30}, r, 2.0f);
         for (int i = 0; i < 8; ++i) zt[i * 30] += 40.0f, zt[i * 30 + 29] -= 40.0f;
         Var z = g.leaf(zt);
         Var l = total_nll(z, target(std::vector<int>(8, 29), 30), 8);
         OG_CHECK(l.value().item() > 600.0f, "row meant for the log-space path");  // -log 1e-250 = 575.6
         return Built{l, {z}};
       }, kWideStepLooseAtol},
      {"total_nll", [](Graph& g, Rng& r) {  // unequal groups, sample weights
         Var z = g.leaf(randn({7, 4}, r, 2.0f));
         return Built{total_nll(z, target({3, 0, 1, 2, 3, 0, 1}, 4, {1, 2, 0.5f, 1, 3, 1, 0.25f}), 0, &kIds), {z}};
       }},
      {"total_crps", [](Graph& g, Rng& r) {
         Var z = g.leaf(randn({6, 4}, r, 2.0f));
         return Built{total_crps(z, target({0, 3, 2, 1, 1, 3}, 4), 3), {z}};
       }},
      {"total_crps", [](Graph& g, Rng& r) {
         Var z = g.leaf(randn({8, 30}, r, 2.0f));
         return Built{total_crps(z, target(random_labels(8, 30, r), 30), 8), {z}};
       }, kWideStep},
      {"total_crps", [](Graph& g, Rng& r) {  // unequal groups, sample weights
         Var z = g.leaf(randn({7, 4}, r, 2.0f));
         return Built{total_crps(z, target({3, 0, 1, 2, 3, 0, 1}, 4, {1, 2, 0.5f, 1, 3, 1, 0.25f}), 0, &kIds), {z}};
       }},
      {"total_ev_l1", [](Graph& g, Rng& r) {
         LossTarget t = target({0, 3, 2, 1, 1, 3}, 4);
         Var z = g.leaf(logits_off_kink(t, 3, nullptr, r));
         return Built{total_ev_l1(z, t, 3), {z}};
       }},
      {"total_ev_l1", [](Graph& g, Rng& r) {
         LossTarget t = target(random_labels(8, 30, r), 30);
         Var z = g.leaf(logits_off_kink(t, 8, nullptr, r));
         return Built{total_ev_l1(z, t, 8), {z}};
       }},
      {"total_ev_l1", [](Graph& g, Rng& r) {  // unequal groups, sample weights
         LossTarget t = target({3, 0, 1, 2, 3, 0, 1}, 4, {1, 2, 0.5f, 1, 3, 1, 0.25f});
         Var z = g.leaf(logits_off_kink(t, 0, &kIds, r));
         return Built{total_ev_l1(z, t, 0, &kIds), {z}};
       }},
  };
}
