// sum
// forward : y = scale * sum_i x_i               (all elements -> scalar), or
//           y[o,0,i] = scale * sum_l x[o,l,i]   (along one axis, kept with size 1)
// backward: dx[o,l,i] += scale * g[o,0,i]
// Sums run serially in a fixed order and accumulate in double, so the result does
// not depend on the thread count. mean() is this node with scale = 1/n.
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct SumNode : Node {
  const char* op;
  float scale;
  Broadcast view;  // x viewed as [outer, len, inner], reduced over len
  Shape out;
  SumNode(const char* name, float s, Broadcast v, Shape o) : op(name), scale(s), view(v), out(o) {}
  const char* name() const override { return op; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty(out);
    const float* x = in(0).data();
    float* y = value.data();
    for (int64_t o = 0; o < view.outer; ++o)
      for (int64_t i = 0; i < view.inner; ++i) {
        double s = 0;
        for (int64_t l = 0; l < view.len; ++l) s += x[(o * view.len + l) * view.inner + i];
        y[o * view.inner + i] = static_cast<float>(s * scale);
      }
  }
  void backward() override {
    float* dx = in_grad(0).data();
    const float* g = grad.data();
    for (int64_t o = 0; o < view.outer; ++o)
      for (int64_t l = 0; l < view.len; ++l)
        for (int64_t i = 0; i < view.inner; ++i)
          dx[(o * view.len + l) * view.inner + i] += scale * g[o * view.inner + i];
  }
};
}  // namespace

Var reduce_sum(const char* op, Var x, int axis, bool mean) {
  const Shape& s = x.shape();
  Shape out;  // scalar when reducing everything
  Broadcast view{1, s.numel(), 1};
  if (axis != kAllAxes) {
    OG_CHECK(axis >= 0 && axis < s.nd, op, ": axis ", axis, " out of range for shape ", s);
    view = {1, s[axis], 1};
    for (int i = 0; i < axis; ++i) view.outer *= s[i];
    for (int i = axis + 1; i < s.nd; ++i) view.inner *= s[i];
    out = s;
    out.d[axis] = 1;
  }
  const float scale = mean ? 1.0f / static_cast<float>(view.len ? view.len : 1) : 1.0f;
  return x.graph->record<SumNode>({x}, op, scale, view, out);
}

Var sum(Var x) { return reduce_sum("sum", x, kAllAxes, false); }
Var sum(Var x, int axis) { return reduce_sum("sum", x, axis, false); }
}  // namespace og
