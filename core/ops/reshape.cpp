// reshape / flatten
// forward : y = x with a new shape (same elements, same order; shares x's buffer)
// backward: dx += g (element for element)
// shapes  : numel(y) = numel(x); flatten: [N, ...] -> [N, numel/N]
#include "core/ops.h"

namespace og {
namespace {
struct ReshapeNode : Node {
  Shape out;
  explicit ReshapeNode(Shape s) : out(s) {}
  const char* name() const override { return "reshape"; }
  void forward() override { value = in(0).reshape(out); }
  void backward() override {
    float* dx = in_grad(0).data();
    for (int64_t i = 0, n = grad.numel(); i < n; ++i) dx[i] += grad[i];
  }
};
}  // namespace

Var reshape(Var x, const Shape& s) {
  OG_CHECK(s.numel() == x.value().numel(), "reshape: cannot view ", x.shape(), " as ", s);
  return x.graph->record<ReshapeNode>({x}, s);
}

Var flatten(Var x) {
  const Shape& s = x.shape();
  OG_CHECK(s.nd >= 1, "flatten: needs a batch axis, got ", s);
  return reshape(x, Shape{s[0], s[0] ? s.numel() / s[0] : 0});
}
}  // namespace og
