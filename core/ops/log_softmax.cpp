// log_softmax (along the last axis)
// forward : y_rk = x_rk - logsumexp_j x_rj                       (stable: no log of a sum of p)
// backward: dx_rk += g_rk - p_rk * sum_j g_rj,   p_rk = e^(y_rk)
// shapes  : x [...,K] -> y [...,K].   saves: y (the output)
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {

// y_r = x_r - logsumexp(x_r) for every row; shared with softmax (which exponentiates).
void log_softmax_rows(const float* x, float* y, int64_t R, int64_t K) {
  parallel_for(R, 256, [&](int64_t r) {
    const float* row = x + r * K;
    float m = row[0];
    for (int64_t k = 1; k < K; ++k) m = std::max(m, row[k]);
    double s = 0;
    for (int64_t k = 0; k < K; ++k) s += std::exp(static_cast<double>(row[k] - m));
    const float lse = m + static_cast<float>(std::log(s));
    for (int64_t k = 0; k < K; ++k) y[r * K + k] = row[k] - lse;
  });
}

namespace {
struct LogSoftmaxNode : Node {
  const char* name() const override { return "log_softmax"; }
  void forward() override {
    const Tensor& x = in(0);
    if (!value.defined()) value = Tensor::empty(x.shape());
    log_softmax_rows(x.data(), value.data(), x.shape().rows(), x.shape().last());
  }
  void backward() override {
    const int64_t K = value.shape().last(), R = value.shape().rows();
    const float *y = value.data(), *g = grad.data();
    float* dx = in_grad(0).data();
    parallel_for(R, 256, [&](int64_t r) {
      double gs = 0;
      for (int64_t k = 0; k < K; ++k) gs += g[r * K + k];
      for (int64_t k = 0; k < K; ++k)
        dx[r * K + k] += g[r * K + k] - std::exp(y[r * K + k]) * static_cast<float>(gs);
    });
  }
};
}  // namespace

Var log_softmax(Var x) {
  OG_CHECK(x.value().numel() > 0 && x.shape().nd > 0, "log_softmax: empty input ", x.shape());
  return x.graph->record<LogSoftmaxNode>({x});
}
}  // namespace og
