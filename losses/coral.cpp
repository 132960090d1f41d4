// coral — CORAL loss on K-1 threshold logits, fused (sigmoid + BCE per task, in log space)
// paper   : Cao, Mirjalili & Raschka, Pattern Recognition Letters 140 (2020), eq. (4):
//           the sum over tasks of weighted binary cross-entropies, T_ik = 1[y_i > k].
// forward : log sigmoid(x) = -softplus(-x),  log(1 - sigmoid(x)) = -softplus(x), so
//           L_i = sum_k lambda_k [T_ik softplus(-s_ik) + (1 - T_ik) softplus(s_ik)]
//           L = sum_i w_i L_i / sum_i w_i,    w_i = class_weight[y_i] * sample_weight_i
// backward: d softplus(-x)/dx = -sigmoid(-x) = sigmoid(x) - 1, d softplus(x)/dx = sigmoid(x):
//           dL_i/ds_ik = lambda_k (sigmoid(s_ik) - T_ik)
//           ds_ik += g * w_i / sum_j w_j * lambda_k * (sigmoid(s_ik) - T_ik)
//           (never more than lambda_k in size, and not clamped: s = -80 with y > k
//           gives exactly -lambda_k)
// shapes  : s [N,K-1], labels N ints in [0,K), task weights K-1 -> scalar
// saves   : labels, normalised sample weights, task weights (sigmoid recomputed)
// node    : ThresholdBceNode (cumulative.h), shared with corn, which keeps only tasks k <= y_i
// parallel: backward over rows (disjoint); the forward sum is serial in row order.
#include "losses/coral.h"

#include <cmath>

#include "core/elementwise.h"
#include "losses/cumulative.h"
#include "losses/reduce.h"

namespace og {

namespace {

struct CoralNode : ThresholdBceNode {
  using ThresholdBceNode::ThresholdBceNode;
  const char* name() const override { return "coral"; }
};
}  // namespace

Var coral(Var s, const LossTarget& t, const std::vector<float>& task_weights) {
  check_cumulative_input("coral", s.shape(), t);
  OG_CHECK(task_weights.empty() || static_cast<int>(task_weights.size()) == t.K - 1, "coral: ",
           task_weights.size(), " task weights for K-1 = ", t.K - 1, " tasks");
  std::vector<double> lambda(t.K - 1, 1.0);
  for (size_t k = 0; k < task_weights.size(); ++k) {
    OG_CHECK(std::isfinite(task_weights[k]) && task_weights[k] >= 0, "coral: task weight ", k,
             " is ", task_weights[k], " (must be finite and >= 0)");
    lambda[k] = task_weights[k];
  }
  std::vector<double> w =
      normalised_loss_weights("coral", t.labels, t.K, t.class_weights, t.sample_weights);
  return s.graph->record<CoralNode>({s}, t.labels, std::move(w), std::move(lambda), false);
}

Tensor coral_greater(const Tensor& s) {
  OG_CHECK(s.shape().nd == 2 && s.shape()[1] >= 1, "coral_greater: logits must be [N,K-1], got ",
           s.shape());
  Tensor p = Tensor::empty(s.shape());
  for (int64_t i = 0; i < s.numel(); ++i) p[i] = stable_sigmoid(s[i]);
  return p;
}

Tensor coral_probs(const Tensor& s) { return probs_from_greater(coral_greater(s)); }

}  // namespace og
