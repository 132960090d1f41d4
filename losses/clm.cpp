// clm — cumulative link loss -log p_y, fused and computed in log space (logit and probit links)
// paper   : McCullagh, JRSS B 42 (1980) (proportional odds / cumulative link models).
// forward : with a = c_{y-1} (a = -inf for y = 0) and b = c_y (b = +inf for y = K-1), a <= b,
//           L_i = -log p_i,  p_i = F(b) - F(a);  L = sum_i w_i L_i / sum_i w_i.
//           Never a difference of probabilities; log p is taken by cases:
//             y = 0     : log p = log F(b)
//             y = K-1   : log p = log(1 - F(a)) = log F(-a)       (F symmetric for both links)
//             logit     : sigma(b) - sigma(a) = sigma(b) (1 - sigma(a)) (1 - e^{a-b}), so
//                         log p = log F(b) + log F(-a) + log(-expm1(a - b))
//             probit    : b <= 0 (both in the lower tail): log p = lb + log(-expm1(la - lb)),
//                           la = log Phi(a), lb = log Phi(b);
//                         a >= 0 (both in the upper tail): the same on (-b, -a), since
//                           Phi(b) - Phi(a) = Phi(-a) - Phi(-b);
//                         a < 0 < b: p = (erf(b/sqrt2) - erf(a/sqrt2)) / 2, a sum of two
//                           positive terms (no cancellation).
//           log F(x): logit -softplus(-x); probit log Phi(x) from erfc, and for x <= -30
//           (where erfc nears underflow) the asymptotic series
//           Phi(x) = phi(x)/|x| (1 - x^-2 + 3x^-4 - 15x^-6 + 105x^-8 - 945x^-10 + ...),
//           whose truncation error there is below 2e-14 relative.
// backward: dp/db = f(b), dp/da = -f(a) with f = F' (f(+-inf) = 0), so
//           dL_i/db = -f(b)/p_i,   dL_i/da = f(a)/p_i, each evaluated as exp(log f - log p):
//           log f(x) = -softplus(-x) - softplus(x)      (logit:  f = sigma (1 - sigma))
//           log f(x) = -x^2/2 - log(2 pi)/2             (probit: f = phi)
//           dc_{i,y} += -g w_i / sum_j w_j * f(b)/p_i,  dc_{i,y-1} += g w_i / sum_j w_j * f(a)/p_i.
//           In the tails the ratio stays finite and exact (probit, y = 0, c_0 = -80:
//           f/Phi = 80.0125, the inverse Mills ratio): nothing is clamped.
// shapes  : c [N,K-1], labels N ints in [0,K) -> scalar
// saves   : labels, normalised weights, log p_i per row (double)
// parallel: backward over rows (disjoint); the forward is serial in row order (it also
//           checks that every row of c is non-decreasing).
#include "losses/clm.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/elementwise.h"
#include "core/parallel.h"
#include "losses/cumulative.h"
#include "losses/reduce.h"

namespace og {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = 1.4142135623730950488;
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2


double log_normal_cdf(double x) {
  if (x >= 0) return std::log1p(-0.5 * std::erfc(x / kSqrt2));
  if (x > -30) return std::log(0.5 * std::erfc(-x / kSqrt2));
  const double u = 1.0 / (x * x);
  const double series = 1 + u * (-1 + u * (3 + u * (-15 + u * (105 - 945 * u))));
  return -0.5 * x * x - kHalfLog2Pi - std::log(-x) + std::log(series);
}

double log_pdf(double x, ClmLink link) {
  return link == ClmLink::logit ? -softplus(-x) - softplus(x) : -0.5 * x * x - kHalfLog2Pi;
}

// log(F(b) - F(a)) for a <= b; a may be -inf, b may be +inf (not both).
double log_interval(double a, double b, ClmLink link) {
  if (a == -kInf) return clm_log_cdf(b, link);
  if (b == kInf) return clm_log_cdf(-a, link);
  if (link == ClmLink::logit) return clm_log_cdf(b, link) + clm_log_cdf(-a, link) + std::log(-std::expm1(a - b));
  if (a >= 0) {  // both in the upper tail: mirror (a, b) onto (-b, -a)
    const double lo = -b;
    b = -a;
    a = lo;
  }
  if (b <= 0) {
    const double la = log_normal_cdf(a), lb = log_normal_cdf(b);
    return lb + std::log(-std::expm1(la - lb));
  }
  return std::log(0.5 * (std::erf(b / kSqrt2) - std::erf(a / kSqrt2)));
}

// Rows of c must be non-decreasing: otherwise some p_k would be negative.
void check_ordered(const char* op, const Tensor& c) {
  const int64_t N = c.shape()[0], T = c.shape()[1];
  for (int64_t i = 0; i < N; ++i)
    for (int64_t k = 1; k < T; ++k) {
      const float lo = c[i * T + k - 1], hi = c[i * T + k];
      OG_CHECK(lo <= hi, op, ": cumulative logits must be non-decreasing along k, but row ", i,
               " has c[", k - 1, "] = ", lo, " > c[", k, "] = ", hi);
    }
}

// The interval of class y in row i: (c_{y-1}, c_y) with the infinite ends.
void bounds(const float* ci, int y, int64_t T, double& a, double& b) {
  a = y == 0 ? -kInf : static_cast<double>(ci[y - 1]);
  b = y == T ? kInf : static_cast<double>(ci[y]);
}

struct ClmNode : Node {
  std::vector<int> labels;
  std::vector<double> w;  // normalised to sum 1
  ClmLink link;
  std::vector<double> log_p;  // log p_{y_i} per row
  ClmNode(std::vector<int> y, std::vector<double> weights, ClmLink l)
      : labels(std::move(y)), w(std::move(weights)), link(l) {}
  const char* name() const override { return "clm"; }
  void forward() override {
    const Tensor& c = in(0);
    const int64_t N = c.shape()[0], T = c.shape()[1];
    check_ordered("clm", c);
    if (!value.defined()) value = Tensor::empty({});
    log_p.resize(N);
    double loss = 0;
    for (int64_t i = 0; i < N; ++i) {
      double a, b;
      bounds(c.data() + i * T, labels[i], T, a, b);
      log_p[i] = log_interval(a, b, link);
      loss -= w[i] * log_p[i];
    }
    value[0] = static_cast<float>(loss);
  }
  void backward() override {
    const Tensor& c = in(0);
    const int64_t N = c.shape()[0], T = c.shape()[1];
    const double g = grad[0];
    float* dc = in_grad(0).data();
    parallel_for(N, 64, [&](int64_t i) {
      const int y = labels[i];
      double a, b;
      bounds(c.data() + i * T, y, T, a, b);
      const double scale = g * w[i];
      if (y < T) dc[i * T + y] -= static_cast<float>(scale * std::exp(log_pdf(b, link) - log_p[i]));
      if (y > 0) dc[i * T + y - 1] += static_cast<float>(scale * std::exp(log_pdf(a, link) - log_p[i]));
    });
  }
};
}  // namespace

double clm_log_cdf(double x, ClmLink link) {
  return link == ClmLink::logit ? -softplus(-x) : log_normal_cdf(x);
}

Var clm(Var c, const LossTarget& t, ClmLink link) {
  check_cumulative_input("clm", c.shape(), t);
  std::vector<double> w =
      normalised_loss_weights("clm", t.labels, t.K, t.class_weights, t.sample_weights);
  return c.graph->record<ClmNode>({c}, t.labels, std::move(w), link);
}

Tensor clm_probs(const Tensor& c, ClmLink link) {
  OG_CHECK(c.shape().nd == 2 && c.shape()[1] >= 1, "clm_probs: cumulative logits must be [N,K-1], got ",
           c.shape());
  check_ordered("clm_probs", c);
  const int64_t N = c.shape()[0], T = c.shape()[1], K = T + 1;
  Tensor p = Tensor::empty({N, K});
  for (int64_t i = 0; i < N; ++i)
    for (int y = 0; y < K; ++y) {
      double a, b;
      bounds(c.data() + i * T, y, T, a, b);
      p[i * K + y] = static_cast<float>(std::exp(log_interval(a, b, link)));
    }
  return p;
}

Tensor clm_greater(const Tensor& c, ClmLink link) {
  OG_CHECK(c.shape().nd == 2 && c.shape()[1] >= 1, "clm_greater: cumulative logits must be [N,K-1], got ",
           c.shape());
  Tensor p = Tensor::empty(c.shape());
  for (int64_t i = 0; i < c.numel(); ++i) p[i] = static_cast<float>(std::exp(clm_log_cdf(-c[i], link)));
  return p;
}

}  // namespace og
