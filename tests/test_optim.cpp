// Optimisers, schedules and clipping: hand-computed first steps, state that
// survives a checkpoint round trip bit for bit, subnormal flushing, and
// convergence to optima computed independently in double.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>

#include "core/ops.h"
#include "helpers.h"
#include "optim/adam.h"
#include "optim/clip.h"
#include "optim/lbfgs.h"
#include "optim/schedule.h"
#include "optim/sgd.h"

using namespace og;
using doctest::Approx;

namespace {

// f(p) = sum(c * p^2), c = [1, 0.25], so grad = [2 p_0, 0.5 p_1]; p starts at [1, -2].
struct Quadratic {
  Parameter p{"0.weight", Tensor::from({2}, {1.0f, -2.0f})};
  std::vector<NamedParam> params() { return {{p.name, &p}}; }
  void grad() {
    Graph g;
    g.backward(sum(g.input(Tensor::from({2}, {1.0f, 0.25f})) * square(g.param(p))));
  }
  // p after each of `n` steps of `opt`
  std::vector<std::vector<float>> run(Optimizer& opt, int n) {
    std::vector<std::vector<float>> trace;
    for (int i = 0; i < n; ++i) {
      opt.zero_grad();
      grad();
      opt.step();
      trace.push_back(p.value.to_vector());
    }
    return trace;
  }
};

void check_trace(const std::vector<std::vector<float>>& got,
                 const std::vector<std::vector<double>>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t s = 0; s < want.size(); ++s)
    for (size_t i = 0; i < want[s].size(); ++i) {
      INFO("step ", s + 1, " element ", i);
      CHECK(got[s][i] == Approx(want[s][i]).epsilon(1e-6));
    }
}

// Solve A x = b (n x n, row-major) by Gaussian elimination with partial pivoting.
std::vector<double> solve(std::vector<double> A, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t c = 0; c < n; ++c) {
    size_t piv = c;
    for (size_t r = c + 1; r < n; ++r)
      if (std::fabs(A[r * n + c]) > std::fabs(A[piv * n + c])) piv = r;
    for (size_t k = 0; k < n; ++k) std::swap(A[c * n + k], A[piv * n + k]);
    std::swap(b[c], b[piv]);
    for (size_t r = c + 1; r < n; ++r) {
      const double f = A[r * n + c] / A[c * n + c];
      for (size_t k = c; k < n; ++k) A[r * n + k] -= f * A[c * n + k];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (size_t r = n; r-- > 0;) {
    double s = b[r];
    for (size_t k = r + 1; k < n; ++k) s -= A[r * n + k] * x[k];
    x[r] = s / A[r * n + r];
  }
  return x;
}

// Linear model pred = X w + b on N = 16 rows of 3 features; theta = (w_0, w_1, w_2, b).
struct LinearProblem {
  static constexpr int N = 16;
  Tensor X = Tensor::empty({N, 3}), y = Tensor::empty({N, 1});
  Parameter w{"0.weight", Tensor::zeros({3, 1})}, b{"0.bias", Tensor::zeros({1})};
  explicit LinearProblem(bool binary_labels) {
    Rng rng(5);
    for (int r = 0; r < N; ++r) {
      double z = 0.3;
      for (int c = 0; c < 3; ++c) {
        X[r * 3 + c] = rng.normal();
        z += X[r * 3 + c] * (c + 1) * 0.7;
      }
      // binary labels flip with some noise so the classes overlap (finite optimum)
      y[r] = binary_labels ? float(z + 1.5 * rng.normal() > 0) : float(z + 0.1 * rng.normal());
    }
  }
  std::vector<NamedParam> params() { return {{w.name, &w}, {b.name, &b}}; }
  std::vector<double> theta() const { return {w.value[0], w.value[1], w.value[2], b.value[0]}; }
  double row(int r, int k) const { return k < 3 ? X[r * 3 + k] : 1.0; }
  // mean squared error, or with `logistic` the mean of softplus(z) - y z
  float loss_and_grad(bool logistic = false) {
    Graph g;
    Var z = matmul(g.input(X), g.param(w)) + g.param(b);
    Var t = g.input(y);
    Var loss = logistic ? mean(softplus(z) - t * z) : mean(square(z - t));
    g.backward(loss);
    return loss.value().item();
  }
  // argmin of mean (A theta - y)^2 + (wd/2) |theta|^2, A = [X 1]: the normal equations
  // (A^T A + N wd / 2 I) theta = A^T y.
  std::vector<double> least_squares_optimum(double wd = 0.0) const {
    std::vector<double> AtA(16, 0.0), Aty(4, 0.0);
    for (int r = 0; r < N; ++r)
      for (int i = 0; i < 4; ++i) {
        Aty[i] += row(r, i) * y[r];
        for (int j = 0; j < 4; ++j) AtA[i * 4 + j] += row(r, i) * row(r, j);
      }
    for (int i = 0; i < 4; ++i) AtA[i * 4 + i] += N * wd / 2;
    return solve(AtA, Aty);
  }
  // Logistic regression optimum by Newton's method in double:
  // grad = mean((s - y) a), Hessian = mean(s (1 - s) a a^T), s = sigmoid(a . theta).
  std::vector<double> logistic_optimum() const {
    std::vector<double> th(4, 0.0);
    for (int it = 0; it < 30; ++it) {
      std::vector<double> H(16, 0.0), gr(4, 0.0);
      for (int r = 0; r < N; ++r) {
        double z = 0;
        for (int k = 0; k < 4; ++k) z += row(r, k) * th[k];
        const double s = 1.0 / (1.0 + std::exp(-z));
        for (int i = 0; i < 4; ++i) {
          gr[i] += (s - y[r]) * row(r, i) / N;
          for (int j = 0; j < 4; ++j) H[i * 4 + j] += s * (1 - s) * row(r, i) * row(r, j) / N;
        }
      }
      const std::vector<double> dx = solve(H, gr);
      for (int k = 0; k < 4; ++k) th[k] -= dx[k];
    }
    return th;
  }
};

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

}  // namespace

TEST_CASE("sgd: plain, momentum, weight decay and Nesterov match hand-computed steps") {
  // lr 0.1, g = [2 p_0, 0.5 p_1] from p = [1, -2].
  {
    Quadratic q;  // plain: p -= 0.1 g, i.e. p_0 *= 0.8, p_1 *= 0.95
    SGD opt(q.params(), 0.1f);
    check_trace(q.run(opt, 3), {{0.8, -1.9}, {0.64, -1.805}, {0.512, -1.71475}});
  }
  {
    Quadratic q;  // mu 0.9: buf = [2,-1] -> p [0.8,-1.9]; g [1.6,-0.95], buf = 0.9 buf + g =
    SGD opt(q.params(), 0.1f, 0.9f);  // [3.4,-1.85] -> p [0.46,-1.715]; g [0.92,-0.8575],
    // buf [3.98,-2.5225] -> p [0.062,-1.46275]
    check_trace(q.run(opt, 3), {{0.8, -1.9}, {0.46, -1.715}, {0.062, -1.46275}});
  }
  {
    Quadratic q;  // wd 0.1: g = [2.1, -1.2] -> p [0.79,-1.88]; g [1.738,-1.128],
    SGD opt(q.params(), 0.1f, 0.9f, 0.1f);  // buf [3.628,-2.208] -> p [0.4351,-1.6592]
    check_trace(q.run(opt, 3), {{0.79, -1.88}, {0.4351, -1.6592}, {0.024319, -1.360928}});
  }
  {
    Quadratic q;  // Nesterov: d = g + 0.9 buf = 1.9 g at step 1 -> p [0.62,-1.81];
    SGD opt(q.params(), 0.1f, 0.9f, 0.0f, true);  // g [1.24,-0.905], buf [3.04,-1.805],
    // d [3.976,-2.5295] -> p [0.2224,-1.55705]
    check_trace(q.run(opt, 3), {{0.62, -1.81}, {0.2224, -1.55705}, {-0.108352, -1.26292525}});
  }
}

TEST_CASE("sgd: Nesterov looks ahead by mu * buf on the same gradients") {
  // With equal buffers, the Nesterov step minus the plain one is g + mu*buf - buf = g - (1-mu) buf:
  // at step 1 (buf = g) that is mu * g, so Nesterov moves (1 + mu) times as far.
  Quadratic a, b;
  SGD plain(a.params(), 0.1f, 0.5f), nesterov(b.params(), 0.1f, 0.5f, 0.0f, true);
  a.run(plain, 1);
  b.run(nesterov, 1);
  CHECK(1.0f - b.p.value[0] == Approx(1.5 * (1.0f - a.p.value[0])));
  CHECK(-2.0f - b.p.value[1] == Approx(1.5 * (-2.0f - a.p.value[1])));
}

TEST_CASE("adam: hand-computed steps; step 1 is lr * sign(g)") {
  // t = 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2 -> p -= 0.1 g / (|g| + 1e-8).
  // t = 2 (p = [0.9,-1.9], g = [1.8,-0.95]): m = [0.36,-0.185], v = [0.007236,0.0019015],
  // m_hat = m / 0.19, v_hat = v / 0.001999 -> step 0.1 * [0.995878, -0.998335].
  Quadratic q;
  Adam opt(q.params(), 0.1f);
  check_trace(q.run(opt, 3),
              {{0.9, -1.9}, {0.80041223, -1.80016649}, {0.70158627, -1.70062339}});

  // Gradients of very different sizes all move by lr at step 1.
  Parameter p("w", Tensor::zeros({4}));
  p.grad = Tensor::from({4}, {1e-3f, -50.0f, 2e3f, -7.0f});
  Adam one({{"w", &p}}, 0.01f);
  one.step();
  const float want[4] = {-0.01f, 0.01f, -0.01f, 0.01f};
  for (int i = 0; i < 4; ++i) CHECK(p.value[i] == Approx(want[i]).epsilon(2e-5));
}

TEST_CASE("adamw decays the weights directly; adam's L2 term is normalised away") {
  // Step 1, lr 0.1, wd 0.1. Adam: g + wd p has the sign of g, so the step is still
  // -lr sign(g). AdamW: p *= 1 - lr wd = 0.99 first, then -lr sign(g).
  Quadratic plain, l2, decoupled;
  Adam a(plain.params(), 0.1f), b(l2.params(), 0.1f, 0.1f);
  AdamW c(decoupled.params(), 0.1f, 0.1f);
  CHECK(std::string(c.name()) == "adamw");
  plain.run(a, 1);
  l2.run(b, 1);
  CHECK(l2.p.value[0] == plain.p.value[0]);
  CHECK(l2.p.value[1] == plain.p.value[1]);
  check_trace(decoupled.run(c, 3),
              {{0.89, -1.88}, {0.78157186, -1.76140895}, {0.67510122, -1.64436869}});
}

TEST_CASE("state tensors: named, zero at construction, updated in place") {
  LinearProblem lp(false);
  SGD plain(lp.params(), 0.1f);
  CHECK(plain.state().empty());  // no momentum, no state
  SGD sgd(lp.params(), 0.1f, 0.9f);
  Adam adam(lp.params(), 0.01f);
  const std::vector<std::string> sgd_names = {"momentum.0.weight", "momentum.0.bias"};
  const std::vector<std::string> adam_names = {"adam.m.0.weight", "adam.m.0.bias",
                                               "adam.v.0.weight", "adam.v.0.bias"};
  for (Optimizer* opt : std::vector<Optimizer*>{&sgd, &adam}) {
    const std::vector<NamedTensor> st = opt->state();
    const auto& names = opt == &sgd ? sgd_names : adam_names;
    REQUIRE(st.size() == names.size());
    std::vector<const float*> buffers;
    for (size_t i = 0; i < st.size(); ++i) {
      CHECK(st[i].name == names[i]);
      CHECK(st[i].tensor->shape() == (i % 2 ? Shape{1} : Shape{3, 1}));
      for (int64_t j = 0; j < st[i].tensor->numel(); ++j) CHECK((*st[i].tensor)[j] == 0.0f);
      buffers.push_back(st[i].tensor->data());
    }
    for (int s = 0; s < 3; ++s) {
      opt->zero_grad();
      lp.loss_and_grad();
      opt->step();
    }
    CHECK(opt->steps == 3);
    const std::vector<NamedTensor> after = opt->state();
    for (size_t i = 0; i < after.size(); ++i) {
      CHECK(after[i].tensor->data() == buffers[i]);  // same buffer, not reallocated
      CHECK((*after[i].tensor)[0] != 0.0f);
    }
  }
}

TEST_CASE("restoring params, state and steps into a fresh optimiser continues bit for bit") {
  using Make = std::function<std::unique_ptr<Optimizer>(std::vector<NamedParam>)>;
  const std::vector<Make> makers = {
      [](auto ps) { return std::make_unique<SGD>(ps, 0.05f, 0.9f, 0.01f, true); },
      [](auto ps) { return std::make_unique<Adam>(ps, 0.05f, 0.01f); },
      [](auto ps) { return std::make_unique<AdamW>(ps, 0.05f, 0.1f); },
  };
  for (const Make& make : makers) {
    LinearProblem a(false), b(false), fresh(false);
    std::unique_ptr<Optimizer> opt_a = make(a.params());
    auto train = [](LinearProblem& lp, Optimizer& opt, int n) {
      for (int s = 0; s < n; ++s) {
        opt.zero_grad();
        lp.loss_and_grad();
        opt.step();
      }
    };
    train(a, *opt_a, 3);
    // "checkpoint": copy parameters, state tensors by name, and the step counter
    for (LinearProblem* lp : {&b, &fresh}) {
      std::memcpy(lp->w.value.data(), a.w.value.data(), 3 * sizeof(float));
      lp->b.value[0] = a.b.value[0];
    }
    std::map<std::string, Tensor> saved;
    for (const NamedTensor& t : opt_a->state()) saved[t.name] = t.tensor->clone();
    std::unique_ptr<Optimizer> opt_b = make(b.params()), opt_fresh = make(fresh.params());
    for (const NamedTensor& t : opt_b->state()) {
      REQUIRE(saved.count(t.name) == 1);
      std::memcpy(t.tensor->data(), saved[t.name].data(), t.tensor->numel() * sizeof(float));
    }
    opt_b->steps = opt_a->steps;
    train(a, *opt_a, 4);
    train(b, *opt_b, 4);
    train(fresh, *opt_fresh, 4);  // same parameters, state not restored
    INFO(std::string(opt_a->name()));
    CHECK(test::bit_equal(a.w.value, b.w.value));
    CHECK(test::bit_equal(a.b.value, b.b.value));
    CHECK_FALSE(test::bit_equal(a.w.value, fresh.w.value));
  }
}

TEST_CASE("tiny momentum and moments are flushed to zero, never subnormal") {
  Parameter p("w", Tensor::full({3}, 1.0f));  // grad stays 0: buffers only decay
  SGD sgd({{"w", &p}}, 0.1f, 0.5f);
  Adam adam({{"w", &p}}, 0.1f, 0.0f, 0.9f, 0.9f);  // beta2 0.9: v decays as fast as m
  // Unflushed, 1e-29 * 0.5^n is subnormal (< 1.18e-38) from n = 30, and 1e-29 * 0.9^n
  // from n = 196.
  sgd.state()[0].tensor->fill(1e-29f);
  for (const NamedTensor& t : adam.state()) t.tensor->fill(1e-29f);
  sgd.step();
  CHECK((*sgd.state()[0].tensor)[0] == 5e-30f);  // above 1e-30: kept exactly
  for (int s = 0; s < 250; ++s) {
    sgd.step();
    adam.step();
    for (Optimizer* opt : std::vector<Optimizer*>{&sgd, &adam})
      for (const NamedTensor& t : opt->state())
        for (int64_t i = 0; i < t.tensor->numel(); ++i)
          REQUIRE(std::fpclassify((*t.tensor)[i]) != FP_SUBNORMAL);
  }
  for (Optimizer* opt : std::vector<Optimizer*>{&sgd, &adam})
    for (const NamedTensor& t : opt->state()) CHECK((*t.tensor)[0] == 0.0f);
}

TEST_CASE("sgd, nesterov, weight decay and adam(w) converge on least squares") {
  struct Case {
    const char* what;
    std::function<std::unique_ptr<Optimizer>(std::vector<NamedParam>)> make;
    int steps;
    bool cosine;        // decay lr to 0: lets Adam settle instead of hovering at the lr scale
    double wd_optimum;  // weight decay in the optimum's normal equations
    double tol;
  };
  const std::vector<Case> cases = {
      {"sgd", [](auto ps) { return std::make_unique<SGD>(ps, 0.1f); }, 300, false, 0.0, 1e-4},
      {"momentum", [](auto ps) { return std::make_unique<SGD>(ps, 0.05f, 0.9f); }, 200, false, 0.0, 1e-4},
      {"nesterov", [](auto ps) { return std::make_unique<SGD>(ps, 0.05f, 0.9f, 0.0f, true); }, 200,
       false, 0.0, 1e-4},
      {"sgd wd", [](auto ps) { return std::make_unique<SGD>(ps, 0.1f, 0.0f, 0.2f); }, 300, false, 0.2,
       1e-4},
      {"adam", [](auto ps) { return std::make_unique<Adam>(ps, 0.05f); }, 600, true, 0.0, 1e-5},
      // decoupled decay pulls p toward 0 by lr*wd*p each step, which the normalised Adam
      // step balances only roughly: AdamW ends near (7e-4 here), not at, the plain optimum
      {"adamw", [](auto ps) { return std::make_unique<AdamW>(ps, 0.05f, 1e-3f); }, 600, true, 0.0,
       2e-3},
  };
  for (const Case& c : cases) {
    LinearProblem lp(false);
    std::unique_ptr<Optimizer> opt = c.make(lp.params());
    const LrSchedule sched =
        c.cosine ? LrSchedule::cosine(opt->lr, c.steps) : LrSchedule::constant(opt->lr);
    for (int s = 0; s < c.steps; ++s) {
      opt->lr = sched.lr(opt->steps);
      opt->zero_grad();
      lp.loss_and_grad();
      opt->step();
    }
    INFO(std::string(c.what), " ", max_diff(lp.theta(), lp.least_squares_optimum(c.wd_optimum)));
    CHECK(max_diff(lp.theta(), lp.least_squares_optimum(c.wd_optimum)) < c.tol);
  }
}

TEST_CASE("optimiser errors name the optimiser and the value") {
  Parameter p("w", Tensor::zeros({2}));
  std::vector<NamedParam> ps = {{"w", &p}};
  CHECK_THROWS_WITH_AS(SGD(ps, 0.1f, 0.0f, 0.0f, true), "sgd: nesterov needs momentum > 0, got 0",
                       Error);
  CHECK_THROWS_WITH_AS(SGD(ps, 0.1f, 1.0f), "sgd: momentum 1 must be in [0, 1)", Error);
  CHECK_THROWS_WITH_AS(SGD(ps, -0.1f), "sgd: learning rate -0.1 must be >= 0", Error);
  CHECK_THROWS_WITH_AS(AdamW(ps, 0.1f, 0.0f, 0.9f, 1.0f), "adamw: betas (0.9, 1) must be in [0, 1)",
                       Error);
  Parameter bad("x", Tensor::zeros({2}));
  bad.grad = Tensor::zeros({3});
  CHECK_THROWS_WITH_AS(Adam({{"x", &bad}}), "adam: parameter 'x' has value [2] but grad [3]", Error);
  CHECK_THROWS_WITH_AS(LBFGS({{"x", &bad}}), "lbfgs: parameter 'x' has value [2] but grad [3]",
                       Error);
}

TEST_CASE("schedules: exact values at chosen steps, from parameters and from specs") {
  const LrSchedule c = LrSchedule::constant(0.1f);
  CHECK(c.lr(0) == 0.1f);
  CHECK(c.lr(12345) == 0.1f);

  // step decay: 0.1 * 0.5^floor(s / 10)
  const LrSchedule st = LrSchedule::step_decay(0.1f, 10, 0.5f);
  CHECK(st.lr(0) == 0.1f);
  CHECK(st.lr(9) == 0.1f);
  CHECK(st.lr(10) == 0.05f);
  CHECK(st.lr(25) == 0.025f);
  CHECK(st.lr(30) == 0.0125f);

  // cosine 0.1 -> 0.01 over 100: 0.01 + 0.09 (1 + cos(pi s / 100)) / 2
  const LrSchedule cs = LrSchedule::cosine(0.1f, 100, 0.01f);
  CHECK(cs.lr(0) == Approx(0.1).epsilon(1e-7));
  CHECK(cs.lr(25) == Approx(0.01 + 0.09 * (1 + std::sqrt(0.5)) / 2).epsilon(1e-7));  // 0.0868198
  CHECK(cs.lr(50) == Approx(0.055).epsilon(1e-7));
  CHECK(cs.lr(100) == Approx(0.01).epsilon(1e-7));
  CHECK(cs.lr(500) == Approx(0.01).epsilon(1e-7));

  // warm-up 4: 0.1 * (s + 1) / 4 for s < 4, then the cosine counted from step 4
  const LrSchedule wc = cs.with_warmup(4);
  CHECK(wc.lr(0) == Approx(0.025).epsilon(1e-7));
  CHECK(wc.lr(2) == Approx(0.075).epsilon(1e-7));
  CHECK(wc.lr(3) == Approx(0.1).epsilon(1e-7));
  CHECK(wc.lr(4) == Approx(0.1).epsilon(1e-7));
  CHECK(wc.lr(54) == Approx(0.055).epsilon(1e-7));
  const LrSchedule ws = st.with_warmup(5);
  CHECK(ws.lr(0) == Approx(0.02).epsilon(1e-7));
  CHECK(ws.lr(14) == 0.1f);
  CHECK(ws.lr(15) == 0.05f);

  // specs build the same schedules
  auto same = [](const LrSchedule& a, const LrSchedule& b) {
    for (int64_t s : {0, 1, 3, 4, 9, 10, 25, 54, 100, 104, 500})
      if (a.lr(s) != b.lr(s)) return false;
    return true;
  };
  CHECK(same(LrSchedule::parse("constant", 0.1f), c));
  CHECK(same(LrSchedule::parse("step:every=10,gamma=0.5", 0.1f), st));
  CHECK(same(LrSchedule::parse("cosine:total=100,min=0.01", 0.1f), cs));
  CHECK(same(LrSchedule::parse("cosine:min=1e-2,warmup=4,total=100", 0.1f), wc));
  CHECK(same(LrSchedule::parse("step:every=10,gamma=0.5,warmup=5", 0.1f), ws));
  CHECK_FALSE(same(LrSchedule::parse("cosine:total=100", 0.1f), cs));  // min defaults to 0

  CHECK_THROWS_WITH_AS(LrSchedule::parse("cosin:total=10", 0.1f),
                       "schedule 'cosin:total=10': unknown schedule 'cosin' (constant, step, cosine)",
                       Error);
  CHECK_THROWS_WITH_AS(LrSchedule::parse("step:gamma=0.5", 0.1f),
                       "schedule 'step:gamma=0.5': step needs every=K", Error);
  CHECK_THROWS_WITH_AS(LrSchedule::parse("step:every=2.5", 0.1f),
                       "schedule 'step:every=2.5': every=2.5 is not a whole number >= 0", Error);
  CHECK_THROWS_WITH_AS(LrSchedule::parse("cosine:total=10,gamma=2", 0.1f),
                       "schedule 'cosine:total=10,gamma=2': unknown option 'gamma' for cosine",
                       Error);
  CHECK_THROWS_WITH_AS(LrSchedule::parse("cosine:total=x", 0.1f),
                       "schedule 'cosine:total=x': total=x is not a number", Error);
  CHECK_THROWS_AS(LrSchedule::parse("step:every=0", 0.1f), Error);
}

TEST_CASE("clip_grad_norm: global norm in double, scales only when above max_norm") {
  Parameter a("a", Tensor::zeros({2})), b("b", Tensor::zeros({1}));
  std::vector<NamedParam> ps = {{"a", &a}, {"b", &b}};
  a.grad = Tensor::from({2}, {3.0f, -4.0f});
  b.grad = Tensor::from({1}, {12.0f});
  // norm = sqrt(9 + 16 + 144) = 13; max 26 leaves the gradients untouched
  CHECK(clip_grad_norm(ps, 26.0f) == 13.0f);
  CHECK(a.grad.to_vector() == std::vector<float>{3.0f, -4.0f});
  CHECK(b.grad[0] == 12.0f);
  // max 6.5: every gradient halved
  CHECK(clip_grad_norm(ps, 6.5f) == 13.0f);
  CHECK(a.grad.to_vector() == std::vector<float>{1.5f, -2.0f});
  CHECK(b.grad[0] == 6.0f);
  CHECK(clip_grad_norm(ps, 100.0f) == 6.5f);
  // squares of 1e20 overflow float (max 3.4e38), not double: norm sqrt(3^2 + 4^2) e20
  a.grad = Tensor::from({2}, {3e20f, 4e20f});
  b.grad = Tensor::zeros({1});
  CHECK(clip_grad_norm(ps, 1.0f) == Approx(5e20).epsilon(1e-6));
  CHECK(a.grad[0] == Approx(0.6).epsilon(1e-6));
  CHECK(a.grad[1] == Approx(0.8).epsilon(1e-6));
  // non-finite: reported, gradients untouched
  a.grad[0] = INFINITY;
  CHECK(std::isinf(clip_grad_norm(ps, 1.0f)));
  CHECK(a.grad[1] == Approx(0.8).epsilon(1e-6));
  CHECK_THROWS_WITH_AS(clip_grad_norm(ps, 0.0f), "clip_grad_norm: max_norm 0 must be > 0", Error);
}

// f = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1), with its gradient in x.grad, y.grad.
float rosenbrock_loss(Parameter& x, Parameter& y, std::vector<NamedParam>& ps) {
  zero_grads(ps);
  Graph g;
  Var vx = g.param(x), vy = g.param(y);
  Var f = sum(square(1.0f - vx) + 100.0f * square(vy - square(vx)));
  g.backward(f);
  return f.value().item();
}

TEST_CASE("lbfgs: Rosenbrock from (-1.2, 1) to (1, 1), far faster than gradient descent") {
  Parameter x("x", Tensor::from({1}, {-1.2f})), y("y", Tensor::from({1}, {1.0f}));
  std::vector<NamedParam> ps = {{"x", &x}, {"y", &y}};
  auto rosenbrock = [&] { return rosenbrock_loss(x, y, ps); };
  LbfgsOptions o;
  o.max_iter = 200;
  LBFGS opt(ps, o);
  const float f = opt.step(rosenbrock);
  CHECK(x.value[0] == Approx(1.0).epsilon(1e-4));
  CHECK(y.value[0] == Approx(1.0).epsilon(1e-4));
  CHECK(f < 1e-8f);
  CHECK(opt.evaluations <= 80);
  const int64_t budget = opt.evaluations;

  // Gradient descent with 10x the evaluations (lr 1e-3, about the largest stable one
  // here: the curvature along the valley wall reaches ~1000) is still far away.
  x.value[0] = -1.2f;
  y.value[0] = 1.0f;
  SGD sgd(ps, 1e-3f);
  for (int64_t s = 0; s < 10 * budget; ++s) {
    rosenbrock();
    sgd.step();
  }
  CHECK(std::fabs(x.value[0] - 1.0f) > 0.1f);
}

TEST_CASE("lbfgs: stop says why step() returned; grad_max and grad_l2 are the final gradient's") {
  Parameter x("x", Tensor::from({1}, {-1.2f})), y("y", Tensor::from({1}, {1.0f}));
  std::vector<NamedParam> ps = {{"x", &x}, {"y", &y}};
  auto rosenbrock = [&] { return rosenbrock_loss(x, y, ps); };
  LbfgsOptions o;
  o.max_iter = 3;
  LBFGS opt(ps, o);
  CHECK(opt.stop == LbfgsStop::none);
  opt.step(rosenbrock);
  CHECK(opt.stop == LbfgsStop::max_iter);
  CHECK(opt.iterations == 3);
  CHECK(opt.grad_max == std::max(std::fabs(double(x.grad[0])), std::fabs(double(y.grad[0]))));
  CHECK(opt.grad_l2 == Approx(std::hypot(double(x.grad[0]), double(y.grad[0]))).epsilon(1e-12));
  CHECK(opt.grad_max > 1e-3);
  // A loose gradient tolerance ends the next step by the gradient test.
  opt.options.max_iter = 200;
  opt.options.tolerance_grad = 1e-2;
  opt.step(rosenbrock);
  CHECK(opt.stop == LbfgsStop::gradient);
  CHECK(opt.grad_max <= 1e-2);
  // Logistic regression has no float point where the gradient is exactly 0, so with no
  // gradient tolerance the float parameters stop moving first, at the optimum.
  LinearProblem lp(true);
  LbfgsOptions no_tol;
  no_tol.max_iter = 500;
  no_tol.tolerance_grad = 0;
  LBFGS lr(lp.params(), no_tol);
  lr.step([&] {
    lr.zero_grad();
    return lp.loss_and_grad(true);
  });
  MESSAGE("logistic regression: stop " << std::string(stop_name(lr.stop)) << ", max|g| " << lr.grad_max
                                       << " after " << lr.iterations << " iterations");
  CHECK((lr.stop == LbfgsStop::change || lr.stop == LbfgsStop::line_search));
  CHECK(lr.iterations < 500);
  CHECK(max_diff(lp.theta(), lp.logistic_optimum()) < 1e-5);
  CHECK(std::string(stop_name(lr.stop)) == (lr.stop == LbfgsStop::change ? "change" : "line_search"));
  CHECK(std::string(stop_name(LbfgsStop::max_iter)) == "max_iter");
}

TEST_CASE("lbfgs: least squares and logistic regression reach the optimum of a double solver") {
  {
    LinearProblem lp(false);
    LBFGS opt(lp.params());
    opt.step([&] {
      opt.zero_grad();
      return lp.loss_and_grad();
    });
    CHECK(max_diff(lp.theta(), lp.least_squares_optimum()) < 1e-6);
    CHECK(opt.evaluations <= 15);
    // gradient descent (lr 0.1, the convergence case above) in 4x the evaluations is not there
    LinearProblem gd(false);
    SGD sgd(gd.params(), 0.1f);
    for (int64_t s = 0; s < 4 * opt.evaluations; ++s) {
      sgd.zero_grad();
      gd.loss_and_grad();
      sgd.step();
    }
    CHECK(max_diff(gd.theta(), gd.least_squares_optimum()) > 1e-2);
  }
  {
    LinearProblem lp(true);
    LBFGS opt(lp.params());
    opt.step([&] {
      opt.zero_grad();
      return lp.loss_and_grad(true);
    });
    CHECK(max_diff(lp.theta(), lp.logistic_optimum()) < 1e-5);
    CHECK(opt.evaluations <= 25);
  }
}
