// ce — cross-entropy on softmax logits, fused (log-softmax + NLL in one node)
// forward : log p_ik = z_ik - logsumexp_j z_ij
//           q_ik = (1 - eps) 1[k = y_i] + eps / K          (label smoothing eps)
//           L_i = -sum_k q_ik log p_ik,     L = sum_i w_i L_i / sum_i w_i
//           w_i = class_weight[y_i] * sample_weight_i (1 when not given)
// backward: dz_ik += g * w_i / sum_j w_j * (p_ik - q_ik)
// shapes  : z [N,K], labels N ints in [0,K) -> scalar
// saves   : p (softmax of z), the weights
// parallel: rows are independent; the weighted sum runs serially in row order.
#include "losses/ce.h"

#include <cmath>

#include "core/elementwise.h"
#include "losses/reduce.h"

namespace og {

namespace {
struct CrossEntropyNode : Node {
  std::vector<int> labels;
  std::vector<double> w;  // per-sample weights, normalised to sum 1
  float eps;
  Tensor p;               // softmax, saved for backward
  CrossEntropyNode(std::vector<int> y, std::vector<double> weights, float smoothing)
      : labels(std::move(y)), w(std::move(weights)), eps(smoothing) {}
  const char* name() const override { return "ce"; }
  void forward() override {
    const Tensor& z = in(0);
    const int64_t N = z.shape()[0], K = z.shape()[1];
    if (!p.defined()) p = Tensor::empty(z.shape());
    if (!value.defined()) value = Tensor::empty({});
    log_softmax_rows(z.data(), p.data(), N, K);  // p holds log p for now
    double loss = 0;
    for (int64_t i = 0; i < N; ++i) {
      const float* lp = p.data() + i * K;
      double li = -(1.0 - eps) * lp[labels[i]];
      if (eps > 0) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) s += lp[k];
        li -= eps / K * s;
      }
      loss += w[i] * li;
    }
    for (int64_t i = 0; i < N * K; ++i) p[i] = std::exp(p[i]);
    value[0] = static_cast<float>(loss);
  }
  void backward() override {
    const int64_t N = p.shape()[0], K = p.shape()[1];
    const float g = grad[0];
    float* dz = in_grad(0).data();
    parallel_for(N, 64, [&](int64_t i) {
      const float scale = static_cast<float>(g * w[i]);
      const float off = eps / K;
      for (int64_t k = 0; k < K; ++k) {
        const float q = (k == labels[i] ? 1.0f - eps : 0.0f) + off;
        dz[i * K + k] += scale * (p[i * K + k] - q);
      }
    });
  }
};
}  // namespace

Var cross_entropy(Var logits, const std::vector<int>& labels, const CeOptions& opt) {
  const Shape& s = logits.shape();
  OG_CHECK(s.nd == 2 && s[1] >= 1, "ce: logits must be [N,K], got ", s);
  OG_CHECK(static_cast<int64_t>(labels.size()) == s[0], "ce: ", labels.size(), " labels for logits ", s);
  OG_CHECK(opt.label_smoothing >= 0 && opt.label_smoothing < 1, "ce: label smoothing ",
           opt.label_smoothing, " outside [0,1)");
  std::vector<double> w =
      normalised_loss_weights("ce", labels, s[1], opt.class_weights, opt.sample_weights);
  return logits.graph->record<CrossEntropyNode>({logits}, labels, std::move(w), opt.label_smoothing);
}

}  // namespace og
