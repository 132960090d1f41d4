// row_loss — the weighted row reduction of the softmax-head losses; formulas, saved
// state and threading are in row_loss.h.
#include "losses/row_loss.h"

#include "core/parallel.h"
#include "losses/reduce.h"

namespace og {
namespace {
constexpr int64_t kRowGrain = 64;  // rows per thread below which the loop stays serial
}  // namespace

void RowLossNode::forward() {
  const Tensor& z = in(0);
  const int64_t N = z.shape()[0], K = z.shape()[1];
  if (!value.defined()) value = Tensor::empty({});
  if (needs_grad && !dl.defined()) dl = Tensor::empty(z.shape());
  std::vector<double> li(N);
  parallel_for(N, kRowGrain, [&](int64_t i) {
    li[i] = row(z.data() + i * K, K, labels[i], needs_grad ? dl.data() + i * K : nullptr);
  });
  value[0] = static_cast<float>(weighted_sum(w, li));
}

void RowLossNode::backward() {
  if (!wants(0)) return;
  const int64_t N = dl.shape()[0], K = dl.shape()[1];
  const double g = grad[0];
  float* dz = in_grad(0).data();
  parallel_for(N, kRowGrain, [&](int64_t i) {
    const double gi = g * w[i];
    for (int64_t k = 0; k < K; ++k) dz[i * K + k] += static_cast<float>(gi * dl[i * K + k]);
  });
}

}  // namespace og
