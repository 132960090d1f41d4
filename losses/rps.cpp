// rps — ranked probability score (Epstein 1969, "A scoring system for probability
//       forecasts of ranked categories"), fused softmax + RPS in one node
//
// forward : p = softmax(z),  F_k = sum_{j<=k} p_j  (the predicted CDF),
//           T_k = 1[k >= y]  (the CDF of the label),  r_k = F_k - T_k
//           L_i = sum_{k=0}^{K-2} r_k^2            (divided by K-1 with `normalize`)
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
// backward: through p first. F_k contains p_j for every k >= j, so
//             a_j = dL_i/dp_j = 2 sum_{k=j}^{K-2} r_k        (a_{K-1} = 0)
//           a reverse running sum of the residuals. The softmax Jacobian is
//           dp_j/dz_m = p_j (1[j=m] - p_m), hence for any loss of p
//             dL_i/dz_m = sum_j a_j p_j (1[j=m] - p_m) = p_m (a_m - abar),
//             abar = sum_j p_j a_j,
//           and dz_im += g * w_i / sum_j w_j * dL_i/dz_im.
//           Example (K=3, y=1, p=(.2,.5,.3)): r=(.2,-.3), a=(-.2,-.6,0), abar=-.34,
//           dL/dz = (.2*.14, .5*-.26, .3*.34) = (.028, -.13, .102).
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h)
// numerics: log-sum-exp softmax in double (softmax_row, row_math.h); r_k for k >= y is
//           minus the tail mass sum_{j>k} p_j, not F_k - 1, so nothing is a difference
//           of near-equal sums.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/rps.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct RpsNode : RowLossNode {
  double scale;  // 1, or 1/(K-1) when normalised
  RpsNode(std::vector<int> y, std::vector<double> weights, double s)
      : RowLossNode(std::move(y), std::move(weights)), scale(s) {}
  const char* name() const override { return "rps"; }

  double row(const float* z, int64_t K, int y, float* dz) const override {
    std::vector<double> p(K), r(K, 0.0);
    softmax_row(z, K, p.data());
    double head = 0, tail = 0, loss = 0;
    for (int64_t k = 0; k < y; ++k) r[k] = head += p[k];               // F_k - 0
    for (int64_t k = K - 1; k > y; --k) r[k - 1] = -(tail += p[k]);     // F_k - 1 = -sum_{j>k} p_j
    for (int64_t k = 0; k < K - 1; ++k) loss += r[k] * r[k];
    if (dz) {
      std::vector<double> a(K, 0.0);
      double abar = 0;
      for (int64_t j = K - 2; j >= 0; --j) a[j] = a[j + 1] + 2 * r[j];
      for (int64_t j = 0; j < K; ++j) abar += p[j] * a[j];
      for (int64_t j = 0; j < K; ++j) dz[j] = static_cast<float>(scale * p[j] * (a[j] - abar));
    }
    return scale * loss;
  }
};

}  // namespace

Var rps(Var logits, const LossTarget& t, bool normalize) {
  std::vector<double> w = checked_weights("rps", logits, t);
  const double scale = normalize ? 1.0 / (t.K - 1) : 1.0;
  return logits.graph->record<RpsNode>({logits}, t.labels, std::move(w), scale);
}

}  // namespace og
