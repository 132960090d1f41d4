// cdw_ce — class-distance weighted cross-entropy (Polat et al. 2022, "Class
//          distance weighted cross-entropy loss for ulcerative colitis severity
//          estimation"), fused softmax + loss
//
// Plain cross-entropy only raises p_y. CDW-CE instead lowers the probability of
// every wrong class, each with a penalty that grows with its distance from y, so
// mass on far classes costs more than mass on neighbours.
// forward : p = softmax(z),  d_k = |v_k - v_y|^alpha
//           L_i = -sum_k d_k log(1 - p_k)      (d_y = 0: the label's own term vanishes)
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
//           v_k = t.value(k): with no class values given, d_k = |k - y|^alpha, the
//           index distance of the paper; given values, their distances are used.
//           `normalize` divides d_k by (max_k v_k - min_k v_k)^alpha ((K-1)^alpha).
//           In log space, with lse = logsumexp_j z_j and C_k = logsumexp_{j != k} z_j
//           (the log of the mass outside k, up to the common normaliser):
//             log(1 - p_k) = C_k - lse
//           C_k = log(e^A_{k-1} + e^B_{k+1}) from prefix / suffix log-sum-exps
//           A_k = logsumexp_{j<=k} z_j, B_k = logsumexp_{j>=k} z_j
//           (prefix_suffix_logsumexp, row_math.h), so 1 - p_k is never formed as a
//           difference.
// backward: d lse/dz_j = p_j and d C_k/dz_j = 1[j != k] e^(z_j - C_k)
//           (= p_j / (1 - p_k), j's share of the mass outside k), so
//             dL_i/dz_j = sum_k d_k (p_j - 1[j != k] e^(z_j - C_k))
//                       = D p_j - sum_{k != j} d_k e^(z_j - C_k),   D = sum_k d_k.
//           Each exponent is <= 0: every term lies in [0, d_k], also when p_k -> 1.
//           dz_ij += g * w_i / sum_l w_l * dL_i/dz_ij.
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h),
//           and the class values
// cost    : O(K) exps per row (see row()); summing the K^2 terms one exp each took
//           1.8% of a counting-CNN step at K = 30.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/cdw_ce.h"

#include <algorithm>
#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct CdwCeNode : RowLossNode {
  std::vector<double> v;  // class values v_k
  double alpha, scale;    // distance power; 1 or 1/(largest distance)^alpha
  CdwCeNode(std::vector<int> y, std::vector<double> weights, std::vector<double> values,
            double a, double s)
      : RowLossNode(std::move(y), std::move(weights)), v(std::move(values)), alpha(a), scale(s) {}
  const char* name() const override { return "cdw_ce"; }

  // L_i of one row (K logits, label y); writes dL_i/dz to dz if given.
  double row(const float* z, int64_t K, int y, float* dz) const override {
    std::vector<double> A(K), B(K), C(K), d(K), E(K);
    prefix_suffix_logsumexp(z, K, A.data(), B.data());
    const double lse = A[K - 1];
    double loss = 0, D = 0;
    for (int64_t k = 0; k < K; ++k) {
      C[k] = k == 0 ? B[1] : k == K - 1 ? A[K - 2] : log_add_exp(A[k - 1], B[k + 1]);
      const double dist = std::fabs(v[k] - v[y]);
      d[k] = scale * (alpha == 1 ? dist : alpha == 2 ? dist * dist : std::pow(dist, alpha));
      loss += d[k] * (lse - C[k]);  // -d_k log(1 - p_k)
      D += d[k];
    }
    if (dz) {
      // sum_{k != j} d_k e^(z_j - C_k) in O(K) exps: e^(z_j - C_k) = e^(z_j - m) e^(m - C_k),
      // m = max z. m - C_k <= 0 for every k but the argmax k* (C_k then includes e^m),
      // so E_k = d_k e^(m - C_k) lies in [0, d_k]; the k* terms keep their own exponent
      // z_j - C_k* <= 0. Nothing overflows for any logits.
      const int64_t top = std::max_element(z, z + K) - z;
      const double m = z[top];
      double S = 0;
      for (int64_t k = 0; k < K; ++k) {
        E[k] = k == top || d[k] == 0 ? 0.0 : d[k] * std::exp(m - C[k]);
        S += E[k];
      }
      for (int64_t j = 0; j < K; ++j) {
        double g = D * std::exp(z[j] - lse) - std::exp(z[j] - m) * (S - E[j]);
        if (j != top && d[top] != 0) g -= d[top] * std::exp(z[j] - C[top]);
        dz[j] = static_cast<float>(g);
      }
    }
    return loss;
  }
};

}  // namespace

Var cdw_ce(Var logits, const LossTarget& t, float alpha, bool normalize) {
  OG_CHECK(std::isfinite(alpha) && alpha > 0, "cdw_ce: alpha ", alpha, " must be finite and > 0");
  std::vector<double> w = checked_weights("cdw_ce", logits, t);
  std::vector<double> v = class_values(t);
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  OG_CHECK(!normalize || *hi > *lo, "cdw_ce: cannot normalise, all ", t.K,
           " class values are equal");
  const double scale = normalize ? 1.0 / std::pow(*hi - *lo, double(alpha)) : 1.0;
  return logits.graph->record<CdwCeNode>({logits}, t.labels, std::move(w), std::move(v),
                                         double(alpha), scale);
}

}  // namespace og
