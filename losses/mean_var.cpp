// mean_var — mean-variance loss (Pan et al. 2018, "Mean-variance loss for deep age
//            estimation from a face"), fused softmax + the three terms
//
// Cross-entropy fits the class distribution; the mean term pulls its expected
// value onto the label's value; the variance term makes the distribution
// concentrated around that mean, so the prediction is both close and sure.
// forward : p = softmax(z),  mu = sum_k v_k p_k,  V = sum_k p_k (v_k - mu)^2
//           L_i = -log p_y + lambda1 (mu - v_y)^2 / 2 + lambda2 V
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
//           v_k = t.value(k) (k unless class values are given);
//           -log p_y = logsumexp_j z_j - z_y.
// backward: with dp_k/dz_j = p_k (1[j=k] - p_j):
//             softmax cross-entropy:  d(-log p_y)/dz_j = p_j - 1[j=y]
//             mean:      dmu/dz_j = p_j (v_j - mu),
//                        so d[(mu - v_y)^2/2]/dz_j = (mu - v_y) p_j (v_j - mu)
//             variance:  V = sum_k p_k v_k^2 - mu^2, so
//                        dV/dz_j = p_j (v_j^2 - sum_k p_k v_k^2) - 2 mu p_j (v_j - mu)
//                                = p_j ((v_j - mu)^2 - V)
//                        (raising a class farther from mu than the typical spread
//                        widens the distribution)
//           dL_i/dz_j = p_j - 1[j=y] + lambda1 (mu - v_y) p_j (v_j - mu)
//                       + lambda2 p_j ((v_j - mu)^2 - V)
//           dz_ij += g * w_i / sum_l w_l * dL_i/dz_ij.
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted), the normalised weights and the class values
// numerics: log-sum-exp softmax in double; V as sum_k p_k (v_k - mu)^2, a sum of
//           non-negative terms rather than E[v^2] - mu^2.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count.
#include "losses/mean_var.h"

#include <cmath>

#include "core/parallel.h"
#include "losses/ce.h"

namespace og {
namespace {

constexpr int64_t kRowGrain = 64;  // rows per thread below which the loop stays serial

// Checks logits [N,K] against the target; returns w_i / sum_j w_j.
std::vector<double> checked_weights(const char* op, Var logits, const LossTarget& t) {
  const Shape& s = logits.shape();
  OG_CHECK(s.nd == 2, op, ": logits must be [N,K], got ", s);
  OG_CHECK(s[1] == t.K, op, ": logits ", s, " have ", s[1], " classes, the target has K = ", t.K);
  OG_CHECK(t.K >= 2, op, ": needs at least 2 classes, got K = ", t.K);
  OG_CHECK(static_cast<int64_t>(t.labels.size()) == s[0], op, ": ", t.labels.size(),
           " labels for logits ", s);
  OG_CHECK(t.values.empty() || static_cast<int64_t>(t.values.size()) == t.K, op, ": ",
           t.values.size(), " class values for K = ", t.K);
  for (float v : t.values) OG_CHECK(std::isfinite(v), op, ": class value ", v, " is not finite");
  std::vector<double> w = loss_weights(op, t.labels, t.K, t.class_weights, t.sample_weights);
  double total = 0;
  for (double x : w) total += x;
  for (double& x : w) x /= total;
  return w;
}

struct MeanVarNode : Node {
  std::vector<int> labels;
  std::vector<double> w;  // per-sample weights, normalised to sum 1
  std::vector<double> v;  // class values v_k
  double lambda1, lambda2;
  Tensor dl;              // dL_i/dz_i, unweighted
  MeanVarNode(std::vector<int> y, std::vector<double> weights, std::vector<double> values,
              double l1, double l2)
      : labels(std::move(y)), w(std::move(weights)), v(std::move(values)), lambda1(l1),
        lambda2(l2) {}
  const char* name() const override { return "mean_var"; }

  // L_i of one row (K logits, label y); writes dL_i/dz to dz if given.
  double row(const float* z, int64_t K, int y, float* dz) const {
    double m = z[0];
    for (int64_t k = 1; k < K; ++k) m = std::max(m, double(z[k]));
    std::vector<double> p(K);
    double s = 0, mu = 0, var = 0;
    for (int64_t k = 0; k < K; ++k) s += p[k] = std::exp(z[k] - m);
    for (int64_t k = 0; k < K; ++k) mu += v[k] * (p[k] /= s);
    for (int64_t k = 0; k < K; ++k) var += p[k] * (v[k] - mu) * (v[k] - mu);
    const double e = mu - v[y];
    const double nll = m + std::log(s) - z[y];
    if (dz) {
      for (int64_t j = 0; j < K; ++j) {
        const double c = v[j] - mu;
        dz[j] = static_cast<float>(p[j] - (j == y) + lambda1 * e * p[j] * c +
                                   lambda2 * p[j] * (c * c - var));
      }
    }
    return nll + lambda1 * 0.5 * e * e + lambda2 * var;
  }

  void forward() override {
    const Tensor& z = in(0);
    const int64_t N = z.shape()[0], K = z.shape()[1];
    if (!value.defined()) value = Tensor::empty({});
    if (needs_grad && !dl.defined()) dl = Tensor::empty(z.shape());
    std::vector<double> li(N);
    parallel_for(N, kRowGrain, [&](int64_t i) {
      li[i] = row(z.data() + i * K, K, labels[i], needs_grad ? dl.data() + i * K : nullptr);
    });
    double loss = 0;
    for (int64_t i = 0; i < N; ++i) loss += w[i] * li[i];
    value[0] = static_cast<float>(loss);
  }
  void backward() override {
    if (!wants(0)) return;
    const int64_t N = dl.shape()[0], K = dl.shape()[1];
    const double g = grad[0];
    float* dz = in_grad(0).data();
    parallel_for(N, kRowGrain, [&](int64_t i) {
      const double gi = g * w[i];
      for (int64_t k = 0; k < K; ++k) dz[i * K + k] += static_cast<float>(gi * dl[i * K + k]);
    });
  }
};

}  // namespace

Var mean_var(Var logits, const LossTarget& t, float lambda1, float lambda2) {
  OG_CHECK(std::isfinite(lambda1) && lambda1 >= 0 && std::isfinite(lambda2) && lambda2 >= 0,
           "mean_var: lambda1 ", lambda1, " and lambda2 ", lambda2, " must be finite and >= 0");
  std::vector<double> w = checked_weights("mean_var", logits, t);
  std::vector<double> v(t.K);
  for (int k = 0; k < t.K; ++k) v[k] = t.value(k);
  return logits.graph->record<MeanVarNode>({logits}, t.labels, std::move(w), std::move(v),
                                           double(lambda1), double(lambda2));
}

}  // namespace og
