// total_crps — ranked probability score of each group's total (the discrete CRPS:
//              losses/rps.cpp applied to the total's distribution), fused
//              (softmax -> convolution -> CRPS in one node)
//
// forward : D = p^(1) * ... * p^(s) over the s items of group g, C_t = sum_{u<=t} D[u]
//           r_t = C_t - 1[t >= T_g],  L_g = sum_{t=0}^{s(K-1)} r_t^2
//           (the last term is 0: C = 1 there), T_g = sum of the group's labels,
//           L = sum_g w_g L_g / sum_g w_g,  w_g = mean sample weight of the group.
//           It is the squared distance between the predicted and the true CDF of
//           the total, so mass near T costs less than mass far from it.
// backward: C_t contains D[u] for every t >= u, so
//             gD[u] = dL_g/dD[u] = 2 sum_{t>=u} r_t     (a reverse running sum)
//           then through the convolution and the softmax of every item as in
//           total_dist (GroupConv::backward, total_common.h):
//             dz_im += g w_g / sum w * p^(i)_m (a^(i)_m - sum_k p^(i)_k a^(i)_k),
//             a^(i)_k = sum_t gD[t] R^(i)[t-k],  R^(i) = convolution of the others.
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar (groups: group_total.h)
// saves   : the group layout, totals and weights; backward recomputes the softmax
//           and the prefix convolutions from z.
// numerics: double throughout; as in rps, r_t for t >= T is minus the tail mass
//           -sum_{u>t} D[u], not C_t - 1, so no residual is a difference of
//           near-equal numbers. No log is taken: underflowing D entries are 0.
// parallel: over groups (parallel_for); each group writes its own loss entry and
//           the dz rows of its own items; the weighted sum runs serially in group
//           order, so results do not depend on the thread count.
#include "losses/group_total.h"
#include "losses/total_common.h"

namespace og {
namespace {

// L_g for the distribution D of a total whose target is T; fills r if given.
double crps_of(const std::vector<double>& D, int T, std::vector<double>* r_out) {
  const int W = static_cast<int>(D.size());
  std::vector<double> r(W, 0.0);
  double head = 0, tail = 0, loss = 0;
  for (int t = 0; t < T; ++t) r[t] = head += D[t];             // C_t - 0
  for (int t = W - 1; t > T; --t) r[t - 1] = -(tail += D[t]);  // C_t - 1 = -sum_{u>t} D[u]
  for (double x : r) loss += x * x;
  if (r_out) r_out->swap(r);
  return loss;
}

struct TotalCrpsNode : total::GroupLossNode {
  using GroupLossNode::GroupLossNode;
  const char* name() const override { return "total_crps"; }
  double group_loss(const float* z, int K, int64_t g) const override {
    const total::GroupConv gc(z, gt.layout.members(g), gt.layout.size(g), K);
    return crps_of(gc.dist(), gt.totals[g], nullptr);
  }
  void group_backward(const float* z, int K, int64_t g, double scale, float* dz) const override {
    const total::GroupConv gc(z, gt.layout.members(g), gt.layout.size(g), K);
    std::vector<double> r;
    crps_of(gc.dist(), gt.totals[g], &r);
    std::vector<double> gD(r.size());
    double run = 0;
    for (size_t u = r.size(); u-- > 0;) gD[u] = 2 * (run += r[u]);
    gc.backward(gD.data(), scale, dz, gt.layout.members(g));
  }
};

}  // namespace

Var total_crps(Var logits, const LossTarget& t, int group, const std::vector<int>* group_ids) {
  return logits.graph->record<TotalCrpsNode>({logits}, total::group_target("total_crps", logits, t, group, group_ids));
}

}  // namespace og
