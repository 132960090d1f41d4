// logsumexp (along the last axis)
// forward : y_r = m_r + ln sum_k e^(x_rk - m_r),  m_r = max_k x_rk   (no overflow)
// backward: dx_rk += g_r * e^(x_rk - y_r)          (= g_r * softmax(x_r)_k)
// shapes  : x [...,K] -> y [...,1].   saves: y (the output)
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct LogSumExpNode : Node {
  const char* name() const override { return "logsumexp"; }
  void forward() override {
    const Tensor& x = in(0);
    const int64_t K = x.shape().last(), R = x.shape().rows();
    if (!value.defined()) {
      Shape s = x.shape();
      if (s.nd == 0) s = Shape{1};
      s.d[s.nd - 1] = 1;
      value = Tensor::empty(s);
    }
    const float* xp = x.data();
    float* y = value.data();
    parallel_for(R, 256, [&](int64_t r) {
      const float* row = xp + r * K;
      float m = row[0];
      for (int64_t k = 1; k < K; ++k) m = std::max(m, row[k]);
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += std::exp(static_cast<double>(row[k] - m));
      y[r] = m + static_cast<float>(std::log(s));
    });
  }
  void backward() override {
    const Tensor& x = in(0);
    const int64_t K = x.shape().last(), R = x.shape().rows();
    const float *xp = x.data(), *y = value.data(), *g = grad.data();
    float* dx = in_grad(0).data();
    parallel_for(R, 256, [&](int64_t r) {
      for (int64_t k = 0; k < K; ++k) dx[r * K + k] += g[r] * std::exp(xp[r * K + k] - y[r]);
    });
  }
};
}  // namespace

Var logsumexp(Var x) {
  OG_CHECK(x.value().numel() > 0 && x.shape().last() > 0, "logsumexp: empty input ", x.shape());
  return x.graph->record<LogSumExpNode>({x});
}
}  // namespace og
