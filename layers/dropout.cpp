// dropout.cpp — inverted dropout (formulas in dropout.h).
#include "layers/dropout.h"

#include <cstdint>
#include <vector>

#include "core/elementwise.h"

namespace og {

namespace {
struct DropoutNode : Node {
  std::vector<uint8_t> keep;  // m_i
  float scale;                // 1 / (1 - p)
  DropoutNode(std::vector<uint8_t> mask, float s) : keep(std::move(mask)), scale(s) {}
  const char* name() const override { return "dropout"; }
  void forward() override {
    const Tensor& xt = in(0);
    if (!value.defined()) value = Tensor::empty(xt.shape());
    const float* x = xt.data();
    float* y = value.data();
    parallel_for(xt.numel(), kElementwiseGrain,
                 [&](int64_t i) { y[i] = keep[i] ? x[i] * scale : 0.0f; });
  }
  void backward() override {
    const float* g = grad.data();
    float* dx = in_grad(0).data();
    parallel_for(grad.numel(), kElementwiseGrain, [&](int64_t i) {
      if (keep[i]) dx[i] += g[i] * scale;
    });
  }
};
}  // namespace

Var dropout(Var x, float p, Rng& rng) {
  OG_CHECK(p >= 0.0f && p < 1.0f, "dropout: p = ", p, " outside [0,1) for input ", x.shape());
  if (p == 0.0f || !x.graph->training()) return x;
  const int64_t n = x.value().numel();
  std::vector<uint8_t> mask(n);
  // uniform() is in [0,1), so P(u >= p) = 1 - p.
  for (int64_t i = 0; i < n; ++i) mask[i] = rng.uniform() >= p;
  return x.graph->record<DropoutNode>({x}, std::move(mask), 1.0f / (1.0f - p));
}

Dropout::Dropout(float prob, Rng& r) : p(prob), rng(r) {
  OG_CHECK(p >= 0.0f && p < 1.0f, "dropout: p = ", p, " outside [0,1)");
}

std::string Dropout::describe() const { return cat("dropout(p=", p, ")"); }

}  // namespace og
