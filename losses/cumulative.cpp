// cumulative — the input check, the P(y > k) decoders and the threshold-BCE node
// shared by the cumulative-head losses; formulas are in cumulative.h.
#include "losses/cumulative.h"

#include <algorithm>
#include <cmath>

#include "core/elementwise.h"
#include "core/parallel.h"

namespace og {

void check_cumulative_input(const char* op, const Shape& s, const LossTarget& t) {
  OG_CHECK(t.K >= 2, op, ": needs K >= 2 classes, got K = ", t.K);
  OG_CHECK(s.nd == 2, op, ": logits must be [N,K-1], got ", s);
  OG_CHECK(s[1] == t.K - 1, op, ": logits ", s, " have ", s[1], " columns, expected K-1 = ",
           t.K - 1, " for K = ", t.K);
  OG_CHECK(static_cast<int64_t>(t.labels.size()) == s[0], op, ": ", t.labels.size(),
           " labels for logits ", s);
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

std::vector<int> count_above_half(const Tensor& greater) {
  const Shape& sh = greater.shape();
  OG_CHECK(sh.nd == 2 && sh[1] >= 1, "count_above_half: P(y>k) must be [N,K-1], got ", sh);
  const int64_t N = sh[0], T = sh[1];
  std::vector<int> label(N, 0);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t k = 0; k < T; ++k) label[i] += greater[i * T + k] > 0.5f;
  return label;
}

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

}  // namespace og
