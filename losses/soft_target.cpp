// soft_target — cross-entropy to a soft ordinal target, fused log-softmax + CE; one
//               node with two target rules:
//   sord     soft ordinal labels (Diaz & Marathe 2019, "Soft labels for ordinal
//            regression")
//   gauss_ld label distribution learning with Gaussian targets (Gao et al. 2017,
//            "Deep label distribution learning with label ambiguity")
//
// The one-hot label is replaced by a distribution q over the classes that decays with
// the distance from the true class, so predicting a neighbour is penalised less than
// predicting a far class, and the model is still trained with a cross-entropy. The
// two losses differ only in the rule that turns label y into q.
// rules   : v_k = t.value(k): with no class values given, distances are the index
//           distances |k - y| of DESIGN; given values, their distances are used.
//           sord    : phi_k = |v_k - v_y|  (or (v_k - v_y)^2 with `squared`)
//                     q_k = softmax_k(-alpha phi_k) = e^(-alpha phi_k) / sum_j e^(-alpha phi_j)
//           gauss_ld: q_k = e^(-(v_k - v_y)^2 / (2 sigma^2)) / sum_j e^(-(v_j - v_y)^2 / (2 sigma^2)),
//                     a Gaussian centred on v_y discretised at the class values: the
//                     label's neighbours share credit according to how close their
//                     values are.
// forward : L_i = -sum_k q_k log p_k,  log p_k = z_k - logsumexp_j z_j
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
//           (Both papers minimise KL(q || p), which differs from L_i by the entropy of
//           q, a constant: same gradient.)
// backward: d log p_k/dz_j = 1[j=k] - p_j, and sum_k q_k = 1, so
//             dL_i/dz_j = -sum_k q_k (1[j=k] - p_j) = p_j - q_j,
//           cross-entropy's familiar "prediction minus target".
//           dz_ij += g * w_i / sum_l w_l * (p_ij - q_ij).
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h),
//           and q for every label ([K,K], built once when the node is created)
// numerics: log p by log-sum-exp in double (soft_target_ce, row_math.h); q by a
//           softmax whose largest exponent is 0 (at k = y), so neither side
//           overflows and far classes simply get q_k -> 0.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/soft_target.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

// The node of both rules: the rule only decides q, built before the node.
struct SoftTargetNode : RowLossNode {
  std::vector<double> q;  // [K,K]: row y is the soft target of label y
  SoftTargetNode(std::vector<int> y, std::vector<double> weights, std::vector<double> targets)
      : RowLossNode(std::move(y), std::move(weights)), q(std::move(targets)) {}

  // L_i = -sum_k q_yk log p_k, dL_i/dz = p - q_y.
  double row(const float* z, int64_t K, int y, float* dz) const override {
    return soft_target_ce(z, K, q.data() + y * K, dz);
  }
};

// One name per rule, so each spec name is a node name of its own (as in profiles
// and error messages) and the gradient table checks both.
struct SordNode : SoftTargetNode {
  using SoftTargetNode::SoftTargetNode;
  const char* name() const override { return "sord"; }
};
struct GaussLdNode : SoftTargetNode {
  using SoftTargetNode::SoftTargetNode;
  const char* name() const override { return "gauss_ld"; }
};

// Records a Named node fitting q_y = softmax_k(score(v_k - v_y)) for every label y.
template <class Named, class Score>
Var soft_target(const char* op, Var logits, const LossTarget& t, Score score) {
  std::vector<double> w = checked_weights(op, logits, t);
  std::vector<double> q =
      soft_targets(t.K, [&](int y, int k) { return score(double(t.value(k)) - t.value(y)); });
  return logits.graph->record<Named>({logits}, t.labels, std::move(w), std::move(q));
}

}  // namespace

Var sord(Var logits, const LossTarget& t, float alpha, bool squared) {
  OG_CHECK(std::isfinite(alpha) && alpha > 0, "sord: alpha ", alpha, " must be finite and > 0");
  return soft_target<SordNode>("sord", logits, t, [&](double d) {
    const double dist = std::fabs(d);
    return -alpha * (squared ? dist * dist : dist);
  });
}

Var gauss_ld(Var logits, const LossTarget& t, float sigma) {
  OG_CHECK(std::isfinite(sigma) && sigma > 0, "gauss_ld: sigma ", sigma, " must be finite and > 0");
  const double two_var = 2.0 * sigma * sigma;
  return soft_target<GaussLdNode>("gauss_ld", logits, t, [&](double d) { return -d * d / two_var; });
}

}  // namespace og
