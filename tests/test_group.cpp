// Totals of groups (losses/group_total.h): the total's distribution against a
// hand-verified example and brute-force enumeration, the fused losses against the
// same losses written in primitive ops, stability at saturated logits, point and
// interval predictions (hand cases and empirical coverage), thread independence
// and errors. The finite-difference checks are rows of the gradient table
// (grad_rows_group.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/parallel.h"
#include "helpers.h"
#include "losses/group_total.h"

using namespace og;
using test::target;

namespace {

// softmax of each row of z [N,K], rounded to float (what a model reports).
std::vector<float> softmax_rows(const Tensor& z) {
  const int64_t N = z.shape()[0], K = z.shape()[1];
  std::vector<float> p(N * K);
  for (int64_t i = 0; i < N; ++i) {
    double m = z[i * K], s = 0;
    for (int64_t k = 1; k < K; ++k) m = std::max(m, double(z[i * K + k]));
    for (int64_t k = 0; k < K; ++k) s += std::exp(z[i * K + k] - m);
    for (int64_t k = 0; k < K; ++k) p[i * K + k] = float(std::exp(z[i * K + k] - m) / s);
  }
  return p;
}

// D by enumerating all K^G label combinations of G items (probs [G,K]).
std::vector<double> brute_force(const float* probs, int G, int K) {
  std::vector<double> d(G * (K - 1) + 1, 0.0);
  std::vector<int> y(G, 0);
  for (bool more = true; more;) {
    double p = 1;
    int total = 0;
    for (int i = 0; i < G; ++i) p *= probs[i * K + y[i]], total += y[i];
    d[total] += p;
    more = false;
    for (int i = 0; i < G && !more; ++i) {  // next combination, like an odometer
      if (++y[i] < K) more = true;
      else y[i] = 0;
    }
  }
  return d;
}

using LossFn = std::function<Var(Var, const LossTarget&, int, const std::vector<int>*)>;

struct Evaluated {
  double loss;
  std::vector<float> grad;
};

Evaluated evaluate(const LossFn& f, const Tensor& z, const LossTarget& t, int G,
                   const std::vector<int>* ids = nullptr) {
  Graph g;
  Var x = g.leaf(z.clone());
  Var loss = f(x, t, G, ids);
  g.backward(loss);
  return {loss.value().item(), x.grad().to_vector()};
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::fabs(double(x)));
  return m;
}

bool all_finite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

// The normalised group weights as documented: mean item sample weight, over their sum.
std::vector<float> group_weights(const GroupLayout& l, const LossTarget& t) {
  std::vector<float> w(l.count());
  double total = 0;
  for (int g = 0; g < l.count(); ++g) {
    double s = 0;
    for (int i = 0; i < l.size(g); ++i) s += t.sample_weights.empty() ? 1.0 : t.sample_weights[l.members(g)[i]];
    total += w[g] = float(s / l.size(g));
  }
  for (float& x : w) x = float(x / total);
  return w;
}

// The three losses written with primitive ops (and total_dist, checked on its own
// against enumeration above and by the gradient table).
Var ref_total_nll(Var z, const LossTarget& t, int G, const std::vector<int>* ids) {
  Graph& g = *z.graph;
  const GroupLayout l = group_layout("ref", z.shape()[0], G, ids);
  const std::vector<float> w = group_weights(l, t);
  Var lg = -log(gather(total_dist(z, G, ids), group_totals(l, t.labels)));  // [groups]
  return sum(lg * g.input(Tensor::from({l.count()}, w)));
}

Var ref_total_crps(Var z, const LossTarget& t, int G, const std::vector<int>* ids) {
  Graph& g = *z.graph;
  const GroupLayout l = group_layout("ref", z.shape()[0], G, ids);
  const std::vector<int> T = group_totals(l, t.labels);
  Var D = total_dist(z, G, ids);
  const int64_t W = D.shape()[1];
  Tensor step = Tensor::zeros({l.count(), W});  // 1[t >= T_g]
  for (int gi = 0; gi < l.count(); ++gi)
    for (int64_t u = T[gi]; u < W; ++u) step[gi * W + u] = 1;
  Var lg = sum(square(cumsum(D) - g.input(step)), 1);  // [groups,1]
  return sum(lg * g.input(Tensor::from({l.count(), 1}, group_weights(l, t))));
}

Var ref_total_ev_l1(Var z, const LossTarget& t, int G, const std::vector<int>* ids) {
  Graph& g = *z.graph;
  const int64_t N = z.shape()[0], K = z.shape()[1];
  const GroupLayout l = group_layout("ref", N, G, ids);
  std::vector<float> values(K), member(l.count() * N, 0.0f), T(l.count());
  for (int64_t k = 0; k < K; ++k) values[k] = float(k);
  for (int gi = 0; gi < l.count(); ++gi)
    for (int i = 0; i < l.size(gi); ++i) member[gi * N + l.members(gi)[i]] = 1;
  for (int gi = 0; gi < l.count(); ++gi) T[gi] = float(group_totals(l, t.labels)[gi]);
  Var mu = sum(softmax(z) * g.input(Tensor::from({K}, values)), 1);            // [N,1]
  Var totals = matmul(g.input(Tensor::from({l.count(), N}, member)), mu);      // [groups,1]
  Var lg = abs(totals - g.input(Tensor::from({l.count(), 1}, T)));
  return sum(lg * g.input(Tensor::from({l.count(), 1}, group_weights(l, t))));
}

// Unequal groups for 7 rows: id 2 -> rows {0,2,5}, id 0 -> {1,4}, id 5 -> {3}, id 7 -> {6}.
const std::vector<int> kIds = {2, 0, 2, 5, 0, 2, 7};

}  // namespace

// ---------------------------------------------------------------- the distribution

// The verified example: items (0.1,0.6,0.3), (0.5,0.5,0), (0.2,0.2,0.6).
// By hand: (.1,.6,.3) * (.5,.5,0) = (.05,.35,.45,.15), then * (.2,.2,.6):
// D = (.01, .08, .19, .33, .30, .09, 0), mean .08+.38+.99+1.2+.45 = 3.1, CDF
// (.01,.09,.28,.61,.91,1,1): median 3, mode 3, 80% interval [2,4] (CDF >= .1 and
// >= .9), 95% interval [1,5] (CDF >= .025 and >= .975).
TEST_CASE("total_distribution and predict_total: the verified three-item example") {
  const float probs[] = {0.1f, 0.6f, 0.3f, 0.5f, 0.5f, 0.0f, 0.2f, 0.2f, 0.6f};
  const std::vector<double> D = total_distribution(probs, 3, 3);
  const double expect[] = {0.01, 0.08, 0.19, 0.33, 0.30, 0.09, 0.0};
  REQUIRE(D.size() == 7);
  for (int t = 0; t < 7; ++t) CHECK(std::fabs(D[t] - expect[t]) <= 1e-7);
  const TotalPrediction p80 = predict_total(D.data(), 7, 0.8);
  CHECK(std::fabs(p80.mean - 3.1) <= 1e-6);
  CHECK(p80.median == 3);
  CHECK(p80.mode == 3);
  CHECK(p80.lo == 2);
  CHECK(p80.hi == 4);
  const TotalPrediction p95 = predict_total(D.data(), 7, 0.95);
  CHECK(p95.lo == 1);
  CHECK(p95.hi == 5);
}

TEST_CASE("total_dist: the verified example from logits log(p)") {
  // log 0 is replaced by log 1e-30: the third item puts 1e-30 on class 2.
  const std::vector<float> z = {std::log(0.1f), std::log(0.6f), std::log(0.3f),
                                std::log(0.5f), std::log(0.5f), std::log(1e-30f),
                                std::log(0.2f), std::log(0.2f), std::log(0.6f)};
  Graph g;
  Var D = total_dist(g.input(Tensor::from({3, 3}, z)), 3);
  REQUIRE(D.shape() == Shape{1, 7});
  const double expect[] = {0.01, 0.08, 0.19, 0.33, 0.30, 0.09, 0.0};
  for (int t = 0; t < 7; ++t) CHECK(std::fabs(D.value()[t] - expect[t]) <= 1e-6);
  CHECK(std::string(D.node->name()) == "total_dist");
}

TEST_CASE("total_dist equals brute-force enumeration of all label combinations") {
  Rng rng(5);
  for (auto [G, K] : {std::pair{4, 3}, std::pair{3, 5}, std::pair{1, 4}, std::pair{5, 2}}) {
    INFO("G = ", G, ", K = ", K);
    const int groups = 3;
    const Tensor z = test::randn({groups * G, K}, rng, 1.5f);
    Graph g;
    Var D = total_dist(g.input(z), G);
    REQUIRE(D.shape() == Shape{groups, G * (K - 1) + 1});
    const std::vector<float> p = softmax_rows(z);
    for (int gi = 0; gi < groups; ++gi) {
      const float* pg = p.data() + gi * G * K;
      const std::vector<double> exact = brute_force(pg, G, K);
      const std::vector<double> plain = total_distribution(pg, G, K);
      REQUIRE(plain.size() == exact.size());
      double mass = 0;
      for (size_t t = 0; t < exact.size(); ++t) {
        CHECK(std::fabs(plain[t] - exact[t]) <= 1e-12);
        CHECK(std::fabs(D.value()[gi * exact.size() + t] - exact[t]) <= 1e-6);
        mass += exact[t];
      }
      CHECK(std::fabs(mass - 1) <= 1e-6);  // the enumeration itself is a distribution
    }
  }
}

TEST_CASE("group ids: groups by first appearance, unequal sizes, zero padding") {
  const GroupLayout l = group_layout("t", 7, 0, &kIds);
  REQUIRE(l.count() == 4);
  CHECK(l.max_size == 3);
  CHECK(std::vector<int>(l.members(0), l.members(0) + l.size(0)) == std::vector<int>{0, 2, 5});
  CHECK(std::vector<int>(l.members(1), l.members(1) + l.size(1)) == std::vector<int>{1, 4});
  CHECK(std::vector<int>(l.members(2), l.members(2) + l.size(2)) == std::vector<int>{3});
  CHECK(std::vector<int>(l.members(3), l.members(3) + l.size(3)) == std::vector<int>{6});
  CHECK(group_totals(l, {3, 0, 1, 2, 3, 0, 1}) == std::vector<int>{4, 3, 2, 1});

  Rng rng(8);
  const int K = 4;
  const Tensor z = test::randn({7, K}, rng, 1.5f);
  Graph g;
  Var D = total_dist(g.input(z), 0, &kIds);
  const int64_t W = 3 * (K - 1) + 1;
  REQUIRE(D.shape() == Shape{4, W});
  const std::vector<float> p = softmax_rows(z);
  for (int gi = 0; gi < 4; ++gi) {
    std::vector<float> rows;
    for (int i = 0; i < l.size(gi); ++i)
      rows.insert(rows.end(), p.begin() + l.members(gi)[i] * K, p.begin() + (l.members(gi)[i] + 1) * K);
    const std::vector<double> d = total_distribution(rows.data(), l.size(gi), K);
    for (int64_t t = 0; t < W; ++t) {
      const double expect = t < int64_t(d.size()) ? d[t] : 0.0;  // padded beyond the group's support
      CHECK(std::fabs(D.value()[gi * W + t] - expect) <= 1e-6);
    }
  }
  // Ids that spell out consecutive groups give the consecutive layout's result.
  const std::vector<int> consecutive = {9, 9, 4, 4, 1, 1};
  const Tensor z6 = test::randn({6, K}, rng);
  Graph h;
  CHECK(test::bit_equal(total_dist(h.input(z6), 2).value(), total_dist(h.input(z6), 0, &consecutive).value()));
}

// ---------------------------------------------------------------- losses

TEST_CASE("group losses equal the same losses written in primitive ops, value and gradient") {
  struct Case {
    const char* name;
    LossFn fused, reference;
  };
  const Case cases[] = {
      {"total_nll", [](Var z, const LossTarget& t, int G, const std::vector<int>* ids) { return total_nll(z, t, G, ids); }, ref_total_nll},
      {"total_crps", [](Var z, const LossTarget& t, int G, const std::vector<int>* ids) { return total_crps(z, t, G, ids); }, ref_total_crps},
      {"total_ev_l1", [](Var z, const LossTarget& t, int G, const std::vector<int>* ids) { return total_ev_l1(z, t, G, ids); }, ref_total_ev_l1},
  };
  Rng rng(11);
  for (const Case& c : cases) {
    for (int layout = 0; layout < 3; ++layout) {
      INFO(c.name, " layout ", layout);
      // 0: 4 groups of 3, K = 5;  1: the same with sample weights;  2: unequal ids, weights
      const int G = layout < 2 ? 3 : 0, K = layout < 2 ? 5 : 4;
      const int64_t N = layout < 2 ? 12 : 7;
      const std::vector<int>* ids = layout < 2 ? nullptr : &kIds;
      LossTarget t;
      t.K = K;
      for (int64_t i = 0; i < N; ++i) t.labels.push_back(int(rng.below(K)));
      if (layout > 0)
        for (int64_t i = 0; i < N; ++i) t.sample_weights.push_back(rng.uniform(0.2f, 3.0f));
      const Tensor z = test::randn({N, K}, rng, 2.0f);
      const Evaluated fused = evaluate(c.fused, z, t, G, ids), ref = evaluate(c.reference, z, t, G, ids);
      CHECK(std::fabs(fused.loss - ref.loss) <= 1e-5 * std::fabs(ref.loss) + 1e-7);
      const double scale = max_abs(ref.grad);
      CHECK(scale > 1e-3);
      for (size_t i = 0; i < ref.grad.size(); ++i) CHECK(std::fabs(fused.grad[i] - ref.grad[i]) <= 2e-5 * scale);
    }
  }
}

TEST_CASE("group losses: group weight = mean item sample weight; class weights do not apply") {
  Rng rng(12);
  const Tensor z = test::randn({4, 5}, rng, 2.0f);
  const LossFn fns[] = {
      [](Var x, const LossTarget& t, int G, const std::vector<int>* ids) { return total_nll(x, t, G, ids); },
      [](Var x, const LossTarget& t, int G, const std::vector<int>* ids) { return total_crps(x, t, G, ids); },
      [](Var x, const LossTarget& t, int G, const std::vector<int>* ids) { return total_ev_l1(x, t, G, ids); },
  };
  for (const LossFn& f : fns) {
    // Each group alone, then both with item weights (1,3) and (0.5,0.5): w = 2 and 0.5.
    const Tensor z1 = Tensor::from({2, 5}, std::vector<float>(z.data(), z.data() + 10));
    const Tensor z2 = Tensor::from({2, 5}, std::vector<float>(z.data() + 10, z.data() + 20));
    const double L1 = evaluate(f, z1, target({1, 4}, 5), 2).loss, L2 = evaluate(f, z2, target({0, 2}, 5), 2).loss;
    const double both = evaluate(f, z, target({1, 4, 0, 2}, 5, {1, 3, 0.5f, 0.5f}), 2).loss;
    CHECK(std::fabs(both - (2 * L1 + 0.5 * L2) / 2.5) <= 1e-5 * both);
    LossTarget with_class = target({1, 4, 0, 2}, 5);
    with_class.class_weights = {5, 1, 0.1f, 2, 3};
    CHECK(evaluate(f, z, with_class, 2).loss == evaluate(f, z, target({1, 4, 0, 2}, 5), 2).loss);
  }
}

TEST_CASE("total_ev_l1 is |mean of D - T|, and total_nll is -log D[T]") {
  Rng rng(13);
  const Tensor z = test::randn({8, 6}, rng, 1.5f);
  const LossTarget t = target({0, 5, 2, 3, 1, 1, 4, 2}, 6);
  Graph g;
  Var x = g.input(z);
  const Tensor D = total_dist(x, 4).value();  // 2 groups, 21 entries each
  const int T[2] = {10, 8};
  double ev = 0, nll = 0;
  for (int gi = 0; gi < 2; ++gi) {
    std::vector<double> d(D.data() + gi * 21, D.data() + (gi + 1) * 21);
    ev += std::fabs(predict_total(d.data(), 21, 0.8).mean - T[gi]) / 2;
    nll += -std::log(d[T[gi]]) / 2;
  }
  CHECK(std::fabs(total_ev_l1(x, t, 4).value().item() - ev) <= 1e-5 * ev);
  CHECK(std::fabs(total_nll(x, t, 4).value().item() - nll) <= 1e-5 * nll);
}

// ---------------------------------------------------------------- stability

TEST_CASE("group losses: finite values and gradients at logits of +-80 (G = 8, K = 30)") {
  Rng rng(14);
  const int G = 8, K = 30, N = 32;
  Tensor z = Tensor::empty({N, K});
  for (int64_t i = 0; i < z.numel(); ++i) z[i] = rng.uniform() < 0.5f ? -80.0f : 80.0f;
  for (int64_t i = 0; i < N; i += 3) z[i * K + 7] = 80.0f;  // some rows with ties at the top
  LossTarget t;
  t.K = K;
  for (int i = 0; i < N; ++i) t.labels.push_back(int(rng.below(K)));
  const LossFn fns[] = {
      [](Var x, const LossTarget& tt, int g, const std::vector<int>* ids) { return total_nll(x, tt, g, ids); },
      [](Var x, const LossTarget& tt, int g, const std::vector<int>* ids) { return total_crps(x, tt, g, ids); },
      [](Var x, const LossTarget& tt, int g, const std::vector<int>* ids) { return total_ev_l1(x, tt, g, ids); },
  };
  for (const LossFn& f : fns) {
    const Evaluated e = evaluate(f, z, t, G);
    CHECK(std::isfinite(e.loss));
    CHECK(all_finite(e.grad));
  }
  Graph g;
  Var x = g.leaf(z);
  Var D = total_dist(x, G);
  CHECK(all_finite(D.value().to_vector()));
  g.backward(D, test::randn(D.shape(), rng));
  CHECK(all_finite(x.grad().to_vector()));
}

TEST_CASE("total_nll stays exact where D[T] underflows float and double") {
  SUBCASE("D[T] ~ 1e-40: 8 items with P(y = 1) = sigmoid(-11.5)") {
    // Every item must be 1 for T = 8, so D[8] = p1^8 ~ 1.1e-40 (a float denormal),
    // L = -8 log p1 = 8 softplus(11.5), and the posterior of each item is the point
    // mass at 1: dL/dz_i = p_i - (0, 1) = (p0, -p0).
    Tensor z = Tensor::empty({8, 2});
    for (int i = 0; i < 8; ++i) z[2 * i] = 0.0f, z[2 * i + 1] = -11.5f;
    const double log_p1 = -11.5 - std::log1p(std::exp(-11.5)), p0 = 1 / (1 + std::exp(-11.5));
    CHECK(std::fabs(std::exp(8 * log_p1) / 1.1e-40 - 1) <= 0.02);  // p1 = 1.013e-5
    const Evaluated e = evaluate([](Var x, const LossTarget& t, int G, const std::vector<int>*) { return total_nll(x, t, G); },
                                 z, target(std::vector<int>(8, 1), 2), 8);
    CHECK(std::fabs(e.loss - (-8 * log_p1)) <= 1e-6 * 8 * -log_p1);
    for (int i = 0; i < 8; ++i) {
      CHECK(std::fabs(e.grad[2 * i] - p0) <= 1e-6);
      CHECK(std::fabs(e.grad[2 * i + 1] + p0) <= 1e-6);
    }
  }
  SUBCASE("D[T] = e^-1280: 8 items sure of class 0 (logit 80, others -80), all labelled 29") {
    const int K = 30;
    Tensor z = Tensor::full({8, K}, -80.0f);
    for (int i = 0; i < 8; ++i) z[i * K] = 80.0f;
    // log p_29 = -160 - log(1 + 29 e^-160): L = 8 * 160 (the correction is ~1e-68).
    const Evaluated e = evaluate([](Var x, const LossTarget& t, int G, const std::vector<int>*) { return total_nll(x, t, G); },
                                 z, target(std::vector<int>(8, K - 1), K), 8);
    CHECK(e.loss == doctest::Approx(1280.0).epsilon(1e-6));
    for (int i = 0; i < 8; ++i)  // p - posterior = e_0 - e_29
      for (int k = 0; k < K; ++k) CHECK(e.grad[i * K + k] == doctest::Approx(k == 0 ? 1.0 : k == K - 1 ? -1.0 : 0.0));
  }
}

// ---------------------------------------------------------------- predictions

TEST_CASE("predict_total: hand cases") {
  SUBCASE("point mass") {
    const double D[] = {0, 0, 1, 0};
    for (double level : {0.5, 0.8, 0.95}) {
      const TotalPrediction p = predict_total(D, 4, level);
      CHECK(p.mean == 2.0);
      CHECK(p.median == 2);
      CHECK(p.mode == 2);
      CHECK(p.lo == 2);
      CHECK(p.hi == 2);
    }
  }
  SUBCASE("uniform on 0..9: exact ties at the quantiles, mode the smallest argmax") {
    const std::vector<double> D(10, 0.1);  // CDF(t) = (t+1)/10
    const TotalPrediction p80 = predict_total(D.data(), 10, 0.8);
    CHECK(p80.mean == doctest::Approx(4.5));
    CHECK(p80.median == 4);  // CDF(4) = 0.5 exactly
    CHECK(p80.mode == 0);
    CHECK(p80.lo == 0);      // CDF(0) = 0.1 exactly
    CHECK(p80.hi == 8);      // CDF(8) = 0.9 exactly
    const TotalPrediction p95 = predict_total(D.data(), 10, 0.95);
    CHECK(p95.lo == 0);
    CHECK(p95.hi == 9);
    const TotalPrediction p50 = predict_total(D.data(), 10, 0.5);  // CDF >= .25 and >= .75
    CHECK(p50.lo == 2);
    CHECK(p50.hi == 7);
  }
  SUBCASE("bimodal, and not normalised") {
    const double D[] = {8, 1, 2, 9};  // / 20 = (.4, .05, .1, .45), CDF (.4, .45, .55, 1)
    const TotalPrediction p = predict_total(D, 4, 0.8);
    CHECK(p.mean == doctest::Approx(1.6));  // .05 + .2 + 1.35
    CHECK(p.median == 2);
    CHECK(p.mode == 3);
    CHECK(p.lo == 0);
    CHECK(p.hi == 3);
  }
}

// Groups of 8 items with known (true) distributions over K = 30 labels; each
// item's label is drawn from its distribution, so each group's total is a draw
// from D. Intervals computed from the true D must then cover the drawn totals at
// their nominal rate, or a little above it (discrete intervals are conservative).
TEST_CASE("predict_total: 80% and 95% intervals cover drawn totals at the nominal rate") {
  Rng rng(2024);
  const int G = 8, K = 30, groups = 2000;
  const double levels[2] = {0.8, 0.95};
  int inside[2] = {0, 0};
  double expected[2] = {0, 0};  // mean over groups of P(lo <= total <= hi) under D
  std::vector<float> probs(G * K);
  for (int gi = 0; gi < groups; ++gi) {
    int T = 0;
    for (int i = 0; i < G; ++i) {
      // a bump at a random centre of random width, plus noise
      const float centre = rng.uniform(0.0f, float(K - 1)), width = rng.uniform(0.7f, 5.0f);
      double s = 0;
      std::vector<double> e(K);
      for (int k = 0; k < K; ++k) s += e[k] = std::exp(-0.5 * std::pow((k - centre) / width, 2) + 0.5 * rng.normal());
      for (int k = 0; k < K; ++k) probs[i * K + k] = float(e[k] / s);
      const double u = rng.uniform();
      double cdf = 0;
      int y = 0;
      while (y < K - 1 && (cdf += e[y] / s) <= u) ++y;
      T += y;
    }
    const std::vector<double> D = total_distribution(probs.data(), G, K);
    for (int j = 0; j < 2; ++j) {
      const TotalPrediction p = predict_total(D.data(), int(D.size()), levels[j]);
      double cover = 0;
      for (int t = p.lo; t <= p.hi; ++t) cover += D[t];
      CHECK(cover >= levels[j] - 1e-6);  // by construction, for every group
      expected[j] += cover / groups;
      inside[j] += (p.lo <= T && T <= p.hi);
    }
  }
  for (int j = 0; j < 2; ++j) {
    const double rate = double(inside[j]) / groups, se = std::sqrt(expected[j] * (1 - expected[j]) / groups);
    INFO("level ", levels[j], ": empirical coverage ", rate, ", expected ", expected[j]);
    CHECK(rate >= levels[j] - 0.03);
    CHECK(rate <= levels[j] + 0.04);
    CHECK(std::fabs(rate - expected[j]) <= 4 * se);
  }
}

// ---------------------------------------------------------------- threads, inference

TEST_CASE("group nodes: bit-identical for 1 and 2 threads; same value without gradients") {
  Rng rng(15);
  const int G = 8, K = 30, N = 32 * G;  // enough groups for parallel loops
  LossTarget t;
  t.K = K;
  for (int i = 0; i < N; ++i) t.labels.push_back(int(rng.below(K)));
  for (int i = 0; i < N; ++i) t.sample_weights.push_back(rng.uniform(0.1f, 3.0f));
  const Tensor z = test::randn({N, K}, rng, 2.0f);
  const LossFn fns[] = {
      [](Var x, const LossTarget& tt, int g, const std::vector<int>* ids) { return total_nll(x, tt, g, ids); },
      [](Var x, const LossTarget& tt, int g, const std::vector<int>* ids) { return total_crps(x, tt, g, ids); },
      [](Var x, const LossTarget& tt, int g, const std::vector<int>* ids) { return total_ev_l1(x, tt, g, ids); },
      [](Var x, const LossTarget&, int g, const std::vector<int>* ids) {  // total_dist, projected
        Rng r(3);
        return sum(total_dist(x, g, ids) * x.graph->input(test::randn({N / g, g * (K - 1) + 1}, r)));
      },
  };
  const int keep = num_threads();
  for (const LossFn& f : fns) {
    set_num_threads(1);
    const Evaluated one = evaluate(f, z, t, G);
    set_num_threads(2);
    const Evaluated two = evaluate(f, z, t, G);
    CHECK(one.loss == two.loss);
    CHECK(one.grad == two.grad);
    Graph g;
    g.set_grad_enabled(false);
    CHECK(f(g.leaf(z), t, G, nullptr).value().item() == float(two.loss));
  }
  set_num_threads(keep);
}

// ---------------------------------------------------------------- errors

TEST_CASE("group nodes: errors name the op and the shapes") {
  Graph g;
  Var z = g.leaf(Tensor::zeros({7, 4}));
  const std::vector<int> labels = {0, 1, 2, 3, 0, 1, 2};
  CHECK_THROWS_WITH_AS(total_dist(z, 3), "total_dist: N = 7 rows are not a multiple of the group size 3", Error);
  CHECK_THROWS_WITH_AS(total_dist(z, 0), "total_dist: group size 0 must be >= 1", Error);
  CHECK_THROWS_WITH_AS(total_nll(z, target(labels, 4), 2), "total_nll: N = 7 rows are not a multiple of the group size 2", Error);
  CHECK_THROWS_WITH_AS(total_crps(z, target(labels, 4), -1), "total_crps: group size -1 must be >= 1", Error);
  CHECK_THROWS_WITH_AS(total_ev_l1(z, target({0, 1, 4, 3, 0, 1, 2}, 4), 7),
                       "total_ev_l1: label 4 out of range [0,4) at row 2", Error);
  CHECK_THROWS_WITH_AS(total_nll(z, target({0, 1, 2, 3, 0, -1, 2}, 4), 7),
                       "total_nll: label -1 out of range [0,4) at row 5", Error);
  const std::vector<int> six_ids = {0, 0, 1, 1, 2, 2};
  CHECK_THROWS_WITH_AS(total_dist(z, 0, &six_ids), "total_dist: 6 group ids for N = 7 rows", Error);
  CHECK_THROWS_WITH_AS(total_crps(z, target(labels, 4), 0, &six_ids), "total_crps: 6 group ids for N = 7 rows", Error);
  CHECK_THROWS_WITH_AS(total_nll(z, target(labels, 5), 7), "total_nll: logits [7,4] have 4 classes, the target has K = 5",
                       Error);
  CHECK_THROWS_WITH_AS(total_nll(z, target({0, 1}, 4), 7), "total_nll: 2 labels for logits [7,4]", Error);
  LossTarget valued = target(labels, 4);
  valued.values = {0, 1, 2, 4};
  CHECK_THROWS_WITH_AS(total_ev_l1(z, valued, 7),
                       "total_ev_l1: totals are sums of the labels 0..K-1; class values (4 given) are not supported",
                       Error);
  CHECK_THROWS_WITH_AS(total_crps(z, target(labels, 4, {1, 1, 1, -2, 1, 1, 1}), 7),
                       "total_crps: weight of row 3 is -2 (weights must be finite and >= 0)", Error);
  CHECK_THROWS_WITH_AS(total_dist(g.leaf(Tensor::zeros({8})), 2), "total_dist: logits must be [N,K] with K >= 1, got [8]",
                       Error);

  const double D[] = {0.5, 0.5};
  CHECK_THROWS_WITH_AS(predict_total(D, 2, 1.0), "predict_total: level 1 outside (0,1)", Error);
  CHECK_THROWS_WITH_AS(predict_total(D, 0, 0.8), "predict_total: empty distribution (len = 0)", Error);
  const double negative[] = {0.5, -0.1};
  CHECK_THROWS_WITH_AS(predict_total(negative, 2, 0.8), "predict_total: D[1] = -0.1 (must be finite and >= 0)", Error);
  const float bad[] = {0.5f, -0.5f};
  CHECK_THROWS_WITH_AS(total_distribution(bad, 1, 2),
                       "total_distribution: probability -0.5 of item 0, class 1 (must be finite and >= 0)", Error);
  CHECK_THROWS_WITH_AS(total_distribution(bad, 0, 2),
                       "total_distribution: needs G >= 1 items of K >= 1 classes, got G = 0, K = 2", Error);
}
