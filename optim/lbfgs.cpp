// lbfgs.cpp — L-BFGS with a backtracking Armijo line search (algorithm in lbfgs.h).
#include "optim/lbfgs.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "optim/optimizer.h"

namespace og {

namespace {
// Relative error of a float loss summed over a batch: a few float ulps (2^-23 ~ 1.2e-7).
constexpr double kLossRounding = 1e-6;

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double max_abs(const std::vector<double>& a) {
  double m = 0.0;
  for (double v : a) m = std::max(m, std::fabs(v));
  return m;
}

// max_i |s_i| / max(1, |x_i|): the step relative to the parameters' size.
double max_relative(const std::vector<double>& s, const std::vector<double>& x) {
  double m = 0.0;
  for (size_t i = 0; i < s.size(); ++i) m = std::max(m, std::fabs(s[i]) / std::max(1.0, std::fabs(x[i])));
  return m;
}

// a += c * b
void axpy(std::vector<double>& a, double c, const std::vector<double>& b) {
  for (size_t i = 0; i < a.size(); ++i) a[i] += c * b[i];
}
}  // namespace

const char* stop_name(LbfgsStop s) {
  switch (s) {
    case LbfgsStop::gradient: return "gradient";
    case LbfgsStop::change: return "change";
    case LbfgsStop::line_search: return "line_search";
    case LbfgsStop::max_iter: return "max_iter";
    case LbfgsStop::none: break;
  }
  return "none";
}

LBFGS::LBFGS(std::vector<NamedParam> params, LbfgsOptions opts)
    : options(opts), params_(std::move(params)) {
  check_params("lbfgs", params_);
  OG_CHECK(options.lr > 0.0f, "lbfgs: lr ", options.lr, " must be > 0");
  OG_CHECK(options.history >= 1 && options.max_iter >= 1 && options.max_backtracks >= 1,
           "lbfgs: history ", options.history, ", max_iter ", options.max_iter,
           " and max_backtracks ", options.max_backtracks, " must all be >= 1");
  OG_CHECK(options.c1 > 0.0 && options.c1 < 1.0, "lbfgs: c1 ", options.c1, " must be in (0, 1)");
  for (const NamedParam& p : params_) n_ += p.param->value.numel();
}

void LBFGS::zero_grad() { zero_grads(params_); }

void LBFGS::read_values(std::vector<double>& x) const {
  size_t j = 0;
  for (const NamedParam& p : params_)
    for (int64_t i = 0; i < p.param->value.numel(); ++i) x[j++] = p.param->value[i];
}

void LBFGS::read_grads(std::vector<double>& g) const {
  size_t j = 0;
  for (const NamedParam& p : params_)
    for (int64_t i = 0; i < p.param->grad.numel(); ++i) g[j++] = p.param->grad[i];
}

void LBFGS::write_values(const std::vector<double>& x) {
  size_t j = 0;
  for (const NamedParam& p : params_)
    for (int64_t i = 0; i < p.param->value.numel(); ++i)
      p.param->value[i] = static_cast<float>(x[j++]);
}

// -H g by the two-loop recursion, newest pair first, then oldest first.
std::vector<double> LBFGS::direction(const std::vector<double>& g) const {
  std::vector<double> q = g;
  std::vector<double> alpha(history_.size());
  for (size_t i = history_.size(); i-- > 0;) {
    alpha[i] = history_[i].rho * dot(history_[i].s, q);
    axpy(q, -alpha[i], history_[i].y);
  }
  if (!history_.empty()) {
    const Pair& last = history_.back();
    const double gamma = 1.0 / (last.rho * dot(last.y, last.y));  // s.y / y.y
    for (double& v : q) v *= gamma;
  }
  for (size_t i = 0; i < history_.size(); ++i) {
    const double beta = history_[i].rho * dot(history_[i].y, q);
    axpy(q, alpha[i] - beta, history_[i].s);
  }
  for (double& v : q) v = -v;
  return q;
}

float LBFGS::step(const std::function<float()>& closure) {
  std::vector<double> x(n_), g(n_), x_new(n_), g_new(n_);
  double f = closure();
  ++evaluations;
  read_values(x);
  read_grads(g);
  stop = LbfgsStop::max_iter;
  for (int it = 0;; ++it) {
    if (max_abs(g) <= options.tolerance_grad) {
      stop = LbfgsStop::gradient;
      break;
    }
    if (it == options.max_iter) break;
    std::vector<double> d = direction(g);
    double gtd = dot(g, d);
    if (!(gtd < 0.0)) {  // H lost positive definiteness (or NaN): restart from -g
      history_.clear();
      d = g;
      for (double& v : d) v = -v;
      gtd = -dot(g, g);
    }
    double l1 = 0.0;
    for (double v : g) l1 += std::fabs(v);
    // Without history the scale of -g is unknown: cap the first move at |d|_1 = lr.
    double t = history_.empty() ? options.lr * std::min(1.0, 1.0 / l1) : options.lr;
    bool accepted = false;
    double f_new = f;
    for (int k = 0; k < options.max_backtracks && !accepted; ++k) {
      x_new = x;
      axpy(x_new, t, d);
      write_values(x_new);
      f_new = closure();
      ++evaluations;
      read_grads(g_new);
      // Armijo; or, once the decrease drowns in the float rounding of the loss, the
      // approximate form of Hager & Zhang: f barely changed and the slope along d has
      // not turned steeply uphill (on a quadratic: t at most ~2x the exact minimiser).
      const bool armijo = f_new <= f + options.c1 * t * gtd;
      const bool approx = f_new <= f + kLossRounding * std::fabs(f) &&
                          dot(g_new, d) <= -(1.0 - 2.0 * options.c1) * gtd;
      accepted = std::isfinite(f_new) && (armijo || approx);
      if (!accepted) {
        // Minimiser of q(a) = f + gtd a + c a^2 through q(t) = f_new; c > 0 when f_new
        // lies above the tangent line, which a failed Armijo test guarantees unless NaN/inf.
        const double c = (f_new - f - gtd * t) / (t * t);
        const double t_quad = std::isfinite(c) && c > 0.0 ? -gtd / (2.0 * c) : 0.5 * t;
        t = std::clamp(t_quad, 0.1 * t, 0.5 * t);
      }
    }
    if (!accepted) {  // no decrease found: restore x and its gradient, stop
      write_values(x);
      f = closure();
      ++evaluations;
      read_grads(g);
      stop = LbfgsStop::line_search;
      break;
    }
    read_values(x_new);  // the float values actually stored
    std::vector<double> s = x_new, y = g_new;
    axpy(s, -1.0, x);
    axpy(y, -1.0, g);
    const double sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {  // curvature condition; otherwise H would not stay PD
      if (static_cast<int>(history_.size()) == options.history)
        history_.erase(history_.begin());
      history_.push_back({s, y, 1.0 / sy});
    }
    x.swap(x_new);
    g.swap(g_new);
    f = f_new;
    ++iterations;
    if (max_relative(s, x) <= options.tolerance_change) {
      stop = LbfgsStop::change;
      break;
    }
  }
  grad_max = max_abs(g);
  grad_l2 = std::sqrt(dot(g, g));
  ++steps;
  return static_cast<float>(f);
}

}  // namespace og
