// concat (along the last axis)
// forward : y[r, off_i + k] = x_i[r, k]     where off_i = sum of the earlier inputs' widths
// backward: dx_i[r, k] += g[r, off_i + k]
// shapes  : every x_i has the same rows (all axes but the last); y's last axis is the sum
#include <cstring>

#include "core/ops.h"

namespace og {
namespace {
struct ConcatNode : Node {
  Shape out;
  explicit ConcatNode(Shape s) : out(s) {}
  const char* name() const override { return "concat"; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty(out);
    const int64_t R = out.rows(), W = out.last();
    int64_t off = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const int64_t k = in(i).shape().last();
      for (int64_t r = 0; r < R; ++r)
        std::memcpy(value.data() + r * W + off, in(i).data() + r * k, sizeof(float) * k);
      off += k;
    }
  }
  void backward() override {
    const int64_t R = out.rows(), W = out.last();
    int64_t off = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const int64_t k = in(i).shape().last();
      if (wants(i)) {
        float* dx = in_grad(i).data();
        for (int64_t r = 0; r < R; ++r)
          for (int64_t j = 0; j < k; ++j) dx[r * k + j] += grad[r * W + off + j];
      }
      off += k;
    }
  }
};
}  // namespace

Var concat(const std::vector<Var>& xs) {
  OG_CHECK(!xs.empty(), "concat: no inputs");
  Shape out = xs[0].shape();
  OG_CHECK(out.nd >= 1, "concat: needs at least 1-D inputs, got ", out);
  int64_t width = 0;
  for (const Var& x : xs) {
    Shape s = x.shape();
    OG_CHECK(s.nd == out.nd && s.rows() == out.rows(), "concat: input ", s,
             " does not match the rows of ", xs[0].shape());
    for (int i = 0; i + 1 < s.nd; ++i)
      OG_CHECK(s[i] == out[i], "concat: input ", s, " does not match ", xs[0].shape());
    width += s.last();
  }
  out.d[out.nd - 1] = width;
  return xs[0].graph->record_n<ConcatNode>(xs, out);
}
}  // namespace og
