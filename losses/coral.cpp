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
// node    : ThresholdBceNode (coral.h), shared with corn, which keeps only tasks k <= y_i
// parallel: backward over rows (disjoint); the forward sum is serial in row order.
#include "losses/coral.h"

#include <algorithm>
#include <cmath>

#include "core/elementwise.h"
#include "losses/reduce.h"

namespace og {

namespace {

struct CoralNode : ThresholdBceNode {
  using ThresholdBceNode::ThresholdBceNode;
  const char* name() const override { return "coral"; }
};
}  // namespace

void ThresholdBceNode::forward() {
  const Tensor& s = in(0);
  const int64_t N = s.shape()[0], T = s.shape()[1];
  if (!value.defined()) value = Tensor::empty({});
  double loss = 0;
  for (int64_t i = 0; i < N; ++i) {
    const float* si = s.data() + i * T;
    const int64_t last = last_task(i, T);
    double li = 0;
    for (int64_t k = 0; k <= last; ++k)
      li += lambda[k] * (labels[i] > k ? softplus(-si[k]) : softplus(si[k]));
    loss += w[i] * li;
  }
  value[0] = static_cast<float>(loss);
}

void ThresholdBceNode::backward() {
  const Tensor& s = in(0);
  const int64_t N = s.shape()[0], T = s.shape()[1];
  const double g = grad[0];
  float* ds = in_grad(0).data();
  parallel_for(N, 64, [&](int64_t i) {
    const int64_t last = last_task(i, T);
    for (int64_t k = 0; k <= last; ++k) {
      const double target = labels[i] > k ? 1.0 : 0.0;
      const double p = stable_sigmoid(s[i * T + k]);
      ds[i * T + k] += static_cast<float>(g * w[i] * lambda[k] * (p - target));
    }
  });
}

void check_cumulative_input(const char* op, const Shape& s, const LossTarget& t) {
  OG_CHECK(t.K >= 2, op, ": needs K >= 2 classes, got K = ", t.K);
  OG_CHECK(s.nd == 2, op, ": logits must be [N,K-1], got ", s);
  OG_CHECK(s[1] == t.K - 1, op, ": logits ", s, " have ", s[1], " columns, expected K-1 = ",
           t.K - 1, " for K = ", t.K);
  OG_CHECK(static_cast<int64_t>(t.labels.size()) == s[0], op, ": ", t.labels.size(),
           " labels for logits ", s);
}

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

Tensor probs_from_greater(const Tensor& greater) {
  const Shape& sh = greater.shape();
  OG_CHECK(sh.nd == 2 && sh[1] >= 1, "probs_from_greater: P(y>k) must be [N,K-1], got ", sh);
  const int64_t N = sh[0], T = sh[1], K = T + 1;
  Tensor p = Tensor::empty({N, K});
  std::vector<double> row(K);
  for (int64_t i = 0; i < N; ++i) {
    const float* q = greater.data() + i * T;
    double total = 0;
    for (int64_t k = 0; k < K; ++k) {
      const double above_prev = k == 0 ? 1.0 : q[k - 1];   // P(y > k-1), P(y > -1) = 1
      const double above = k == T ? 0.0 : q[k];            // P(y > k),   P(y > K-1) = 0
      row[k] = std::max(above_prev - above, 0.0);          // clip: P(y>k) not monotone
      total += row[k];
    }
    OG_CHECK(total > 0, "probs_from_greater: row ", i, " has no probability mass");
    for (int64_t k = 0; k < K; ++k) p[i * K + k] = static_cast<float>(row[k] / total);
  }
  return p;
}

Tensor coral_probs(const Tensor& s) { return probs_from_greater(coral_greater(s)); }

std::vector<int> count_above_half(const Tensor& greater) {
  const Shape& sh = greater.shape();
  OG_CHECK(sh.nd == 2 && sh[1] >= 1, "count_above_half: P(y>k) must be [N,K-1], got ", sh);
  const int64_t N = sh[0], T = sh[1];
  std::vector<int> label(N, 0);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t k = 0; k < T; ++k) label[i] += greater[i * T + k] > 0.5f;
  return label;
}

}  // namespace og
