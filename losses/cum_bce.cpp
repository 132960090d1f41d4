// cum_bce — cumulative binary cross-entropy on the softmax CDF, fused
//
// Each of the K-1 thresholds "is the class <= k?" becomes a binary question whose
// predicted probability is the softmax CDF F_k and whose answer is T_k = 1[k >= y];
// the loss is the sum of their binary cross-entropies. (Like RPS, which squares
// the same CDF residuals, but with a log score that keeps pushing on confident
// mistakes.)
// forward : p = softmax(z),  F_k = sum_{j<=k} p_j,  T_k = 1[k >= y]
//           L_i = -sum_{k=0}^{K-2} [T_k log F_k + (1 - T_k) log(1 - F_k)]
//               =  sum_{k<y} -log(1 - F_k)  +  sum_{k=y}^{K-2} -log F_k
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
//           In log space, with lse = logsumexp_j z_j and the prefix / suffix
//           log-sum-exps A_k = logsumexp_{j<=k} z_j, B_k = logsumexp_{j>=k} z_j
//           (prefix_suffix_logsumexp, row_math.h):
//             log F_k = A_k - lse,    log(1 - F_k) = B_{k+1} - lse
//           (1 - F_k is the tail mass sum_{j>k} p_j, never computed as 1 - F_k).
// backward: d lse/dz_j = p_j;  d A_k/dz_j = 1[j<=k] e^(z_j - A_k) = 1[j<=k] p_j / F_k,
//           d B_{k+1}/dz_j = 1[j>k] e^(z_j - B_{k+1}) = 1[j>k] p_j / (1 - F_k).
//           Each of the K-1 terms is lse minus one of A_k, B_{k+1}, so
//             dL_i/dz_j = (K-1) p_j - sum_{k<min(y,j)} e^(z_j - B_{k+1})
//                                   - sum_{k=max(y,j)}^{K-2} e^(z_j - A_k)
//           (softmax pushes every logit up by (K-1) p_j; each threshold whose
//           side contains j pulls z_j back by j's share of that side's mass).
//           Every exponent is <= 0, so each term lies in [0, 1] even when F_k
//           underflows. dz_ij += g * w_i / sum_l w_l * dL_i/dz_ij.
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h)
// cost    : O(K^2) per row for the gradient (K is small: tens of classes).
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/cum_bce.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct CumBceNode : RowLossNode {
  using RowLossNode::RowLossNode;
  const char* name() const override { return "cum_bce"; }

  // L_i of one row (K logits, label y); writes dL_i/dz to dz if given.
  double row(const float* z, int64_t K, int y, float* dz) const override {
    std::vector<double> A(K), B(K);  // prefix and suffix log-sum-exps
    prefix_suffix_logsumexp(z, K, A.data(), B.data());
    const double lse = A[K - 1];
    double loss = 0;
    for (int64_t k = 0; k < y; ++k) loss += lse - B[k + 1];       // -log(1 - F_k)
    for (int64_t k = y; k < K - 1; ++k) loss += lse - A[k];       // -log F_k
    if (dz) {
      for (int64_t j = 0; j < K; ++j) {
        double d = (K - 1) * std::exp(z[j] - lse);
        for (int64_t k = 0; k < std::min<int64_t>(y, j); ++k) d -= std::exp(z[j] - B[k + 1]);
        for (int64_t k = std::max<int64_t>(y, j); k < K - 1; ++k) d -= std::exp(z[j] - A[k]);
        dz[j] = static_cast<float>(d);
      }
    }
    return loss;
  }
};

}  // namespace

Var cum_bce(Var logits, const LossTarget& t) {
  std::vector<double> w = checked_weights("cum_bce", logits, t);
  return logits.graph->record<CumBceNode>({logits}, t.labels, std::move(w));
}

}  // namespace og
