// total_dist — the distribution of each group's total label, from softmax logits
//
// forward : p^(i) = softmax(z_i);  D_g = p^(1) * ... * p^(s) over the s items of
//           group g (linear convolution):  D_g[t] = P(sum_i y_i = t),  t = 0..s(K-1);
//           entries t > s(K-1) of a row are 0 (groups smaller than the largest).
//           e.g. p = (.1,.6,.3), (.5,.5,0), (.2,.2,.6) give D = (.01,.08,.19,.33,.30,.09,0)
// backward: D is multilinear in the items' distributions:
//             dD[t]/dp^(i)_k = R^(i)[t-k],  R^(i) = the convolution of the OTHER items,
//           so a^(i)_k = sum_t gD[t] R^(i)[t-k]  (gD = this node's grad row), and
//           through the softmax  dz_im += p^(i)_m (a^(i)_m - sum_k p^(i)_k a^(i)_k).
//           The a^(i) come from one reverse sweep over the prefix convolutions
//           (total_common.h, GroupConv::backward): O(s^2 K^2) per group.
// shapes  : z [N,K] (K >= 1) -> D [groups, W],  W = max group size * (K-1) + 1
//           (groups: consecutive `group` rows, or explicit ids; group_total.h)
// saves   : the group layout only; backward recomputes the softmax and the prefix
//           convolutions from z (a few k multiply-adds per group, and forward stays
//           a pure function of z).
// numerics: everything in double; D is rounded to float at the end.
// parallel: over groups (parallel_for); each group writes its own row of D and the
//           rows of dz of its own items, so results do not depend on the thread count.
#include <algorithm>

#include "core/parallel.h"
#include "losses/group_total.h"
#include "losses/total_common.h"

namespace og {
namespace {

struct TotalDistNode : Node {
  GroupLayout layout;
  explicit TotalDistNode(GroupLayout l) : layout(std::move(l)) {}
  const char* name() const override { return "total_dist"; }
  void forward() override {
    const Tensor& z = in(0);
    const int K = static_cast<int>(z.shape()[1]);
    const int64_t W = static_cast<int64_t>(layout.max_size) * (K - 1) + 1;
    if (!value.defined()) value = Tensor::empty({layout.count(), W});
    parallel_for(layout.count(), total::group_grain(total::conv_work(layout, K)), [&](int64_t g) {
      const total::GroupConv gc(z.data(), layout.members(g), layout.size(g), K);
      const std::vector<double>& d = gc.dist();
      float* row = value.data() + g * W;
      for (size_t t = 0; t < d.size(); ++t) row[t] = static_cast<float>(d[t]);
      std::fill(row + d.size(), row + W, 0.0f);
    });
  }
  void backward() override {
    if (!wants(0)) return;
    const Tensor& z = in(0);
    const int K = static_cast<int>(z.shape()[1]);
    const int64_t W = value.shape()[1];
    float* dz = in_grad(0).data();
    parallel_for(layout.count(), total::group_grain(total::conv_work(layout, K)), [&](int64_t g) {
      const total::GroupConv gc(z.data(), layout.members(g), layout.size(g), K);
      const float* grow = grad.data() + g * W;
      const std::vector<double> gD(grow, grow + gc.dist().size());  // padding has no inputs
      gc.backward(gD.data(), 1.0, dz, layout.members(g));
    });
  }
};

}  // namespace

Var total_dist(Var logits, int group, const std::vector<int>* group_ids) {
  const Shape& s = logits.shape();
  OG_CHECK(s.nd == 2 && s[1] >= 1, "total_dist: logits must be [N,K] with K >= 1, got ", s);
  return logits.graph->record<TotalDistNode>({logits}, group_layout("total_dist", s[0], group, group_ids));
}

}  // namespace og
