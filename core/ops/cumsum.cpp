// cumsum (along the last axis)
// forward : y_rk = sum_{j<=k} x_rj
// backward: dx_rj += sum_{k>=j} g_rk      (a reverse cumulative sum)
// shapes  : x [...,K] -> y [...,K].   saves: nothing
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct CumsumNode : Node {
  const char* name() const override { return "cumsum"; }
  void forward() override {
    const Tensor& x = in(0);
    if (!value.defined()) value = Tensor::empty(x.shape());
    const int64_t K = x.shape().last(), R = x.shape().rows();
    const float* xp = x.data();
    float* y = value.data();
    parallel_for(R, 256, [&](int64_t r) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) y[r * K + k] = static_cast<float>(s += xp[r * K + k]);
    });
  }
  void backward() override {
    const int64_t K = value.shape().last(), R = value.shape().rows();
    const float* g = grad.data();
    float* dx = in_grad(0).data();
    parallel_for(R, 256, [&](int64_t r) {
      double s = 0;
      for (int64_t k = K; k-- > 0;) dx[r * K + k] += static_cast<float>(s += g[r * K + k]);
    });
  }
};
}  // namespace

Var cumsum(Var x) { return x.graph->record<CumsumNode>({x}); }
}  // namespace og
