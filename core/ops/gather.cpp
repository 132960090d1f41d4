// gather (one entry per row, e.g. the label's)
// forward : y_r = x[r, index_r]
// backward: dx[r, index_r] += g_r          (every other entry gets nothing)
// shapes  : x [R,K] (any rank: rows x last axis), index R ints in [0,K) -> y [R]
#include "core/ops.h"

namespace og {
namespace {
struct GatherNode : Node {
  std::vector<int> index;
  explicit GatherNode(std::vector<int> idx) : index(std::move(idx)) {}
  const char* name() const override { return "gather"; }
  void forward() override {
    const Tensor& x = in(0);
    const int64_t K = x.shape().last(), R = x.shape().rows();
    if (!value.defined()) value = Tensor::empty({R});
    for (int64_t r = 0; r < R; ++r) value[r] = x[r * K + index[r]];
  }
  void backward() override {
    const int64_t K = in(0).shape().last();
    Tensor& dx = in_grad(0);
    for (size_t r = 0; r < index.size(); ++r) dx[r * K + index[r]] += grad[r];
  }
};
}  // namespace

Var gather(Var x, const std::vector<int>& index) {
  const Shape& s = x.shape();
  OG_CHECK(s.nd >= 1, "gather: needs at least 1-D input, got ", s);
  const int64_t K = s.last(), R = s.rows();
  OG_CHECK(static_cast<int64_t>(index.size()) == R, "gather: ", index.size(), " indices for ", R,
           " rows of input ", s);
  for (int64_t r = 0; r < R; ++r)
    OG_CHECK(index[r] >= 0 && index[r] < K, "gather: index ", index[r], " out of range [0,", K,
             ") at row ", r, " of input ", s);
  return x.graph->record<GatherNode>({x}, index);
}
}  // namespace og
