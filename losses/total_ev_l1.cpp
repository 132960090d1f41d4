// total_ev_l1 — absolute error of each group's expected total, fused
//               (softmax -> expected labels -> their sum -> |sum - T| in one node)
//
// forward : mu_i = sum_k k p^(i)_k,  p^(i) = softmax(z_i)  (each item's expected label)
//           e_g = sum_{i in g} mu_i - T_g  (the mean of D_g minus the true total:
//           the mean of a convolution is the sum of the means, so D is not built)
//           L_g = |e_g|,  L = sum_g w_g L_g / sum_g w_g,  w_g = mean sample weight
// backward: dmu_i/dz_im = p^(i)_m (m - mu_i)  (as in ev_l1, losses/ev.cpp), so
//             dz_im += g w_g / sum w * sign(e_g) p^(i)_m (m - mu_i)
//           (sign(0) = 0: the subgradient 0 at the kink, as ev_l1).
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar (groups: group_total.h)
// saves   : the group layout, totals and weights; backward recomputes p from z.
// numerics: softmax, mu and e in double; no log is taken.
// parallel: over groups (parallel_for); each group writes its own loss entry and
//           the dz rows of its own items; the weighted sum runs serially in group
//           order, so results do not depend on the thread count.
#include <cmath>

#include "losses/group_total.h"
#include "losses/row_math.h"
#include "losses/total_common.h"

namespace og {
namespace {

struct TotalEvL1Node : total::GroupLossNode {
  using GroupLossNode::GroupLossNode;
  const char* name() const override { return "total_ev_l1"; }

  // e_g of group g; fills p ([s,K]) and mu ([s]) of its items.
  double error_of(const float* z, int K, int64_t g, std::vector<double>& p, std::vector<double>& mu) const {
    const int s = gt.layout.size(g);
    const int* rows = gt.layout.members(g);
    p.resize(static_cast<size_t>(s) * K);
    mu.assign(s, 0.0);
    double e = -gt.totals[g];
    for (int i = 0; i < s; ++i) {
      double* pi = p.data() + static_cast<size_t>(i) * K;
      softmax_row(z + static_cast<int64_t>(rows[i]) * K, K, pi);
      for (int k = 0; k < K; ++k) mu[i] += k * pi[k];
      e += mu[i];
    }
    return e;
  }
  int64_t work(int K) const override { return int64_t(gt.layout.max_size) * K; }
  double group_loss(const float* z, int K, int64_t g) const override {
    std::vector<double> p, mu;
    return std::fabs(error_of(z, K, g, p, mu));
  }
  void group_backward(const float* z, int K, int64_t g, double scale, float* dz) const override {
    std::vector<double> p, mu;
    const double e = error_of(z, K, g, p, mu);
    const double signed_scale = scale * (e > 0 ? 1.0 : e < 0 ? -1.0 : 0.0);
    for (int i = 0; i < gt.layout.size(g); ++i) {
      const double* pi = p.data() + static_cast<size_t>(i) * K;
      float* dzi = dz + static_cast<int64_t>(gt.layout.members(g)[i]) * K;
      for (int k = 0; k < K; ++k) dzi[k] += static_cast<float>(signed_scale * pi[k] * (k - mu[i]));
    }
  }
};

}  // namespace

Var total_ev_l1(Var logits, const LossTarget& t, int group, const std::vector<int>* group_ids) {
  return logits.graph->record<TotalEvL1Node>({logits}, total::group_target("total_ev_l1", logits, t, group, group_ids));
}

}  // namespace og
