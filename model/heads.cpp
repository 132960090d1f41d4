// heads.cpp — the head table of heads.h: one entry per Head, checked at compile time.
#include "model/heads.h"

#include <algorithm>
#include <cmath>

#include "core/ops.h"
#include "layers/linear.h"
#include "layers/ordinal_head.h"
#include "losses/clm.h"
#include "losses/coral.h"
#include "losses/corn.h"
#include "losses/cumulative.h"

namespace og {

namespace {

ClmLink link_of(const LossTerm& t) {
  auto it = t.options.find("link");
  return it != t.options.end() && it->second == "probit" ? ClmLink::probit : ClmLink::logit;
}

double logit(double p) {
  p = std::min(1.0 - 1e-12, std::max(1e-12, p));
  return std::log(p / (1 - p));
}

double probit(double p) {  // Phi^-1(p) by bisection on erfc: exact enough, and simple
  double lo = -40, hi = 40;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// P(y > k) = 1 - sum_{j<=k} p_j from class probabilities [N,K].
Tensor greater_from_probs(const Tensor& p) {
  const int64_t N = p.shape()[0], K = p.shape()[1];
  Tensor g = Tensor::empty({N, K - 1});
  for (int64_t i = 0; i < N; ++i) {
    double F = 0;
    for (int64_t k = 0; k + 1 < K; ++k) g[i * (K - 1) + k] = static_cast<float>(1 - (F += p[i * K + k]));
  }
  return g;
}

std::vector<int> argmax_rows(const Tensor& p) {
  const int64_t N = p.shape()[0], K = p.shape()[1];
  std::vector<int> out(N);
  for (int64_t i = 0; i < N; ++i) {
    const float* row = p.data() + i * K;
    out[i] = static_cast<int>(std::max_element(row, row + K) - row);  // the first maximum
  }
  return out;
}

// --- softmax: K logits.
int width_k(int K) { return K; }
int width_k1(int K) { return K - 1; }
int width_1(int) { return 1; }
int64_t dense_count(int in, int K) { return Linear::parameter_count(in, K, true); }
std::unique_ptr<Module> softmax_make(int in, int K, Rng& rng) { return std::make_unique<Linear>(in, K, rng); }
Tensor softmax_probs(const Tensor& z, int, const LossTerm&) {
  Graph g;
  g.set_grad_enabled(false);
  return softmax(g.input(z)).value();
}
Tensor softmax_greater(const Tensor& z, int K, const LossTerm& t) { return greater_from_probs(softmax_probs(z, K, t)); }
std::vector<int> softmax_predict(const Tensor& z, int K, const LossTerm& t) {
  return argmax_rows(softmax_probs(z, K, t));  // of p, not z: ties as the probabilities round
}
std::vector<float> softmax_outputs(const std::vector<double>& p, const LossTerm&) {
  std::vector<float> z;
  for (double v : p) z.push_back(static_cast<float>(std::log(std::max(v, 1e-30))));
  return z;
}

// --- cumulative heads: K-1 logits, predicted by the number of P(y > k) above 1/2.
// Outputs from p through the head's link, with F_k = P(y <= k).
template <class Link>
std::vector<float> cumulative_outputs(const std::vector<double>& p, Link link) {
  std::vector<float> z;
  double F = 0;
  for (size_t k = 0; k + 1 < p.size(); ++k) {
    const double prev = F;
    F += p[k];
    z.push_back(static_cast<float>(link(F, prev)));
  }
  return z;
}

int64_t coral_count(int in, int K) { return CoralHead::parameter_count(in, K); }
std::unique_ptr<Module> coral_make(int in, int K, Rng& rng) { return std::make_unique<CoralHead>(in, K, rng); }
Tensor coral_probs_of(const Tensor& s, int, const LossTerm&) { return coral_probs(s); }
Tensor coral_greater_of(const Tensor& s, int, const LossTerm&) { return coral_greater(s); }
std::vector<int> coral_predict(const Tensor& s, int, const LossTerm&) { return count_above_half(coral_greater(s)); }
std::vector<float> coral_outputs(const std::vector<double>& p, const LossTerm&) {
  return cumulative_outputs(p, [](double F, double) { return logit(1 - F); });  // s_k = logit P(y>k)
}

std::unique_ptr<Module> corn_make(int in, int K, Rng& rng) { return std::make_unique<Linear>(in, K - 1, rng); }
int64_t corn_count(int in, int K) { return Linear::parameter_count(in, K - 1, true); }
Tensor corn_probs_of(const Tensor& s, int, const LossTerm&) { return corn_probs(s); }
Tensor corn_greater_of(const Tensor& s, int, const LossTerm&) { return corn_greater(s); }
std::vector<int> corn_predict(const Tensor& s, int, const LossTerm&) { return count_above_half(corn_greater(s)); }
std::vector<float> corn_outputs(const std::vector<double>& p, const LossTerm&) {
  return cumulative_outputs(p, [](double F, double prev) {  // s_k = logit P(y>k | y>k-1)
    return logit((1 - F) / std::max(1e-12, 1 - prev));
  });
}

int64_t clm_count(int in, int K) { return ClmHead::parameter_count(in, K); }
std::unique_ptr<Module> clm_make(int in, int K, Rng& rng) { return std::make_unique<ClmHead>(in, K, rng); }
Tensor clm_probs_of(const Tensor& c, int, const LossTerm& t) { return clm_probs(c, link_of(t)); }
Tensor clm_greater_of(const Tensor& c, int, const LossTerm& t) { return clm_greater(c, link_of(t)); }
std::vector<int> clm_predict(const Tensor& c, int, const LossTerm& t) {
  return count_above_half(clm_greater(c, link_of(t)));
}
std::vector<float> clm_outputs(const std::vector<double>& p, const LossTerm& t) {  // c_k = F^-1(P(y<=k))
  if (link_of(t) == ClmLink::probit) return cumulative_outputs(p, [](double F, double) { return probit(F); });
  return cumulative_outputs(p, [](double F, double) { return logit(F); });
}

// --- regression: one score, the class is the score rounded and clipped to [0, K-1].
int64_t regression_count(int in, int) { return Linear::parameter_count(in, 1, true); }
std::unique_ptr<Module> regression_make(int in, int, Rng& rng) { return std::make_unique<Linear>(in, 1, rng); }
std::vector<int> regression_predict(const Tensor& r, int K, const LossTerm&) {
  std::vector<int> out(r.shape()[0]);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<int>(std::min<float>(K - 1, std::max(0.0f, std::nearbyint(r[int64_t(i)]))));
  return out;
}
Tensor regression_probs(const Tensor& r, int K, const LossTerm& t) {
  const std::vector<int> cls = regression_predict(r, K, t);
  Tensor p = Tensor::zeros({static_cast<int64_t>(cls.size()), K});
  for (size_t i = 0; i < cls.size(); ++i) p[static_cast<int64_t>(i) * K + cls[i]] = 1.0f;
  return p;
}
Tensor regression_greater(const Tensor& r, int K, const LossTerm& t) { return greater_from_probs(regression_probs(r, K, t)); }
std::vector<float> regression_outputs(const std::vector<double>& p, const LossTerm&) {
  return {static_cast<float>(std::max_element(p.begin(), p.end()) - p.begin())};
}

constexpr HeadDef kHeads[] = {
    {Head::softmax, "mode (argmax)", width_k, dense_count, softmax_make, softmax_probs, softmax_greater,
     softmax_predict, softmax_outputs},
    {Head::coral, "number of P(y > k) above 1/2", width_k1, coral_count, coral_make, coral_probs_of,
     coral_greater_of, coral_predict, coral_outputs},
    {Head::corn, "number of P(y > k) above 1/2", width_k1, corn_count, corn_make, corn_probs_of,
     corn_greater_of, corn_predict, corn_outputs},
    {Head::clm, "number of P(y > k) above 1/2", width_k1, clm_count, clm_make, clm_probs_of, clm_greater_of,
     clm_predict, clm_outputs},
    {Head::regression, "score rounded and clipped", width_1, regression_count, regression_make,
     regression_probs, regression_greater, regression_predict, regression_outputs},
};

constexpr bool complete(const HeadDef& h) {
  return h.rule && h.width && h.parameter_count && h.make && h.probs && h.greater && h.predict &&
         h.outputs_for;
}
constexpr bool table_ok() {
  for (size_t i = 0; i < std::size(kHeads); ++i)
    if (!complete(kHeads[i]) || static_cast<size_t>(kHeads[i].head) != i) return false;
  return true;
}
static_assert(std::size(kHeads) == static_cast<size_t>(Head::count_), "every Head needs one entry in kHeads");
static_assert(table_ok(), "kHeads: an entry lacks a function, or entries are not in Head's order");

}  // namespace

const HeadDef& head_def(Head h) { return kHeads[static_cast<size_t>(h)]; }

const std::vector<HeadDef>& all_heads() {
  static const std::vector<HeadDef> v(std::begin(kHeads), std::end(kHeads));
  return v;
}

Rule parse_rule(const std::string& name) {
  if (name == "default") return Rule::default_rule;
  if (name == "argmax" || name == "mode") return Rule::mode;
  if (name == "median") return Rule::median;
  if (name == "mean") return Rule::mean;
  throw Error(cat("unknown prediction rule '", name, "' (known: default, argmax, median, mean)"));
}

Tensor class_probs(const LossSpec& spec, const Tensor& outputs, int K) {
  return head_def(spec.head()).probs(outputs, K, spec.terms()[0]);
}

int head_width(const LossSpec& spec, int K) { return head_def(spec.head()).width(K); }

std::vector<int> predict_classes(const LossSpec& spec, const Tensor& outputs, int K, Rule rule) {
  const HeadDef& h = head_def(spec.head());
  if (rule == Rule::default_rule) return h.predict(outputs, K, spec.terms()[0]);
  const Tensor p = h.probs(outputs, K, spec.terms()[0]);
  if (rule == Rule::mode) return argmax_rows(p);
  const int64_t N = p.shape()[0];
  std::vector<int> out(N);
  for (int64_t i = 0; i < N; ++i) {
    const float* row = p.data() + i * K;
    int cls = 0;
    if (rule == Rule::median) {  // smallest k with P(y <= k) >= 1/2
      double cdf = row[0];
      while (cls + 1 < K && cdf < 0.5) cdf += row[++cls];
    } else {  // mean, rounded to the nearest class
      double mu = 0;
      for (int k = 0; k < K; ++k) mu += k * static_cast<double>(row[k]);
      cls = static_cast<int>(std::min<double>(K - 1, std::max(0.0, std::nearbyint(mu))));
    }
    out[i] = cls;
  }
  return out;
}

}  // namespace og
