// Ordinal losses of the cumulative and regression heads (coral, corn, clm, reg_*) and
// their heads: golden values, fused node vs the same loss from primitive ops, stability
// at extreme logits, decoders, ClmHead threshold order, errors, and a fit on data drawn
// from a known proportional-odds model.
//
// Golden values were computed offline with python3 in double precision straight from
// the formulas (coral and corn also from the published reference code's definitions:
// coral_pytorch coral_loss = mean over samples of the sum over tasks of
// -(log sigmoid(s) T + (log sigmoid(s) - s)(1 - T)); corn_loss = the sum of per-task BCE
// over the eligible samples y > k-1, divided by the number of eligible pairs). Far
// probit tails came from Laplace's continued fraction for the Mills ratio, a method
// independent of the asymptotic series in clm.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "core/ops.h"
#include "helpers.h"
#include "layers/ordinal_head.h"
#include "losses/clm.h"
#include "losses/coral.h"
#include "losses/corn.h"
#include "losses/cumulative.h"
#include "losses/reg.h"

using namespace og;
using test::target;
using test::randn;

namespace {
// The value of a scalar loss and the gradients of its leaves, on a fresh graph.
struct Run {
  double value;
  std::vector<Tensor> grads;
};
using Builder = std::function<Var(Graph&, const std::vector<Var>&)>;
Run run(const std::vector<Tensor>& leaves, const Builder& build) {
  Graph g;
  std::vector<Var> vars;
  for (const Tensor& t : leaves) vars.push_back(g.leaf(t.clone()));
  Var loss = build(g, vars);
  g.backward(loss);
  Run r{loss.value().item(), {}};
  for (Var v : vars) r.grads.push_back(v.grad().clone());
  return r;
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(double(t[i])));
  return m;
}

// The fused loss and its composite from primitive ops agree in value and gradient.
void check_same(const std::vector<Tensor>& leaves, const Builder& fused, const Builder& reference) {
  const Run a = run(leaves, fused), b = run(leaves, reference);
  CHECK(a.value == doctest::Approx(b.value).epsilon(2e-6));
  for (size_t i = 0; i < leaves.size(); ++i) {
    const double scale = std::max(1e-3, max_abs(b.grads[i]));
    for (int64_t j = 0; j < leaves[i].numel(); ++j) {
      INFO("leaf ", i, " element ", j);
      CHECK(std::fabs(a.grads[i][j] - b.grads[i][j]) <= 2e-6 * scale);
    }
  }
}

void check_finite(const Run& r) {
  CHECK(std::isfinite(r.value));
  for (const Tensor& t : r.grads)
    for (int64_t i = 0; i < t.numel(); ++i) CHECK(std::isfinite(t[i]));
}

void check_values(const Tensor& g, const std::vector<double>& expected, double rel = 1e-5) {
  REQUIRE(g.numel() == static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("element ", i);
    CHECK(g[i] == doctest::Approx(expected[i]).epsilon(rel).scale(1e-9));
  }
}

// 1[y_i > k] and 1 - 1[y_i > k] as [N,K-1] tensors.
Tensor levels(const std::vector<int>& y, int K, bool complement = false) {
  Tensor t = Tensor::empty({static_cast<int64_t>(y.size()), K - 1});
  for (size_t i = 0; i < y.size(); ++i)
    for (int k = 0; k < K - 1; ++k) t[i * (K - 1) + k] = float((y[i] > k) != complement);
  return t;
}

Tensor column(const std::vector<float>& v) {
  return Tensor::from({static_cast<int64_t>(v.size()), 1}, v);
}

// Four rows of K-1 = 3 logits shared by the coral and corn goldens.
const std::vector<float> kS = {0.5f, -0.2f, -1.3f, 2.0f, 0.7f, -0.4f, -1.1f, -2.2f, -3.0f, 1.5f, 1.0f, 0.2f};
const std::vector<int> kY = {1, 3, 0, 2};

// c = theta - eta for eta = 0.3, theta = (-1, 0.2, 1.5, 2), K = 5.
Tensor clm_row() {
  const double theta[4] = {-1, 0.2, 1.5, 2};
  Tensor c = Tensor::empty({1, 4});
  for (int k = 0; k < 4; ++k) c[k] = static_cast<float>(theta[k] - 0.3);
  return c;
}

double loss_of(const Tensor& c, int y, int K, ClmLink link) {
  Graph g;
  return clm(g.input(c), target({y}, K), link).value().item();
}
}  // namespace

// ---------------------------------------------------------------- golden values

TEST_CASE("clm: golden values, logit and probit links") {
  const Tensor c = clm_row();
  const double logit[5] = {1.5410084538329922, 1.3437875317669972, 1.2258641100680077,
                           2.563820626291485, 1.8677860293862656};
  const double probit[5] = {2.335103278662442, 1.0123290618377325, 0.856235290703659,
                            2.652082890616128, 3.110796097552482};
  for (int y = 0; y < 5; ++y) {
    INFO("label ", y);
    CHECK(loss_of(c, y, 5, ClmLink::logit) == doctest::Approx(logit[y]).epsilon(1e-6));
    CHECK(loss_of(c, y, 5, ClmLink::probit) == doctest::Approx(probit[y]).epsilon(1e-6));
  }
  // the three values of the issue, to 1e-6 relative
  CHECK(loss_of(c, 0, 5, ClmLink::logit) == doctest::Approx(1.541008).epsilon(1e-6));
  CHECK(loss_of(c, 2, 5, ClmLink::logit) == doctest::Approx(1.225864).epsilon(1e-6));
  CHECK(loss_of(c, 4, 5, ClmLink::logit) == doctest::Approx(1.867786).epsilon(1e-6));

  // gradients for y = 2 (double-precision central differences of the formula)
  Run r = run({c}, [](Graph&, const std::vector<Var>& v) { return clm(v[0], target({2}, 5), ClmLink::logit); });
  check_values(r.grads[0], {0, 0.849651333290069, -0.6061057368222933, 0});
  r = run({c}, [](Graph&, const std::vector<Var>& v) { return clm(v[0], target({2}, 5), ClmLink::probit); });
  check_values(r.grads[0], {0, 0.9345377635638918, -0.45716850216592775, 0});
}

TEST_CASE("clm: log Phi in the far tail matches the continued fraction") {
  CHECK(clm_log_cdf(-10, ClmLink::probit) == doctest::Approx(-53.23128515051247).epsilon(1e-12));
  CHECK(clm_log_cdf(-30, ClmLink::probit) == doctest::Approx(-454.32124395634315).epsilon(1e-12));
  CHECK(clm_log_cdf(-40, ClmLink::probit) == doctest::Approx(-804.6084420137538).epsilon(1e-12));
  CHECK(clm_log_cdf(-80, ClmLink::probit) == doctest::Approx(-3205.3011213568902).epsilon(1e-12));
  // both sides of the switch to the series agree
  const double below = clm_log_cdf(-30.0 - 1e-9, ClmLink::probit), above = clm_log_cdf(-30.0 + 1e-9, ClmLink::probit);
  CHECK(std::fabs(below - above) < 1e-7);
  CHECK(clm_log_cdf(3, ClmLink::logit) == doctest::Approx(-0.04858735157374206).epsilon(1e-12));  // -log(1+e^-3)
}

TEST_CASE("coral: golden values, task weights, sample and class weights, gradient") {
  const Tensor s = Tensor::from({4, 3}, kS);
  Run r = run({s}, [](Graph&, const std::vector<Var>& v) { return coral(v[0], target(kY, 4)); });
  CHECK(r.value == doctest::Approx(1.1275433627658773).epsilon(1e-6));
  // dL/ds_ik = (sigmoid(s_ik) - 1[y_i > k]) / N
  check_values(r.grads[0], {-0.09438516719953635, 0.11254150067188054, 0.05354125423936035,
                          -0.02980073050552942, -0.08295305695795846, -0.149671915028113,
                          0.062434973601220585, 0.024937622279921284, 0.011856468294391695,
                          -0.04560638095158909, -0.06723535534249878, 0.1374584993281195});
  r = run({s}, [](Graph&, const std::vector<Var>& v) { return coral(v[0], target(kY, 4), {1, 0.5f, 2}); });
  CHECK(r.value == doctest::Approx(1.4502721038687008).epsilon(1e-6));
  LossTarget t = target(kY, 4);
  t.class_weights = {1, 3, 0.5f, 2};
  t.sample_weights = {1, 0.5f, 2, 1};
  r = run({s}, [&](Graph&, const std::vector<Var>& v) { return coral(v[0], t); });
  CHECK(r.value == doctest::Approx(1.0648032530568425).epsilon(1e-6));
}

TEST_CASE("corn: golden values, tasks without eligible samples, weights") {
  const Tensor s = Tensor::from({4, 3}, kS);
  Graph g;
  CHECK(corn(g.input(s), target(kY, 4)).value().item() == doctest::Approx(0.4572771473208977).epsilon(1e-6));
  // labels {0,1,0,1}: task 2 has no eligible sample, the denominator counts 6 pairs
  CHECK(corn(g.input(s), target({0, 1, 0, 1}, 4)).value().item() ==
        doctest::Approx(0.6677002224541572).epsilon(1e-6));
  LossTarget t = target(kY, 4);
  t.class_weights = {1, 3, 0.5f, 2};
  t.sample_weights = {1, 0.5f, 2, 1};
  CHECK(corn(g.input(s), t).value().item() == doctest::Approx(0.47126835525484995).epsilon(1e-6));

  // gradient by hand: row 2 (y = 0) is eligible for task 0 only; row 0 (y = 1) for tasks 0, 1.
  // 9 eligible pairs: dL/ds_ik = (sigmoid(s_ik) - 1[y_i > k]) / 9 there, 0 elsewhere.
  Run r = run({s}, [](Graph&, const std::vector<Var>& v) { return corn(v[0], target(kY, 4)); });
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  std::vector<double> expected(12, 0.0);
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k <= std::min(kY[i], 2); ++k)
      expected[i * 3 + k] = (sig(kS[i * 3 + k]) - (kY[i] > k)) / 9;
  check_values(r.grads[0], expected);
}

TEST_CASE("reg: golden values of l1, l2, Huber; class values and weights") {
  const Tensor r = column({0.4f, 2.9f, -0.3f, 4.6f});  // residuals 0.4, 0.9, -1.3, 0.6
  const LossTarget t = target({0, 2, 1, 4}, 5);
  Graph g;
  Var x = g.input(r);
  CHECK(reg_loss(x, t, RegDistance::l1).value().item() == doctest::Approx(0.8).epsilon(1e-6));
  CHECK(reg_loss(x, t, RegDistance::l2).value().item() == doctest::Approx(0.755).epsilon(1e-6));
  CHECK(reg_loss(x, t, RegDistance::huber).value().item() == doctest::Approx(0.36625).epsilon(1e-6));
  CHECK(reg_loss(x, t, RegDistance::huber, 0.5f).value().item() == doctest::Approx(0.27625).epsilon(1e-6));
  LossTarget tv = t;
  tv.values = {0, 1, 3, 6, 10};
  tv.class_weights = {1, 2, 1, 0.5f, 4};
  CHECK(reg_loss(x, tv, RegDistance::l1).value().item() == doctest::Approx(3.0875).epsilon(1e-6));
  CHECK(reg_loss(x, tv, RegDistance::l2).value().item() == doctest::Approx(15.02375).epsilon(1e-6));

  // gradients: l1 sign(d)/N, l2 2d/N, Huber clamp(d, -1, 1)/N
  Run a = run({r}, [&](Graph&, const std::vector<Var>& v) { return reg_loss(v[0], t, RegDistance::l1); });
  check_values(a.grads[0], {0.25, 0.25, -0.25, 0.25});
  a = run({r}, [&](Graph&, const std::vector<Var>& v) { return reg_loss(v[0], t, RegDistance::l2); });
  check_values(a.grads[0], {0.2, 0.45, -0.65, 0.3});
  a = run({r}, [&](Graph&, const std::vector<Var>& v) { return reg_loss(v[0], t, RegDistance::huber); });
  check_values(a.grads[0], {0.1, 0.225, -0.25, 0.15});
}

// ---------------------------------------------------------------- fused vs primitive ops

TEST_CASE("coral and corn equal their composites from primitive ops") {
  Rng rng(5);
  const int K = 5;
  const std::vector<int> y = {0, 4, 2, 3, 1, 1};
  const std::vector<float> lambda = {1, 0.5f, 2, 1.5f}, w = {1, 2, 0.5f, 1, 3, 1};
  const Tensor s = randn({6, 4}, rng, 2.0f);
  LossTarget t = target(y, K);
  t.sample_weights = w;
  double total_w = 0;
  for (float x : w) total_w += x;
  check_same({s}, [&](Graph&, const std::vector<Var>& v) { return coral(v[0], t, lambda); },
             [&](Graph& g, const std::vector<Var>& v) {
               Var bce = softplus(-v[0]) * g.input(levels(y, K)) + softplus(v[0]) * g.input(levels(y, K, true));
               Var per_row = sum(bce * g.input(Tensor::from({4}, lambda)), 1);
               return sum(per_row * g.input(column(w))) * float(1 / total_w);
             });

  // corn: pair weights w_i 1[y_i >= k]
  Tensor pair = Tensor::empty({6, 4});
  for (int i = 0; i < 6; ++i)
    for (int k = 0; k < 4; ++k) pair[i * 4 + k] = y[i] >= k ? w[i] : 0.0f;
  check_same({s}, [&](Graph&, const std::vector<Var>& v) { return corn(v[0], t); },
             [&](Graph& g, const std::vector<Var>& v) {
               Var bce = softplus(-v[0]) * g.input(levels(y, K)) + softplus(v[0]) * g.input(levels(y, K, true));
               Var pw = g.input(pair);
               return sum(bce * pw) / sum(pw);
             });
}

TEST_CASE("clm (logit) equals its composite: differences of padded sigmoids") {
  Rng rng(6);
  const int N = 6, K = 5;
  const std::vector<int> y = {0, 4, 2, 3, 1, 4};
  Tensor c = Tensor::empty({N, K - 1});
  for (int i = 0; i < N; ++i) {
    c[i * 4] = rng.uniform(-3, 0);
    for (int k = 1; k < 4; ++k) c[i * 4 + k] = c[i * 4 + k - 1] + rng.uniform(0.2f, 2);
  }
  std::vector<int> above(N);
  for (int i = 0; i < N; ++i) above[i] = y[i] + 1;
  check_same({c}, [&](Graph&, const std::vector<Var>& v) { return clm(v[0], target(y, K), ClmLink::logit); },
             [&](Graph& g, const std::vector<Var>& v) {
               Var F = concat({g.input(Tensor::zeros({N, 1})), sigmoid(v[0]), g.input(Tensor::full({N, 1}, 1))});
               return -mean(log(gather(F, above) - gather(F, y)));
             });
}

TEST_CASE("reg_l1, reg_l2, reg_huber equal their composites") {
  const LossTarget t = [] {
    LossTarget x = target({0, 3, 1, 2, 4}, 5);
    x.values = {0, 1, 3, 6, 10};
    x.class_weights = {1, 2, 0.5f, 1, 3};
    return x;
  }();
  const Tensor r = column({0.2f, 3.5f, 2.1f, 8.7f, 7.6f});  // residuals 0.2, -2.5, 1.1, 5.7, -2.4
  std::vector<float> v(5), w(5);
  double total_w = 0;
  for (int i = 0; i < 5; ++i) v[i] = t.value(t.labels[i]), w[i] = t.class_weights[t.labels[i]], total_w += w[i];
  auto weighted_mean = [&](Graph& g, Var per_row) { return sum(per_row * g.input(column(w))) * float(1 / total_w); };
  auto residual = [&](Graph& g, Var x) { return x - g.input(column(v)); };
  check_same({r}, [&](Graph&, const std::vector<Var>& x) { return reg_loss(x[0], t, RegDistance::l1); },
             [&](Graph& g, const std::vector<Var>& x) { return weighted_mean(g, abs(residual(g, x[0]))); });
  check_same({r}, [&](Graph&, const std::vector<Var>& x) { return reg_loss(x[0], t, RegDistance::l2); },
             [&](Graph& g, const std::vector<Var>& x) { return weighted_mean(g, square(residual(g, x[0]))); });
  // Huber_delta(d) = d^2/2 - relu(|d| - delta)^2 / 2
  check_same({r}, [&](Graph&, const std::vector<Var>& x) { return reg_loss(x[0], t, RegDistance::huber, 1.5f); },
             [&](Graph& g, const std::vector<Var>& x) {
               Var d = residual(g, x[0]);
               return weighted_mean(g, 0.5f * square(d) - 0.5f * square(relu(abs(d) - 1.5f)));
             });
}

TEST_CASE("coral_head and clm_head equal their composites") {
  Rng rng(8);
  const int N = 5, I = 3, T = 4;
  const Tensor x = randn({N, I}, rng), w = randn({1, I}, rng), b = randn({T}, rng);
  const Tensor t0 = randn({1}, rng), d = randn({T - 1}, rng, 2.0f), cot = randn({N, T}, rng);
  // s_ik = eta_i + b_k with eta = x w^T spread over the columns by a product with ones
  auto eta_cols = [&](Graph& g, Var xv, Var wv) {
    return matmul(matmul(xv, wv, false, true), g.input(Tensor::full({1, T}, 1)));
  };
  check_same({x, w, b}, [&](Graph& g, const std::vector<Var>& v) { return sum(coral_head(v[0], v[1], v[2]) * g.input(cot)); },
             [&](Graph& g, const std::vector<Var>& v) { return sum((eta_cols(g, v[0], v[1]) + v[2]) * g.input(cot)); });
  check_same({x, w, t0, d},
             [&](Graph& g, const std::vector<Var>& v) { return sum(clm_head(v[0], v[1], v[2], v[3]) * g.input(cot)); },
             [&](Graph& g, const std::vector<Var>& v) {
               Var theta = cumsum(concat({g.input(Tensor::zeros({1})), softplus(v[3])})) + v[2];
               Var rows = matmul(g.input(Tensor::full({N, 1}, 1)), reshape(theta, {1, T}));
               return sum((rows - eta_cols(g, v[0], v[1])) * g.input(cot));
             });
}

// ---------------------------------------------------------------- stability

TEST_CASE("stability: logits up to +-80 give finite values and unclamped gradients") {
  Rng rng(9);
  const int K = 6, N = 40;
  std::vector<int> y(N);
  for (int i = 0; i < N; ++i) y[i] = i % K;
  Tensor wild = Tensor::empty({N, K - 1}), sorted = Tensor::empty({N, K - 1});
  for (int i = 0; i < N; ++i) {
    for (int k = 0; k < K - 1; ++k) wild[i * (K - 1) + k] = rng.uniform() < 0.5f ? -80.0f : 80.0f;
    // ordered rows anywhere in [-80, 80], neighbours sometimes only 0.01 apart
    float c = rng.uniform(-80, 0);
    for (int k = 0; k < K - 1; ++k) {
      sorted[i * (K - 1) + k] = c;
      c += rng.uniform() < 0.3f ? 0.01f : rng.uniform(1, 20);
    }
  }
  const LossTarget t = target(y, K);
  check_finite(run({wild}, [&](Graph&, const std::vector<Var>& v) { return coral(v[0], t); }));
  check_finite(run({wild}, [&](Graph&, const std::vector<Var>& v) { return corn(v[0], t); }));
  for (ClmLink link : {ClmLink::logit, ClmLink::probit}) {
    INFO("link ", int(link));
    check_finite(run({sorted}, [&](Graph&, const std::vector<Var>& v) { return clm(v[0], t, link); }));
  }
  const Tensor r = column({-80, 80, 0.5f, 80, -80, 3});
  for (RegDistance d : {RegDistance::l1, RegDistance::l2, RegDistance::huber})
    check_finite(run({r}, [&](Graph&, const std::vector<Var>& v) { return reg_loss(v[0], target({0, 1, 2, 3, 4, 5}, K), d); }));

  // wrong by 80 on every task: coral pays softplus(80) = 80 per task and the gradient is
  // sigmoid(-80) - 1 = -1 per task and sample (/N = 2), not 0
  Run a = run({Tensor::full({2, 3}, -80)}, [](Graph&, const std::vector<Var>& v) { return coral(v[0], target({3, 3}, 4)); });
  CHECK(a.value == doctest::Approx(240).epsilon(1e-6));
  check_values(a.grads[0], std::vector<double>(6, -0.5));
  a = run({Tensor::full({2, 3}, 80)}, [](Graph&, const std::vector<Var>& v) { return corn(v[0], target({0, 1}, 4)); });
  CHECK(a.value == doctest::Approx(160.0 / 3).epsilon(1e-6));  // 3 pairs: (0,0) (1,0) (1,1), two wrong
  check_values(a.grads[0], {1.0 / 3, 0, 0, 0, 1.0 / 3, 0}, 1e-5);
}

TEST_CASE("stability: clm far in either tail, golden values and gradients") {
  auto one = [](std::vector<float> c, int y, ClmLink link) {
    return run({Tensor::from({1, 4}, c)}, [=](Graph&, const std::vector<Var>& v) { return clm(v[0], target({y}, 5), link); });
  };
  // probit, y = 0, c_0 = -80: L = -log Phi(-80), dL/dc_0 = -phi/Phi (inverse Mills ratio)
  Run r = one({-80, -70, -60, -50}, 0, ClmLink::probit);
  CHECK(r.value == doctest::Approx(3205.3011213568902).epsilon(1e-6));
  check_values(r.grads[0], {-80.0124960967826, 0, 0, 0});
  // y = K-1 mirrors it: c_3 = 80
  r = one({50, 60, 70, 80}, 4, ClmLink::probit);
  CHECK(r.value == doctest::Approx(3205.3011213568902).epsilon(1e-6));
  check_values(r.grads[0], {0, 0, 0, 80.0124960967826});
  r = one({-40, -30, -20, -10}, 0, ClmLink::probit);
  CHECK(r.value == doctest::Approx(804.6084420137538).epsilon(1e-6));
  check_values(r.grads[0], {-40.02496884720634, 0, 0, 0});
  // a middle class with both ends in the upper tail (35, 40), and mirrored in the lower one
  r = one({30, 35, 40, 45}, 2, ClmLink::probit);
  CHECK(r.value == doctest::Approx(616.9751012619225).epsilon(1e-6));
  check_values(r.grads[0], {0, 35.02852497059605, 0, 0});  // dL/db = -1.3e-80 underflows: exact in float
  r = one({-45, -40, -35, -30}, 2, ClmLink::probit);
  CHECK(r.value == doctest::Approx(616.9751012619225).epsilon(1e-6));
  check_values(r.grads[0], {0, 0, -35.02852497059605, 0});
  // logit: a middle class at (70, 80): sigma(80) - sigma(70) ~ e^-70 is 0 in float
  r = one({60, 70, 80, 90}, 2, ClmLink::logit);
  CHECK(r.value == doctest::Approx(70.00004540096037).epsilon(1e-6));
  check_values(r.grads[0], {0, 1.0000454019910097, -4.5401991009687765e-05, 0});
  r = one({-80, -70, -60, -50}, 0, ClmLink::logit);
  CHECK(r.value == doctest::Approx(80).epsilon(1e-6));
  check_values(r.grads[0], {-1, 0, 0, 0});
  // equal neighbours leave class 2 no mass: its loss is +inf, the others stay finite
  CHECK(std::isinf(one({-1, 0.5f, 0.5f, 2}, 2, ClmLink::logit).value));
  CHECK(std::isfinite(one({-1, 0.5f, 0.5f, 2}, 3, ClmLink::probit).value));
}

// ---------------------------------------------------------------- decoders

TEST_CASE("class probabilities of coral, corn, clm are distributions") {
  Rng rng(10);
  const int N = 30, T = 6;
  Tensor s = randn({N, T}, rng, 4.0f), c = Tensor::empty({N, T});
  for (int i = 0; i < N; ++i) {
    c[i * T] = rng.uniform(-85, 5);
    for (int k = 1; k < T; ++k) c[i * T + k] = c[i * T + k - 1] + rng.uniform(0, 15);
  }
  s[0] = 80, s[1] = -80, s[2] = 80;  // a non-monotone coral row, at the extremes
  for (const Tensor& p : {coral_probs(s), corn_probs(s), clm_probs(c, ClmLink::logit), clm_probs(c, ClmLink::probit)}) {
    REQUIRE(p.shape() == Shape{N, T + 1});
    for (int i = 0; i < N; ++i) {
      double total = 0;
      for (int k = 0; k <= T; ++k) {
        CHECK(p[i * (T + 1) + k] >= 0.0f);
        total += p[i * (T + 1) + k];
      }
      CHECK(total == doctest::Approx(1).epsilon(1e-5));
    }
  }
}

TEST_CASE("probabilities: hand cases and goldens") {
  // monotone: plain differences; not monotone: the negative difference is clipped and
  // the row renormalised (0.7, -0.3 -> 0, 0.5, 0.1) / 1.3
  Tensor p = probs_from_greater(Tensor::from({2, 3}, {0.8f, 0.5f, 0.1f, 0.3f, 0.6f, 0.1f}));
  const double expected[8] = {0.2, 0.3, 0.4, 0.1, 0.7 / 1.3, 0, 0.5 / 1.3, 0.1 / 1.3};
  for (int i = 0; i < 8; ++i) CHECK(p[i] == doctest::Approx(expected[i]).epsilon(1e-6));

  // corn: P(y > k) = prod_{j <= k} sigmoid(s_j)
  const Tensor g = corn_greater(Tensor::from({1, 3}, {0.5f, -0.2f, -1.3f}));
  check_values(g, {0.6224593312018546, 0.2802100289626873, 0.06001118560443907}, 1e-6);
  CHECK(coral_greater(Tensor::from({1, 1}, {0.0f}))[0] == 0.5f);

  const Tensor c = clm_row();
  check_values(clm_probs(c, ClmLink::logit), {0.2141650169574414, 0.2608557955636186, 0.2935039709779575,
                                            0.0770099514174477, 0.15446526508353475}, 1e-6);
  check_values(clm_probs(c, ClmLink::probit), {0.09680048458561036, 0.36337167813736065, 0.42475816705532066,
                                             0.07050420746316531, 0.044565462758543006}, 1e-6);
  // median class of that row: P(y <= 1) = 0.475, P(y <= 2) = 0.769 -> class 2
  CHECK(count_above_half(clm_greater(c, ClmLink::logit)) == std::vector<int>{2});
  CHECK(count_above_half(clm_greater(c, ClmLink::probit)) == std::vector<int>{2});  // P(y <= 1) = 0.460
}

TEST_CASE("count_above_half and reg_classes on hand cases") {
  const Tensor greater = Tensor::from({4, 4}, {0.9f, 0.6f, 0.5f, 0.2f,    // 0.5 is not above half
                                               0.1f, 0.05f, 0.0f, 0.0f,
                                               0.9f, 0.8f, 0.7f, 0.51f,
                                               0.4f, 0.7f, 0.2f, 0.9f});  // not monotone: counts 2
  CHECK(count_above_half(greater) == std::vector<int>{2, 0, 4, 2});

  const float inf = std::numeric_limits<float>::infinity();
  const Tensor r = column({-3, 0.49f, 0.5f, 1.2f, 2.5f, 3.7f, 100, -inf});
  CHECK(reg_classes(r, 4) == std::vector<int>{0, 0, 1, 1, 3, 3, 3, 0});  // 2.5 ties: higher class
  const Tensor rv = column({2.0f, 1.9f, 4.6f, 4.4f, 7, -inf, inf});
  CHECK(reg_classes(rv, 4, {0, 1, 3, 6}) == std::vector<int>{2, 1, 3, 2, 3, 0, 3});
}

// ---------------------------------------------------------------- heads

TEST_CASE("CoralHead and ClmHead: parameters, init, ordered thresholds") {
  Rng rng(11);
  CoralHead coral_h(6, 5, rng);
  std::vector<NamedParam> ps = coral_h.parameters();
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].name == "weight");
  CHECK(ps[1].name == "biases");
  CHECK(coral_h.weight.value.shape() == Shape{1, 6});
  CHECK(max_abs(coral_h.weight.value) <= 1 / std::sqrt(6.0));
  CHECK(max_abs(coral_h.weight.value) > 0);
  CHECK(coral_h.biases.value.shape() == Shape{4});
  CHECK(max_abs(coral_h.biases.value) == 0);
  CHECK(coral_h.describe() == "coral_head(6->4)");

  ClmHead clm_h(6, 5, rng);
  ps = clm_h.parameters();
  REQUIRE(ps.size() == 3);
  CHECK(ps[1].name == "threshold_first");
  CHECK(ps[2].name == "threshold_gaps");
  CHECK(clm_h.threshold_gaps.value.shape() == Shape{3});
  check_values(clm_h.thresholds(), {-1.5, -0.5, 0.5, 1.5}, 1e-6);

  // any raw parameter values give strictly increasing thresholds and rows of c
  for (int trial = 0; trial < 20; ++trial) {
    clm_h.threshold_first.value[0] = rng.normal(0, 5);
    for (int k = 0; k < 3; ++k) clm_h.threshold_gaps.value[k] = rng.normal(0, 4);
    const Tensor th = clm_h.thresholds();
    for (int k = 1; k < 4; ++k) CHECK(th[k - 1] < th[k]);
    Graph g;
    const Tensor c = clm_h.forward(g.input(randn({3, 6}, rng, 3.0f))).value();
    for (int i = 0; i < 3; ++i)
      for (int k = 1; k < 4; ++k) CHECK(c[i * 4 + k - 1] < c[i * 4 + k]);
  }

  // set_thresholds inverts thresholds()
  clm_h.set_thresholds({-2, -0.5f, 0.1f, 3});
  check_values(clm_h.thresholds(), {-2, -0.5, 0.1, 3}, 1e-6);
  CHECK_THROWS_WITH_AS(clm_h.set_thresholds({-2, 0.5f, 0.5f, 3}),
                       "clm_head: thresholds must be strictly increasing, but theta[1] = 0.5 >= theta[2] = 0.5", Error);
  CHECK_THROWS_WITH_AS(clm_h.set_thresholds({0, 1}), "clm_head: 2 thresholds for K-1 = 4", Error);

  // K = 2: one threshold, no gaps
  ClmHead binary(3, 2, rng);
  CHECK(binary.threshold_gaps.value.numel() == 0);
  check_values(binary.thresholds(), {0}, 1e-6);
  Graph g;
  CHECK(binary.forward(g.input(randn({4, 3}, rng))).shape() == Shape{4, 1});
}

// Data from a proportional-odds model, P(y <= k | x) = F(theta_k - w x): ClmHead + clm
// recovers theta and w; CoralHead + coral recovers the same model, since
// P(y > k) = sigmoid(w x - theta_k) is a CORAL head with biases -theta_k.
TEST_CASE("heads fit data from a known proportional-odds model") {
  Rng rng(12);
  const int N = 3000;
  const std::vector<double> theta = {-1.5, 0, 0.8, 2};
  const double w_true = 1.5;
  Tensor x = Tensor::empty({N, 1});
  std::vector<int> y(N);
  for (int i = 0; i < N; ++i) {
    x[i] = rng.normal();
    float u = rng.uniform();
    while (u == 0) u = rng.uniform();
    const double noise = std::log(u / (1.0 - u));  // logistic
    y[i] = 0;
    for (double th : theta) y[i] += w_true * x[i] + noise > th;
  }
  const LossTarget t = target(y, 5);

  auto fit = [&](Module& head, const std::function<Var(Var)>& loss) {
    for (int step = 0; step < 400; ++step) {
      head.zero_grad();
      Graph g;
      g.backward(loss(head.forward(g.input(x))));
      for (NamedParam& p : head.parameters())
        for (int64_t j = 0; j < p.param->value.numel(); ++j) p.param->value[j] -= 2.0f * p.param->grad[j];
    }
  };
  ClmHead clm_h(1, 5, rng);
  fit(clm_h, [&](Var c) { return clm(c, t, ClmLink::logit); });
  const Tensor th = clm_h.thresholds();
  for (int k = 0; k < 4; ++k) CHECK(std::fabs(th[k] - theta[k]) < 0.15);
  CHECK(clm_h.weight.value[0] == doctest::Approx(w_true).epsilon(0.1));

  CoralHead coral_h(1, 5, rng);
  fit(coral_h, [&](Var s) { return coral(s, t); });
  for (int k = 0; k < 4; ++k) CHECK(std::fabs(-coral_h.biases.value[k] - theta[k]) < 0.15);
  CHECK(coral_h.weight.value[0] == doctest::Approx(w_true).epsilon(0.1));
}

// ---------------------------------------------------------------- errors

TEST_CASE("errors name the op and the shapes") {
  Graph g;
  Var s = g.input(Tensor::zeros({2, 3}));
  CHECK_THROWS_WITH_AS(coral(s, target({0, 1}, 5)), "coral: logits [2,3] have 3 columns, expected K-1 = 4 for K = 5", Error);
  CHECK_THROWS_WITH_AS(corn(s, target({0, 1}, 5)), "corn: logits [2,3] have 3 columns, expected K-1 = 4 for K = 5", Error);
  CHECK_THROWS_WITH_AS(clm(s, target({0, 1}, 5), ClmLink::probit),
                       "clm: logits [2,3] have 3 columns, expected K-1 = 4 for K = 5", Error);
  CHECK_THROWS_WITH_AS(coral(s, target({0, 4}, 4)), "coral: label 4 out of range [0,4) at row 1", Error);
  CHECK_THROWS_WITH_AS(corn(s, target({-1, 0}, 4)), "corn: label -1 out of range [0,4) at row 0", Error);
  CHECK_THROWS_WITH_AS(clm(s, target({0, 7}, 4), ClmLink::logit), "clm: label 7 out of range [0,4) at row 1", Error);
  CHECK_THROWS_WITH_AS(coral(s, target({0}, 4)), "coral: 1 labels for logits [2,3]", Error);
  CHECK_THROWS_WITH_AS(coral(s, target({0, 1}, 4), {1, 2}), "coral: 2 task weights for K-1 = 3 tasks", Error);
  CHECK_THROWS_WITH_AS(corn(s, target({0, 1}, 1)), "corn: needs K >= 2 classes, got K = 1", Error);

  Var unordered = g.input(Tensor::from({2, 3}, {-1, 0, 1, -1, 0.5f, 0.2f}));
  CHECK_THROWS_WITH_AS(clm(unordered, target({0, 1}, 4), ClmLink::logit),
                       "clm: cumulative logits must be non-decreasing along k, but row 1 has c[1] = 0.5 > c[2] = 0.2",
                       Error);
  CHECK_THROWS_AS(clm_probs(unordered.value(), ClmLink::probit), Error);

  CHECK_THROWS_WITH_AS(reg_loss(s, target({0, 1}, 4), RegDistance::l1), "reg_l1: scores must be [N,1], got [2,3]", Error);
  Var r = g.input(Tensor::zeros({2, 1}));
  CHECK_THROWS_WITH_AS(reg_loss(r, target({0, 4}, 4), RegDistance::l2), "reg_l2: label 4 out of range [0,4) at row 1", Error);
  CHECK_THROWS_WITH_AS(reg_loss(r, target({0, 1}, 4), RegDistance::huber, 0), "reg_huber: delta must be > 0, got 0", Error);
  LossTarget tv = target({0, 1}, 4);
  tv.values = {0, 1};
  CHECK_THROWS_WITH_AS(reg_loss(r, tv, RegDistance::l1), "reg_l1: 2 class values for K = 4 classes", Error);

  Var x = g.input(Tensor::zeros({2, 5}));
  CHECK_THROWS_WITH_AS(coral_head(x, g.input(Tensor::zeros({1, 4})), g.input(Tensor::zeros({3}))),
                       "coral_head: input [2,5] has 5 features, weight [1,4] expects 4", Error);
  CHECK_THROWS_WITH_AS(clm_head(x, g.input(Tensor::zeros({2, 5})), g.input(Tensor::zeros({1})), g.input(Tensor::zeros({2}))),
                       "clm_head: weight [2,5] must be [1,in]", Error);
}
