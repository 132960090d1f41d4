// slice (along the last axis)
// forward : y[r, k] = x[r, begin + k],  0 <= k < end - begin
// backward: dx[r, begin + k] += g[r, k]       (entries outside the slice get nothing)
// shapes  : x [...,K] -> y [..., end-begin]
#include <cstring>

#include "core/ops.h"

namespace og {
namespace {
struct SliceNode : Node {
  int64_t begin, end;
  SliceNode(int64_t b, int64_t e) : begin(b), end(e) {}
  const char* name() const override { return "slice"; }
  void forward() override {
    const Tensor& x = in(0);
    const int64_t K = x.shape().last(), R = x.shape().rows(), w = end - begin;
    if (!value.defined()) {
      Shape s = x.shape();
      s.d[s.nd - 1] = w;
      value = Tensor::empty(s);
    }
    for (int64_t r = 0; r < R; ++r)
      std::memcpy(value.data() + r * w, x.data() + r * K + begin, sizeof(float) * w);
  }
  void backward() override {
    const int64_t K = in(0).shape().last(), R = in(0).shape().rows(), w = end - begin;
    float* dx = in_grad(0).data();
    for (int64_t r = 0; r < R; ++r)
      for (int64_t k = 0; k < w; ++k) dx[r * K + begin + k] += grad[r * w + k];
  }
};
}  // namespace

Var slice(Var x, int64_t begin, int64_t end) {
  const Shape& s = x.shape();
  OG_CHECK(s.nd >= 1, "slice: needs at least 1-D input, got ", s);
  OG_CHECK(0 <= begin && begin <= end && end <= s.last(), "slice: range [", begin, ",", end,
           ") out of bounds for last axis of ", s);
  return x.graph->record<SliceNode>({x}, begin, end);
}
}  // namespace og
