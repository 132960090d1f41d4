// corn — CORN loss on K-1 conditional logits, fused (sigmoid + BCE per eligible pair, log space)
// paper   : Shi, Cao & Raschka, Pattern Analysis and Applications 26 (2023): task k is a
//           binary classifier of y > k trained on the conditional subset y >= k.
// forward : eligible pair (i,k) <=> y_i >= k (k = 0..K-2), target T_ik = 1[y_i > k];
//           BCE_ik = T_ik softplus(-s_ik) + (1 - T_ik) softplus(s_ik)   (= -log-likelihood)
//           L = sum_{eligible} w_i BCE_ik / D,   D = sum_{eligible} w_i
//             = sum_i w_i min(y_i + 1, K - 1)    (sample i is eligible for tasks 0..min(y_i, K-2))
//           w_i = class_weight[y_i] * sample_weight_i; all 1 gives D = number of pairs.
// backward: ds_ik += g * w_i / D * (sigmoid(s_ik) - T_ik)   for eligible (i,k), nothing otherwise
//           (dBCE/ds = sigmoid(s) - T, as for coral; bounded by 1, never clamped)
// shapes  : s [N,K-1], labels N ints in [0,K) -> scalar
// saves   : labels and w_i / D (sigmoid recomputed)
// node    : ThresholdBceNode (cumulative.h, shared with coral) with lambda_k = 1,
//           conditional (k <= y_i)
// parallel: backward over rows (disjoint); the forward sum is serial in row order.
#include "losses/corn.h"

#include <algorithm>
#include <cmath>

#include "core/elementwise.h"
#include "losses/cumulative.h"
#include "losses/reduce.h"

namespace og {

namespace {

// The threshold-BCE node (cumulative.h) with lambda = 1 and only the tasks k <= y_i.
struct CornNode : ThresholdBceNode {
  using ThresholdBceNode::ThresholdBceNode;
  const char* name() const override { return "corn"; }
};
}  // namespace

Var corn(Var s, const LossTarget& t) {
  check_cumulative_input("corn", s.shape(), t);
  std::vector<double> w = loss_weights("corn", t.labels, t.K, t.class_weights, t.sample_weights);
  double pair_weight = 0;
  for (size_t i = 0; i < w.size(); ++i) pair_weight += w[i] * std::min(t.labels[i] + 1, t.K - 1);
  for (double& x : w) x /= pair_weight;  // > 0: every sample is eligible for task 0
  std::vector<double> lambda(t.K - 1, 1.0);
  return s.graph->record<CornNode>({s}, t.labels, std::move(w), std::move(lambda), true);
}

Tensor corn_greater(const Tensor& s) {
  OG_CHECK(s.shape().nd == 2 && s.shape()[1] >= 1, "corn_greater: logits must be [N,K-1], got ",
           s.shape());
  const int64_t N = s.shape()[0], T = s.shape()[1];
  Tensor p = Tensor::empty(s.shape());
  for (int64_t i = 0; i < N; ++i) {
    double log_above = 0;  // log P(y > k) = sum_{j <= k} log sigmoid(s_j)
    for (int64_t k = 0; k < T; ++k) {
      log_above -= softplus(-static_cast<double>(s[i * T + k]));
      p[i * T + k] = static_cast<float>(std::exp(log_above));
    }
  }
  return p;
}

Tensor corn_probs(const Tensor& s) { return probs_from_greater(corn_greater(s)); }

}  // namespace og
