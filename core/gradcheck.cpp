// gradcheck.cpp — finite-difference checks of backward (see gradcheck.h).
#include "core/gradcheck.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace og {

namespace {
double objective(const Tensor& out, const Tensor& v) {
  double f = 0;
  for (int64_t i = 0; i < out.numel(); ++i) f += static_cast<double>(v[i]) * out[i];
  return f;
}

Tensor random_like(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal();
  return t;
}

// Analytic gradients of f = sum v*out for every leaf, with the accumulation check.
std::vector<Tensor> analytic_grads(Graph& g, Var out, const std::vector<Var>& wrt,
                                   const Tensor& v, bool prefill, Rng& rng) {
  std::vector<Tensor> pre;
  for (const Var& w : wrt) {
    OG_CHECK(w.node->needs_grad, "grad_check: a checked input does not require a gradient");
    Tensor& gb = w.node->grad_buf();
    pre.push_back(prefill ? random_like(gb.shape(), rng) : Tensor::zeros(gb.shape()));
    for (int64_t i = 0; i < gb.numel(); ++i) gb[i] = pre.back()[i];
  }
  g.clear_intermediate_grads();  // a check may follow an earlier backward on the same tape
  g.backward(out, v);
  std::vector<Tensor> res;
  for (size_t k = 0; k < wrt.size(); ++k) {
    Tensor a = wrt[k].node->grad.clone();
    for (int64_t i = 0; i < a.numel(); ++i) a[i] -= pre[k][i];
    res.push_back(a);
  }
  return res;
}

// f with the one element *x moved by dx (the tape is re-run, then *x restored).
double shifted(Graph& g, Var out, const Tensor& v, float* x, float dx) {
  const float keep = *x;
  *x = keep + dx;
  g.replay();
  double f = objective(out.value(), v);
  *x = keep;
  return f;
}
}  // namespace

GradCheckResult grad_check(Graph& g, Var out, const std::vector<Var>& wrt,
                           const GradCheckOptions& opt) {
  Rng rng(opt.seed);
  const Tensor v = random_like(out.shape(), rng);
  const std::vector<Tensor> analytic = analytic_grads(g, out, wrt, v, opt.check_accumulation, rng);
  GradCheckResult res;
  for (size_t k = 0; k < wrt.size(); ++k) {
    Tensor& x = wrt[k].node->value;
    std::vector<double> numeric(x.numel());
    double scale = 1e-3;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double h = opt.step * std::max(1.0, std::fabs(static_cast<double>(x[i])));
      const float hf = static_cast<float>(h);
      const double fp1 = shifted(g, out, v, &x[i], hf), fm1 = shifted(g, out, v, &x[i], -hf);
      const double fp2 = shifted(g, out, v, &x[i], 2 * hf), fm2 = shifted(g, out, v, &x[i], -2 * hf);
      numeric[i] = (fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12.0 * hf);
      scale = std::max(scale, std::fabs(numeric[i]));
    }
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double a = analytic[k][i], n = numeric[i];
      const double ratio = std::fabs(a - n) / (opt.atol * scale + opt.rtol * std::fabs(n));
      if (ratio > res.worst_ratio) {
        res.worst_ratio = ratio;
        res.report = cat("input ", k, " ", x.shape(), " element ", i, ": analytic ", a,
                         " numeric ", n, " (error/tolerance ", ratio, ")");
      }
    }
  }
  g.replay();  // leave the graph's values as they were
  res.ok = res.worst_ratio <= 1.0;
  return res;
}

GradCheckResult directional_check(Graph& g, Var out, const std::vector<Var>& wrt,
                                  const GradCheckOptions& opt) {
  Rng rng(opt.seed);
  const Tensor v = random_like(out.shape(), rng);
  const std::vector<Tensor> analytic = analytic_grads(g, out, wrt, v, opt.check_accumulation, rng);
  std::vector<Tensor> dir, base;
  double predicted = 0;
  for (size_t k = 0; k < wrt.size(); ++k) {
    dir.push_back(random_like(wrt[k].shape(), rng));
    base.push_back(wrt[k].value().clone());
    for (int64_t i = 0; i < dir[k].numel(); ++i) predicted += double(analytic[k][i]) * dir[k][i];
  }
  auto f_at = [&](double t) {
    for (size_t k = 0; k < wrt.size(); ++k) {
      Tensor& x = wrt[k].node->value;
      for (int64_t i = 0; i < x.numel(); ++i) x[i] = base[k][i] + static_cast<float>(t) * dir[k][i];
    }
    g.replay();
    return objective(out.value(), v);
  };
  const double h = opt.step;
  const double numeric = (f_at(-2 * h) - 8 * f_at(-h) + 8 * f_at(h) - f_at(2 * h)) / (12 * h);
  f_at(0);
  GradCheckResult res;
  res.worst_ratio = std::fabs(predicted - numeric) /
                    (opt.atol * std::max(1e-3, std::fabs(numeric)) + opt.rtol * std::fabs(numeric));
  res.report = cat("directional derivative: analytic ", predicted, " numeric ", numeric);
  res.ok = res.worst_ratio <= 1.0;
  return res;
}

}  // namespace og
