// sord — soft ordinal labels (Diaz & Marathe 2019, "Soft labels for ordinal
//        regression"), fused log-softmax + cross-entropy against a soft target
//
// The one-hot label is replaced by a distribution q that decays with the distance
// from the true class, so predicting a neighbour is penalised less than predicting
// a far class, and the model is still trained with a cross-entropy.
// forward : phi_k = |v_k - v_y|  (or (v_k - v_y)^2 with `squared`)
//           q_k = softmax_k(-alpha phi_k) = e^(-alpha phi_k) / sum_j e^(-alpha phi_j)
//           L_i = -sum_k q_k log p_k,  log p_k = z_k - logsumexp_j z_j
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
//           v_k = t.value(k): with no class values given, phi_k = |k - y| (the
//           index distance of DESIGN); given values, their distances are used.
//           (The paper minimises KL(q || p), which differs from L_i by the entropy
//           of q, a constant: same gradient.)
// backward: d log p_k/dz_j = 1[j=k] - p_j, and sum_k q_k = 1, so
//             dL_i/dz_j = -sum_k q_k (1[j=k] - p_j) = p_j - q_j,
//           cross-entropy's familiar "prediction minus target".
//           dz_ij += g * w_i / sum_l w_l * (p_ij - q_ij).
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h),
//           and q for every label ([K,K], built once when the node is created)
// numerics: log p by log-sum-exp in double; q by a softmax whose largest exponent
//           is 0 (at k = y), so neither side overflows.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/sord.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct SordNode : RowLossNode {
  std::vector<double> q;  // [K,K]: row y is the soft target of label y
  SordNode(std::vector<int> y, std::vector<double> weights, std::vector<double> targets)
      : RowLossNode(std::move(y), std::move(weights)), q(std::move(targets)) {}
  const char* name() const override { return "sord"; }

  // L_i = -sum_k q_yk log p_k, dL_i/dz = p - q_y (soft_target_ce, row_math.h).
  double row(const float* z, int64_t K, int y, float* dz) const override {
    return soft_target_ce(z, K, q.data() + y * K, dz);
  }
};

}  // namespace

Var sord(Var logits, const LossTarget& t, float alpha, bool squared) {
  OG_CHECK(std::isfinite(alpha) && alpha > 0, "sord: alpha ", alpha, " must be finite and > 0");
  std::vector<double> w = checked_weights("sord", logits, t);
  std::vector<double> q = soft_targets(t.K, [&](int y, int k) {
    const double dist = std::fabs(double(t.value(k)) - t.value(y));
    return -alpha * (squared ? dist * dist : dist);
  });
  return logits.graph->record<SordNode>({logits}, t.labels, std::move(w), std::move(q));
}

}  // namespace og
