// softmax (along the last axis)
// forward : p_rk = e^(x_rk - logsumexp_j x_rj)
// backward: dx_rk += p_rk * (g_rk - sum_j g_rj p_rj)
// shapes  : x [...,K] -> p [...,K].   saves: p (the output)
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct SoftmaxNode : Node {
  const char* name() const override { return "softmax"; }
  void forward() override {
    const Tensor& x = in(0);
    if (!value.defined()) value = Tensor::empty(x.shape());
    log_softmax_rows(x.data(), value.data(), x.shape().rows(), x.shape().last());
    float* p = value.data();
    for (int64_t i = 0, n = value.numel(); i < n; ++i) p[i] = std::exp(p[i]);
  }
  void backward() override {
    const int64_t K = value.shape().last(), R = value.shape().rows();
    const float *p = value.data(), *g = grad.data();
    float* dx = in_grad(0).data();
    parallel_for(R, 256, [&](int64_t r) {
      double dot = 0;
      for (int64_t k = 0; k < K; ++k) dot += static_cast<double>(g[r * K + k]) * p[r * K + k];
      for (int64_t k = 0; k < K; ++k)
        dx[r * K + k] += p[r * K + k] * (g[r * K + k] - static_cast<float>(dot));
    });
  }
};
}  // namespace

Var softmax(Var x) {
  OG_CHECK(x.value().numel() > 0 && x.shape().nd > 0, "softmax: empty input ", x.shape());
  return x.graph->record<SoftmaxNode>({x});
}
}  // namespace og
