// The softmax-head ordinal losses (losses/rps, ev, cum_bce, cdw_ce, soft_target (sord,
// gauss_ld), mean_var): golden values, agreement with the same loss written in primitive
// ops, stability at saturated logits, thread independence, and errors.
// Their finite-difference checks are rows of the gradient table
// (grad_rows_losses.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/parallel.h"
#include "helpers.h"
#include "losses/cdw_ce.h"
#include "losses/cum_bce.h"
#include "losses/ev.h"
#include "losses/mean_var.h"
#include "losses/rps.h"
#include "losses/soft_target.h"

using namespace og;

namespace {

using LossFn = std::function<Var(Var, const LossTarget&)>;

// Every loss variant under test, named by its loss spec.
struct Variant {
  std::string spec;
  const char* node;  // the node's name
  LossFn fused;
};

const std::vector<Variant>& variants() {
  static const std::vector<Variant> all = {
      {"rps", "rps", [](Var z, const LossTarget& t) { return rps(z, t); }},
      {"rps:normalize", "rps", [](Var z, const LossTarget& t) { return rps(z, t, true); }},
      {"ev_l1", "ev_l1", [](Var z, const LossTarget& t) { return ev_loss(z, t, EvDistance::l1); }},
      {"ev_l2", "ev_l2", [](Var z, const LossTarget& t) { return ev_loss(z, t, EvDistance::l2); }},
      {"ev_huber", "ev_huber", [](Var z, const LossTarget& t) { return ev_loss(z, t, EvDistance::huber); }},
      {"ev_huber:delta=0.1", "ev_huber", [](Var z, const LossTarget& t) { return ev_loss(z, t, EvDistance::huber, 0.1f); }},
      {"cum_bce", "cum_bce", [](Var z, const LossTarget& t) { return cum_bce(z, t); }},
      {"cdw_ce", "cdw_ce", [](Var z, const LossTarget& t) { return cdw_ce(z, t); }},
      {"cdw_ce:alpha=2", "cdw_ce", [](Var z, const LossTarget& t) { return cdw_ce(z, t, 2.0f); }},
      {"cdw_ce:normalize", "cdw_ce", [](Var z, const LossTarget& t) { return cdw_ce(z, t, 1.0f, true); }},
      {"cdw_ce:alpha=2,normalize", "cdw_ce", [](Var z, const LossTarget& t) { return cdw_ce(z, t, 2.0f, true); }},
      {"sord", "sord", [](Var z, const LossTarget& t) { return sord(z, t); }},
      {"sord:alpha=2,squared", "sord", [](Var z, const LossTarget& t) { return sord(z, t, 2.0f, true); }},
      {"sord:alpha=0.5", "sord", [](Var z, const LossTarget& t) { return sord(z, t, 0.5f); }},
      {"gauss_ld", "gauss_ld", [](Var z, const LossTarget& t) { return gauss_ld(z, t); }},
      {"gauss_ld:sigma=2", "gauss_ld", [](Var z, const LossTarget& t) { return gauss_ld(z, t, 2.0f); }},
      {"mean_var", "mean_var", [](Var z, const LossTarget& t) { return mean_var(z, t); }},
      {"mean_var:l1=1,l2=0.5", "mean_var", [](Var z, const LossTarget& t) { return mean_var(z, t, 1.0f, 0.5f); }},
  };
  return all;
}

const Variant& variant(const std::string& spec) {
  for (const Variant& v : variants())
    if (v.spec == spec) return v;
  FAIL("no variant ", spec);
  throw;
}

LossTarget target(std::vector<int> labels, int K, std::vector<float> values = {}) {
  LossTarget t;
  t.labels = std::move(labels);
  t.K = K;
  t.values = std::move(values);
  return t;
}

struct Evaluated {
  double loss;
  std::vector<float> grad;  // dL/dz, row-major [N,K]
};

Evaluated evaluate(const LossFn& f, const Tensor& z, const LossTarget& t) {
  Graph g;
  Var x = g.leaf(z.clone());
  Var loss = f(x, t);
  g.backward(loss);
  return {loss.value().item(), x.grad().to_vector()};
}

// |a - b| <= rel |b| + floor
bool close(double a, double b, double rel, double floor = 0) {
  return std::fabs(a - b) <= rel * std::fabs(b) + floor;
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::fabs(double(x)));
  return m;
}

}  // namespace

// ---------------------------------------------------------------- golden values

// One sample, z = (0.5, -1, 2, 0, 1), y = 2, K = 5. Each value below was computed
// from the loss's formula in DESIGN.md (the "Ordinal losses: exact conventions"
// table) in 300-digit arithmetic, and its gradient by numerical differentiation
// of that formula, so they share no code with losses/. The independently
// verified figures are the first three: rps = 0.16256386 with gradient
// (0.029327, -0.000499, -0.183054, 0.018403, 0.135824), ev_l1 = 0.21115930 with
// (-0.277781, -0.033950, -0.118887, 0.060107, 0.370512), cdw_ce = 0.84036079.
// Here p = softmax(z) = (0.1091, 0.0243, 0.4484, 0.0662, 0.1798), mu = 2.2111593.
struct Golden {
  const char* spec;
  double loss;
  double grad[5];
};

TEST_CASE("softmax losses: golden values and gradients (default class values)") {
  const Golden golden[] = {
      // sum_{k<4} (F_k - 1[k>=2])^2
      {"rps", 0.1625638608, {0.02932671045, -0.0004992726248, -0.1830538103, 0.0184025111, 0.1358238614}},
      // the same / (K-1)
      {"rps:normalize", 0.04064096519, {0.007331677612, -0.0001248181562, -0.04576345257, 0.004600627775, 0.03395596534}},
      // |mu - 2|
      {"ev_l1", 0.2111592983, {-0.2777813481, -0.03395022013, -0.1188871683, 0.06010700929, 0.3705117272}},
      // (mu - 2)^2
      {"ev_l2", 0.04458824927, {-0.1173122291, -0.01433780932, -0.05020826206, 0.02538430781, 0.1564739927}},
      // (mu - 2)^2 / 2, inside delta = 1
      {"ev_huber", 0.02229412463, {-0.05865611456, -0.007168904662, -0.02510413103, 0.01269215391, 0.07823699634}},
      // 0.1 (|mu - 2| - 0.05), outside delta = 0.1
      {"ev_huber:delta=0.1", 0.01611592983, {-0.02777813481, -0.003395022013, -0.01188871683, 0.006010700929, 0.03705117272}},
      // -log(1 - F_0) - log(1 - F_1) - log F_2 - log F_3
      {"cum_bce", 0.8662952165, {0.1687729688, 0.005599736284, -0.5527672459, 0.0315100854, 0.3468844554}},
      // -sum_k |k - 2| log(1 - p_k)
      {"cdw_ce", 0.8403607878, {0.1716337224, 0.003019037428, -0.5186195422, 0.01229392417, 0.3316728582}},
      // -sum_k |k - 2|^2 log(1 - p_k)
      {"cdw_ce:alpha=2", 1.573033984, {0.3572523738, -0.01968104971, -0.9745629805, -0.04941131019, 0.6864029666}},
      // cdw_ce / 4
      {"cdw_ce:normalize", 0.210090197, {0.04290843059, 0.0007547593571, -0.1296548856, 0.003073481043, 0.08291821456}},
      // cdw_ce:alpha=2 / 16
      {"cdw_ce:alpha=2,normalize", 0.09831462403, {0.02232827336, -0.001230065607, -0.06091018628, -0.003088206887, 0.04290018541}},
      // -sum_k q_k log p_k, q = softmax(-|k - 2|)
      {"sord", 1.659816454, {0.05817621176, -0.1553191233, 0.06462344335, -0.107153662, 0.1396731303}},
      // q = softmax(-2 (k - 2)^2)
      {"sord:alpha=2,squared", 1.107351462, {0.1253631525, -0.07841959541, -0.2235494941, -0.0302541341, 0.206860071}},
      // q = softmax(-0.5 |k - 2|)
      {"sord:alpha=0.5", 1.91475428, {0.0008722289266, -0.1776546972, 0.2239025567, -0.1294892359, 0.08236914743}},
      // -sum_k q_k log p_k, q proportional to exp(-(k - 2)^2 / 2)
      {"gauss_ld", 1.931666361, {0.07113833307, -0.2161701654, 0.1604012849, -0.1680047041, 0.1526352516}},
      // q proportional to exp(-(k - 2)^2 / 8)
      {"gauss_ld:sigma=2", 2.064817277, {-0.0268421264, -0.193810119, 0.3116421109, -0.1456446577, 0.05465479211}},
      // -log p_2 + 0.2 (mu - 2)^2 / 2 + 0.05 sum_k p_k (k - mu)^2
      {"mean_var", 0.6484289336, {0.1358716162, 0.02670428336, -0.4798924753, 0.07580769392, 0.2415088818}},
      // -log p_2 + (mu - 2)^2 / 2 + 0.5 sum_k p_k (k - mu)^2
      {"mean_var:l1=1,l2=0.5", 1.292053754, {0.2867291183, 0.02193114924, -0.8410117082, 0.05961504445, 0.4727363962}},
  };
  const Tensor z = Tensor::from({1, 5}, {0.5f, -1, 2, 0, 1});
  for (const Golden& gd : golden) {
    INFO(gd.spec);
    const Evaluated e = evaluate(variant(gd.spec).fused, z, target({2}, 5));
    CHECK(close(e.loss, gd.loss, 1e-6));
    for (int k = 0; k < 5; ++k) {
      INFO("dz_", k, " = ", e.grad[k], ", expected ", gd.grad[k]);
      CHECK(close(e.grad[k], gd.grad[k], 1e-6, 1e-9));
    }
  }
  // The figures, to the digits it gives.
  const Evaluated r = evaluate(variant("rps").fused, z, target({2}, 5));
  CHECK(r.loss == doctest::Approx(0.16256386).epsilon(1e-7));
  const double rps_grad[] = {0.029327, -0.000499, -0.183054, 0.018403, 0.135824};
  for (int k = 0; k < 5; ++k) CHECK(std::fabs(r.grad[k] - rps_grad[k]) < 5e-7);
  const Evaluated l1 = evaluate(variant("ev_l1").fused, z, target({2}, 5));
  CHECK(l1.loss == doctest::Approx(0.21115930).epsilon(1e-7));
  const double l1_grad[] = {-0.277781, -0.033950, -0.118887, 0.060107, 0.370512};
  for (int k = 0; k < 5; ++k) CHECK(std::fabs(l1.grad[k] - l1_grad[k]) < 5e-7);
  CHECK(evaluate(variant("cdw_ce").fused, z, target({2}, 5)).loss == doctest::Approx(0.84036079).epsilon(1e-7));
}

TEST_CASE("softmax losses: golden values with class values v = (0, 0.5, 2, 5, 9)") {
  // Same z and y = 2 (v_y = 2); mu = sum_k v_k p_k = 3.385156666. Distances are
  // |v_k - v_y|; the normaliser of cdw_ce is (v_max - v_min)^alpha = 81.
  const Golden golden[] = {
      {"ev_l1", 1.385156666, {-0.4252671362, -0.08087433592, -0.7798726126, 0.1230456327, 1.162968452}},
      {"ev_l2", 1.918658991, {-1.178123217, -0.2240472511, -2.160491497, 0.3408749569, 3.221787008}},
      {"cdw_ce", 2.173530432, {-0.01499004892, -0.02420256253, -1.355009258, 0.06406377868, 1.330138091}},
      {"cdw_ce:alpha=2,normalize", 0.1566246646, {-0.01490083624, -0.004106867323, -0.09857914997, -0.004176631981, 0.1217634855}},
      {"sord", 1.264832494, {0.02958763156, -0.1303110021, -0.1466191795, 0.0408657222, 0.2064768278}},
      {"gauss_ld:sigma=2", 1.997618014, {-0.09999918347, -0.2527651675, 0.1910265148, -0.04457236483, 0.206310201}},
      {"mean_var", 1.240391931, {0.02023621686, 0.004003960913, -0.8659372919, 0.08409518589, 0.7576019283}},
  };
  const Tensor z = Tensor::from({1, 5}, {0.5f, -1, 2, 0, 1});
  for (const Golden& gd : golden) {
    INFO(gd.spec);
    const Evaluated e = evaluate(variant(gd.spec).fused, z, target({2}, 5, {0, 0.5f, 2, 5, 9}));
    CHECK(close(e.loss, gd.loss, 1e-6));
    for (int k = 0; k < 5; ++k) {
      INFO("dz_", k, " = ", e.grad[k], ", expected ", gd.grad[k]);
      CHECK(close(e.grad[k], gd.grad[k], 1e-6, 1e-9));
    }
  }
}

// ---------------------------------------------------------------- fused == primitive ops

namespace {

// A constant [N,K] (or [N,1] with K = 1) input filled by f(i, k).
Var table(Graph& g, int64_t N, int64_t K, const std::function<double(int64_t, int64_t)>& f) {
  Tensor t = Tensor::empty({N, K});
  for (int64_t i = 0; i < N; ++i)
    for (int64_t k = 0; k < K; ++k) t[i * K + k] = static_cast<float>(f(i, k));
  return g.input(t);
}

// sum_i w_i L_i / sum_i w_i for per-row losses li [N,1].
Var weighted_mean(Var li, const LossTarget& t) {
  const int64_t N = t.labels.size();
  std::vector<double> w(N, 1.0);
  double total = 0;
  for (int64_t i = 0; i < N; ++i) {
    if (!t.class_weights.empty()) w[i] *= t.class_weights[t.labels[i]];
    if (!t.sample_weights.empty()) w[i] *= t.sample_weights[i];
    total += w[i];
  }
  return sum(li * table(*li.graph, N, 1, [&](int64_t i, int64_t) { return w[i] / total; }));
}

// mu_i = sum_k v_k p_ik, as [N,1].
Var expected_value(Var p, const LossTarget& t) {
  Tensor v = Tensor::empty({t.K});
  for (int k = 0; k < t.K; ++k) v[k] = t.value(k);
  return sum(p * p.graph->input(v), 1);
}

// Each loss written as its DESIGN formula in primitive ops (no log-space tricks:
// fine for the moderate logits used here).
Var reference(const std::string& spec, Var z, const LossTarget& t) {
  Graph& g = *z.graph;
  const int64_t N = t.labels.size(), K = t.K;
  const auto& y = t.labels;
  const auto vy = [&](int64_t i, int64_t) { return double(t.value(y[i])); };
  const auto dist = [&](int64_t i, int64_t k) { return std::fabs(double(t.value(k)) - t.value(y[i])); };
  Var p = softmax(z);
  Var li;
  if (spec == "rps" || spec == "rps:normalize") {
    Var T = table(g, N, K, [&](int64_t i, int64_t k) { return k >= y[i]; });
    li = sum(square(slice(cumsum(p) - T, 0, K - 1)), 1);
    if (spec == "rps:normalize") li = li * (1.0f / (K - 1));
  } else if (spec.rfind("ev_", 0) == 0) {
    Var e = expected_value(p, t) - table(g, N, 1, vy);
    if (spec == "ev_l1") li = abs(e);
    if (spec == "ev_l2") li = square(e);
    if (spec.rfind("ev_huber", 0) == 0) {  // min(|e|,d)^2/2 + d relu(|e| - d)
      const float d = spec == "ev_huber" ? 1.0f : 0.1f;
      Var over = relu(abs(e) - d);
      li = 0.5f * square(abs(e) - over) + d * over;
    }
  } else if (spec == "cum_bce") {
    // 1 - F_k as the tail sum_{j>k} p_j: a cumulative sum of p reversed (a matmul
    // with the exchange matrix R), since 1 - F in float loses digits as F -> 1.
    Var R = table(g, K, K, [&](int64_t a, int64_t b) { return a + b == K - 1; });
    Var F = slice(cumsum(p), 0, K - 1);
    Var tail = slice(matmul(cumsum(matmul(p, R)), R), 1, K);
    Var T = table(g, N, K - 1, [&](int64_t i, int64_t k) { return k >= y[i]; });
    li = -sum(T * log(F) + (1.0f - T) * log(tail), 1);
  } else if (spec.rfind("cdw_ce", 0) == 0) {
    const double alpha = spec.find("alpha=2") != std::string::npos ? 2 : 1;
    double range = 0;
    for (int k = 0; k < K; ++k) range = std::max(range, std::fabs(double(t.value(k)) - t.value(0)));
    const double scale = spec.find("normalize") != std::string::npos ? std::pow(range, alpha) : 1;
    Var D = table(g, N, K, [&](int64_t i, int64_t k) { return std::pow(dist(i, k), alpha) / scale; });
    li = -sum(D * log(1.0f - p), 1);
  } else if (spec.rfind("sord", 0) == 0 || spec.rfind("gauss_ld", 0) == 0) {
    // soft target q_ik = e^(-s_ik) / sum_j e^(-s_ij)
    std::function<double(int64_t, int64_t)> s;
    if (spec == "sord") s = [&](int64_t i, int64_t k) { return dist(i, k); };
    if (spec == "sord:alpha=2,squared") s = [&](int64_t i, int64_t k) { return 2 * dist(i, k) * dist(i, k); };
    if (spec == "sord:alpha=0.5") s = [&](int64_t i, int64_t k) { return 0.5 * dist(i, k); };
    if (spec == "gauss_ld") s = [&](int64_t i, int64_t k) { return dist(i, k) * dist(i, k) / 2; };
    if (spec == "gauss_ld:sigma=2") s = [&](int64_t i, int64_t k) { return dist(i, k) * dist(i, k) / 8; };
    Var Q = table(g, N, K, [&](int64_t i, int64_t k) {
      double total = 0;
      for (int64_t j = 0; j < K; ++j) total += std::exp(-s(i, j));
      return std::exp(-s(i, k)) / total;
    });
    li = -sum(Q * log_softmax(z), 1);
  } else if (spec.rfind("mean_var", 0) == 0) {
    const float l1 = spec == "mean_var" ? 0.2f : 1.0f, l2 = spec == "mean_var" ? 0.05f : 0.5f;
    Var nll = -reshape(gather(log_softmax(z), y), {N, 1});
    Var mu = expected_value(p, t);
    Var v = table(g, N, K, [&](int64_t, int64_t k) { return t.value(k); });
    li = nll + (0.5f * l1) * square(mu - table(g, N, 1, vy)) + l2 * sum(p * square(v - mu), 1);
  } else {
    FAIL("no reference for ", spec);
  }
  return weighted_mean(li, t);
}

}  // namespace

TEST_CASE("softmax losses: each fused node equals its formula in primitive ops") {
  Rng rng(5);
  const int64_t N = 9, K = 6;
  for (bool with_values : {false, true}) {
    LossTarget t;
    t.K = K;
    for (int64_t i = 0; i < N; ++i) t.labels.push_back(int(rng.below(K)));
    for (int64_t k = 0; k < K; ++k) t.class_weights.push_back(rng.uniform(0.3f, 2.0f));
    for (int64_t i = 0; i < N; ++i) t.sample_weights.push_back(rng.uniform(0.3f, 2.0f));
    if (with_values) t.values = {-1, 0, 0.5f, 2, 2.5f, 4};
    const Tensor z = test::randn({N, K}, rng, 1.5f);
    for (const Variant& v : variants()) {
      const std::string label = v.spec + (with_values ? " with class values" : "");
      INFO(label);
      const Evaluated fused = evaluate(v.fused, z, t);
      const Evaluated ref = evaluate([&](Var x, const LossTarget& tt) { return reference(v.spec, x, tt); }, z, t);
      CHECK(close(fused.loss, ref.loss, 1e-5));
      const double scale = max_abs(ref.grad);
      CHECK(scale > 1e-3);
      for (size_t j = 0; j < ref.grad.size(); ++j) {
        INFO("dz[", j, "] fused ", fused.grad[j], " reference ", ref.grad[j]);
        CHECK(close(fused.grad[j], ref.grad[j], 0, 1e-5 * scale));
      }
    }
  }
}

// ---------------------------------------------------------------- stability

// Saturated logits, K = 5, no weights (mean over the 3 rows):
//   A: z = (80, -80, -80, -80, -80), y = 4   confidently and maximally wrong
//   B: z = (80, -80, 80, -80, 0),    y = 3   mass split evenly over classes 0 and 2
//   C: z = (80, -80, -80, -80, -80), y = 0   confidently right
// p is one-hot in A and C and (1/2, 0, 1/2, 0, 0) in B up to e^-80, so the values
// follow by hand, e.g. rps = (4 + (1/4 + 1/4 + 1) + 0)/3, ev_l1 = (4 + 2 + 0)/3,
// cdw_ce = (4 (160 - log 4) + (3 + 1) log 2 + 0)/3 (log(1 - p_0) in A is
// log(4 e^-80) - 80), cum_bce = ((640 - log 24) + 3 log 2 + 0)/3, and the log
// losses pay about 160 per unit of target mass on a class at -80. Gradients are
// exact to ~e^-80 (computed like the golden values); in rows A and C rps / ev_*
// are flat (true gradient ~e^-160), while every log loss pulls z_0 of row A.
TEST_CASE("softmax losses: finite, correct values and gradients at logits +-80") {
  struct Expected {
    const char* spec;
    double loss;
    double grad[15];
  };
  const Expected expected[] = {
      {"rps", 1.833333333, {0, 0, 0, 0, 0, 0.1666666667, 0, -0.1666666667, 0, 0, 0, 0, 0, 0, 0}},
      {"rps:normalize", 0.4583333333, {0, 0, 0, 0, 0, 0.04166666667, 0, -0.04166666667, 0, 0, 0, 0, 0, 0, 0}},
      {"ev_l1", 2.0, {0, 0, 0, 0, 0, 0.1666666667, 0, -0.1666666667, 0, 0, 0, 0, 0, 0, 0}},
      {"ev_l2", 6.666666667, {0, 0, 0, 0, 0, 0.6666666667, 0, -0.6666666667, 0, 0, 0, 0, 0, 0, 0}},
      {"ev_huber", 1.666666667, {0, 0, 0, 0, 0, 0.1666666667, 0, -0.1666666667, 0, 0, 0, 0, 0, 0, 0}},
      {"ev_huber:delta=0.1", 0.1966666667, {0, 0, 0, 0, 0, 0.01666666667, 0, -0.01666666667, 0, 0, 0, 0, 0, 0, 0}},
      {"cum_bce", 239.6337959, {1.333333333, -0.08333333333, -0.1944444444, -0.3611111111, -0.6944444444, 0.5, 0, -0.1666666667, 0, -0.3333333333, 0, 0, 0, 0, 0}},
      {"cdw_ce", 212.4091371, {1.333333333, -0.3333333333, -0.3333333333, -0.3333333333, -0.3333333333, 0.3333333333, 0, -0.3333333333, 0, 0, 0, 0, 0, 0, 0}},
      {"cdw_ce:alpha=2", 848.250254, {5.333333333, -1.333333333, -1.333333333, -1.333333333, -1.333333333, 1.333333333, 0, -1.333333333, 0, 0, 0, 0, 0, 0, 0}},
      {"cdw_ce:normalize", 53.10228427, {0.3333333333, -0.08333333333, -0.08333333333, -0.08333333333, -0.08333333333, 0.08333333333, 0, -0.08333333333, 0, 0, 0, 0, 0, 0, 0}},
      {"cdw_ce:alpha=2,normalize", 53.01564088, {0.3333333333, -0.08333333333, -0.08333333333, -0.08333333333, -0.08333333333, 0.08333333333, 0, -0.08333333333, 0, 0, 0, 0, 0, 0, 0}},
      {"sord", 108.9639713, {0.329447923, -0.01056164027, -0.02870951481, -0.07804055242, -0.2121362155, 0.1580270438, -0.02348492988, 0.1028280085, -0.1735314643, -0.06383865812, 0.1211971178, -0.07804055242, -0.02870951481, -0.01056164027, -0.003885410319}},
      {"sord:alpha=2,squared", 104.7507716, {0.3333333333, -0.000000004470186333, -0.00009846240636, -0.0397225698, -0.2935122967, 0.1666666627, -0.00008797824091, 0.1311737111, -0.2622594399, -0.03549295558, 0.03982103668, -0.0397225698, -0.00009846240636, -0.000000004470186333, 0}},
      {"sord:alpha=0.5", 112.7272192, {0.3139959275, -0.03188199226, -0.05256451879, -0.08666424022, -0.1428851763, 0.1401421164, -0.0437315902, 0.09456546371, -0.118874787, -0.07210120296, 0.1904481571, -0.08666424022, -0.05256451879, -0.03188199226, -0.0193374058}},
      {"gauss_ld", 108.9864231, {0.3332695563, -0.00211200415, -0.02572947781, -0.1153115195, -0.1901165549, 0.1650972706, -0.01911915831, 0.08098054385, -0.1412725333, -0.08568612282, 0.1432167784, -0.1153115195, -0.02572947781, -0.00211200415, -0.00006377699912}},
      {"gauss_ld:sigma=2", 115.9130941, {0.3180361048, -0.0366961435, -0.06855742176, -0.09975046006, -0.1130320795, 0.1373884446, -0.05469892007, 0.08708020758, -0.090183273, -0.07958645909, 0.2203012538, -0.09975046006, -0.06855742176, -0.0366961435, -0.0152972285}},
      {"mean_var", 107.5810491, {0.3333333333, 0, 0, 0, -0.3333333333, 0.2333333333, 0, 0.1, -0.3333333333, 0, 0, 0, 0, 0, 0}},
      {"mean_var:l1=1,l2=0.5", 110.3977157, {0.3333333333, 0, 0, 0, -0.3333333333, 0.5, 0, -0.1666666667, -0.3333333333, 0, 0, 0, 0, 0, 0}},
  };
  REQUIRE(std::size(expected) == variants().size());
  const Tensor z = Tensor::from({3, 5}, {80, -80, -80, -80, -80, 80, -80, 80, -80, 0, 80, -80, -80, -80, -80});
  for (const Expected& ex : expected) {
    INFO(ex.spec);
    const Evaluated e = evaluate(variant(ex.spec).fused, z, target({4, 3, 0}, 5));
    CHECK(std::isfinite(e.loss));
    CHECK(close(e.loss, ex.loss, 1e-6));
    CHECK(max_abs(e.grad) > 0.01);  // not flattened by the saturation
    for (int j = 0; j < 15; ++j) {
      INFO("dz[", j, "] = ", e.grad[j], ", expected ", ex.grad[j]);
      CHECK(std::isfinite(e.grad[j]));
      CHECK(close(e.grad[j], ex.grad[j], 1e-5, 1e-7));
    }
  }
}

TEST_CASE("softmax losses: random logits in [-80, 80] give finite losses and shift-free gradients") {
  // Every loss of softmax(z) is unchanged by z -> z + c, so each row of its
  // gradient sums to zero; a NaN, an Inf or a clamped term would break that.
  Rng rng(11);
  const int64_t N = 24, K = 7;
  Tensor z = Tensor::empty({N, K});
  for (int64_t i = 0; i < N * K; ++i) {
    const float u = rng.uniform();
    z[i] = u < 0.3f ? 80.0f : u < 0.6f ? -80.0f : rng.uniform(-80.0f, 80.0f);
  }
  LossTarget t;
  t.K = K;
  for (int64_t i = 0; i < N; ++i) t.labels.push_back(int(rng.below(K)));
  for (const Variant& v : variants()) {
    INFO(v.spec);
    const Evaluated e = evaluate(v.fused, z, t);
    CHECK(std::isfinite(e.loss));
    CHECK(e.loss >= 0);
    const double scale = max_abs(e.grad);
    CHECK(std::isfinite(scale));
    CHECK(scale > 0);
    for (int64_t i = 0; i < N; ++i) {
      double row = 0;
      for (int64_t k = 0; k < K; ++k) row += e.grad[i * K + k];
      CHECK(std::fabs(row) <= 1e-5 * scale);
    }
  }
}

// ---------------------------------------------------------------- threads, inference

TEST_CASE("softmax losses: bit-identical for 1 and 2 threads; same value without gradients") {
  Rng rng(23);
  const int64_t N = 300, K = 12;  // several parallel row blocks
  LossTarget t;
  t.K = K;
  for (int64_t i = 0; i < N; ++i) t.labels.push_back(int(rng.below(K)));
  for (int64_t i = 0; i < N; ++i) t.sample_weights.push_back(rng.uniform(0.1f, 3.0f));
  const Tensor z = test::randn({N, K}, rng, 3.0f);
  const int keep = num_threads();
  for (const Variant& v : variants()) {
    INFO(v.spec);
    set_num_threads(1);
    const Evaluated one = evaluate(v.fused, z, t);
    set_num_threads(2);
    const Evaluated two = evaluate(v.fused, z, t);
    CHECK(one.loss == two.loss);
    CHECK(one.grad == two.grad);
    Graph g;
    g.set_grad_enabled(false);
    CHECK(v.fused(g.leaf(z), t).value().item() == float(two.loss));
  }
  set_num_threads(keep);
}

// ---------------------------------------------------------------- errors

TEST_CASE("softmax losses: errors name the op and the shapes") {
  Graph g;
  Var z = g.leaf(Tensor::zeros({2, 5}));
  for (const Variant& v : variants()) {
    INFO(v.spec);
    const std::string op = v.node;
    CHECK_THROWS_WITH_AS(v.fused(z, target({1, 2}, 6)),
                         (op + ": logits [2,5] have 5 classes, the target has K = 6").c_str(), Error);
    CHECK_THROWS_WITH_AS(v.fused(z, target({1, 5}, 5)), (op + ": label 5 out of range [0,5) at row 1").c_str(),
                         Error);
    CHECK_THROWS_WITH_AS(v.fused(z, target({-1, 0}, 5)), (op + ": label -1 out of range [0,5) at row 0").c_str(),
                         Error);
    CHECK_THROWS_WITH_AS(v.fused(z, target({1, 2, 3}, 5)), (op + ": 3 labels for logits [2,5]").c_str(), Error);
    LossTarget negative = target({1, 2}, 5);
    negative.sample_weights = {1, -1};
    CHECK_THROWS_WITH_AS(v.fused(z, negative),
                         (op + ": weight of row 1 is -1 (weights must be finite and >= 0)").c_str(), Error);
    LossTarget class_negative = target({1, 2}, 5);
    class_negative.class_weights = {1, -0.5f, 1, 1, 1};
    CHECK_THROWS_WITH_AS(v.fused(z, class_negative),
                         (op + ": weight of row 0 is -0.5 (weights must be finite and >= 0)").c_str(), Error);
    CHECK_THROWS_WITH_AS(v.fused(z, target({1, 2}, 5, {0, 1, 2})), (op + ": 3 class values for K = 5").c_str(),
                         Error);
    Var flat = g.leaf(Tensor::zeros({10}));
    CHECK_THROWS_WITH_AS(v.fused(flat, target({1, 2}, 5)), (op + ": logits must be [N,K], got [10]").c_str(),
                         Error);
  }
  CHECK_THROWS_WITH_AS(ev_loss(z, target({1, 2}, 5), EvDistance::huber, 0.0f),
                       "ev_huber: huber_delta 0 must be finite and > 0", Error);
  CHECK_THROWS_WITH_AS(cdw_ce(z, target({1, 2}, 5), -1.0f), "cdw_ce: alpha -1 must be finite and > 0", Error);
  CHECK_THROWS_WITH_AS(sord(z, target({1, 2}, 5), 0.0f), "sord: alpha 0 must be finite and > 0", Error);
  CHECK_THROWS_WITH_AS(gauss_ld(z, target({1, 2}, 5), -2.0f), "gauss_ld: sigma -2 must be finite and > 0", Error);
  CHECK_THROWS_WITH_AS(mean_var(z, target({1, 2}, 5), -0.1f, 0.05f),
                       "mean_var: lambda1 -0.1 and lambda2 0.05 must be finite and >= 0", Error);
  CHECK_THROWS_WITH_AS(cdw_ce(z, target({1, 2}, 5, {1, 1, 1, 1, 1}), 1.0f, true),
                       "cdw_ce: cannot normalise, all 5 class values are equal", Error);
}
