// gauss_ld — label distribution learning with Gaussian targets (Gao et al. 2017,
//            "Deep label distribution learning with label ambiguity"), fused
//            log-softmax + cross-entropy against a discretised Gaussian
//
// Each label y is turned into a distribution over the classes, a Gaussian centred
// on its value and discretised at the class values, and the softmax is fitted to
// it by cross-entropy: the label's neighbours share credit according to how close
// their values are.
// forward : q_k = e^(-(v_k - v_y)^2 / (2 sigma^2)) / sum_j e^(-(v_j - v_y)^2 / (2 sigma^2))
//           L_i = -sum_k q_k log p_k,  log p_k = z_k - logsumexp_j z_j
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
//           v_k = t.value(k) (k unless class values are given). The paper minimises
//           KL(q || p), which differs from L_i by the entropy of q, a constant.
// backward: d log p_k/dz_j = 1[j=k] - p_j, and sum_k q_k = 1, so
//             dL_i/dz_j = -sum_k q_k (1[j=k] - p_j) = p_j - q_j.
//           dz_ij += g * w_i / sum_l w_l * (p_ij - q_ij).
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h),
//           and q for every label ([K,K], built once when the node is created)
// numerics: log p by log-sum-exp in double; the largest exponent of q is 0 (at
//           k = y), so q never overflows and far classes simply get q_k -> 0.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/gauss_ld.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct GaussLdNode : RowLossNode {
  std::vector<double> q;  // [K,K]: row y is the target distribution of label y
  GaussLdNode(std::vector<int> y, std::vector<double> weights, std::vector<double> targets)
      : RowLossNode(std::move(y), std::move(weights)), q(std::move(targets)) {}
  const char* name() const override { return "gauss_ld"; }

  // L_i = -sum_k q_yk log p_k, dL_i/dz = p - q_y (soft_target_ce, row_math.h).
  double row(const float* z, int64_t K, int y, float* dz) const override {
    return soft_target_ce(z, K, q.data() + y * K, dz);
  }
};

}  // namespace

Var gauss_ld(Var logits, const LossTarget& t, float sigma) {
  OG_CHECK(std::isfinite(sigma) && sigma > 0, "gauss_ld: sigma ", sigma, " must be finite and > 0");
  std::vector<double> w = checked_weights("gauss_ld", logits, t);
  const double two_var = 2.0 * sigma * sigma;
  std::vector<double> q = soft_targets(t.K, [&](int y, int k) {
    const double dist = double(t.value(k)) - t.value(y);
    return -dist * dist / two_var;
  });
  return logits.graph->record<GaussLdNode>({logits}, t.labels, std::move(w), std::move(q));
}

}  // namespace og
