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
//           wanted) and the normalised weights (RowLossNode, row_loss.h),
//           and the class values
// numerics: log-sum-exp softmax in double (softmax_row, row_math.h); V as
//           sum_k p_k (v_k - mu)^2, a sum of non-negative terms rather than E[v^2] - mu^2.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/mean_var.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct MeanVarNode : RowLossNode {
  std::vector<double> v;  // class values v_k
  double lambda1, lambda2;
  MeanVarNode(std::vector<int> y, std::vector<double> weights, std::vector<double> values,
              double l1, double l2)
      : RowLossNode(std::move(y), std::move(weights)), v(std::move(values)), lambda1(l1),
        lambda2(l2) {}
  const char* name() const override { return "mean_var"; }

  // L_i of one row (K logits, label y); writes dL_i/dz to dz if given.
  double row(const float* z, int64_t K, int y, float* dz) const override {
    std::vector<double> p(K);
    const double lse = softmax_row(z, K, p.data());
    double mu = 0, var = 0;
    for (int64_t k = 0; k < K; ++k) mu += v[k] * p[k];
    for (int64_t k = 0; k < K; ++k) var += p[k] * (v[k] - mu) * (v[k] - mu);
    const double e = mu - v[y];
    const double nll = lse - z[y];
    if (dz) {
      for (int64_t j = 0; j < K; ++j) {
        const double c = v[j] - mu;
        dz[j] = static_cast<float>(p[j] - (j == y) + lambda1 * e * p[j] * c +
                                   lambda2 * p[j] * (c * c - var));
      }
    }
    return nll + lambda1 * 0.5 * e * e + lambda2 * var;
  }
};

}  // namespace

Var mean_var(Var logits, const LossTarget& t, float lambda1, float lambda2) {
  OG_CHECK(std::isfinite(lambda1) && lambda1 >= 0 && std::isfinite(lambda2) && lambda2 >= 0,
           "mean_var: lambda1 ", lambda1, " and lambda2 ", lambda2, " must be finite and >= 0");
  std::vector<double> w = checked_weights("mean_var", logits, t);
  std::vector<double> v = class_values(t);
  return logits.graph->record<MeanVarNode>({logits}, t.labels, std::move(w), std::move(v),
                                           double(lambda1), double(lambda2));
}

}  // namespace og
