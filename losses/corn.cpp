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
// parallel: backward over rows (disjoint); the forward sum is serial in row order.
#include "losses/corn.h"

#include <algorithm>
#include <cmath>

#include "core/elementwise.h"
#include "losses/ce.h"

namespace og {

namespace {
double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

struct CornNode : Node {
  std::vector<int> labels;
  std::vector<double> w;  // w_i / D
  CornNode(std::vector<int> y, std::vector<double> weights)
      : labels(std::move(y)), w(std::move(weights)) {}
  const char* name() const override { return "corn"; }
  void forward() override {
    const Tensor& s = in(0);
    const int64_t N = s.shape()[0], T = s.shape()[1];
    if (!value.defined()) value = Tensor::empty({});
    double loss = 0;
    for (int64_t i = 0; i < N; ++i) {
      const float* si = s.data() + i * T;
      const int64_t last = std::min<int64_t>(labels[i], T - 1);  // eligible tasks 0..last
      double li = 0;
      for (int64_t k = 0; k <= last; ++k) li += labels[i] > k ? softplus(-si[k]) : softplus(si[k]);
      loss += w[i] * li;
    }
    value[0] = static_cast<float>(loss);
  }
  void backward() override {
    const Tensor& s = in(0);
    const int64_t N = s.shape()[0], T = s.shape()[1];
    const double g = grad[0];
    float* ds = in_grad(0).data();
    parallel_for(N, 64, [&](int64_t i) {
      const int64_t last = std::min<int64_t>(labels[i], T - 1);
      for (int64_t k = 0; k <= last; ++k) {
        const double target = labels[i] > k ? 1.0 : 0.0;
        ds[i * T + k] += static_cast<float>(g * w[i] * (stable_sigmoid(s[i * T + k]) - target));
      }
    });
  }
};
}  // namespace

Var corn(Var s, const LossTarget& t) {
  check_cumulative_input("corn", s.shape(), t);
  std::vector<double> w = loss_weights("corn", t.labels, t.K, t.class_weights, t.sample_weights);
  double pair_weight = 0;
  for (size_t i = 0; i < w.size(); ++i) pair_weight += w[i] * std::min(t.labels[i] + 1, t.K - 1);
  for (double& x : w) x /= pair_weight;  // > 0: every sample is eligible for task 0
  return s.graph->record<CornNode>({s}, t.labels, std::move(w));
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
