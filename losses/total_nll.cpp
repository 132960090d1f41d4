// total_nll — negative log-likelihood of each group's total, fused
//             (softmax -> convolution -> -log D[T] in one node, in log space)
//
// forward : log p^(i) = z_i - logsumexp(z_i);  D = p^(1) * ... * p^(s) (group of s)
//           L_g = -log D[T_g],  T_g = sum of the group's labels
//           L = sum_g w_g L_g / sum_g w_g,  w_g = mean sample weight of the group
// backward: dL_g/dz_im = p^(i)_m - q^(i)_m, where
//             q^(i)_m = P(y_i = m | total = T) = p^(i)_m R^(i)[T-m] / D[T]
//           is the item's posterior given the total (R^(i) = the convolution of the
//           other items). This is d(-log D[T])/dz through the convolution
//           (dD[T]/dp^(i)_m = R^(i)[T-m]) and the softmax: with a_m = -R^(i)[T-m]/D[T],
//           p_m a_m = -q_m and sum_k p_k a_k = -1. dz_im += g w_g / sum w * (p - q).
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar (groups: group_total.h)
// saves   : the group layout, totals and weights; backward recomputes the
//           convolutions from z.
// numerics: a group whose D[T] >= 1e-250 runs in linear space (double): the
//           prefix convolutions of total_common.h's GroupConv, L_g = -log D[T], and
//           its reverse sweep with dL_g/dD = -1/D[T] at T gives p - q. Terms that
//           underflow there are below 1e-308, negligible against D[T].
//           D[T] of 8 items over 30 classes can also lie far below double's
//           range (logits of +-80 give e^-1280); such groups run in log space:
//           LP_i = log(p^(1) * ... * p^(i)) by log_convolve (a
//           max-shifted log-sum-exp per entry, total_common.h), L_g = -LP_s[T].
//           In backward the suffixes LS_i = log(p^(i) * ... * p^(s)) give
//           log R^(i)[u] = log_convolve_at(LP_{i-1}, LS_{i+1}, u), and q^(i) is a
//           softmax over m of log p_m + log R^(i)[T-m] (m with T-m outside R's
//           support have q = 0). Every log taken is of a sum of positive terms
//           scaled by its largest, so nothing underflows to log 0 and the loss and
//           gradient stay finite for any finite logits. Both cost O(s^2 K^2) per
//           group, but the log space one in exp and log: forward + backward of 64
//           rows, G = 8, K = 30 took 4.1 ms on one thread in log space (9% of a
//           counting-CNN step), ~0.2 ms in linear space.
// parallel: over groups (parallel_for); each group writes its own loss entry and
//           the dz rows of its own items; the weighted sum runs serially in group
//           order, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <limits>

#include "losses/group_total.h"
#include "losses/row_math.h"
#include "losses/total_common.h"

namespace og {
namespace {

constexpr double kLinearFloor = 1e-250;  // D[T] below this: the log-space path

// log p of each item of group g ([s,K]) and the log prefix convolutions LP_0..LP_s.
struct LogChain {
  std::vector<double> logp;
  std::vector<std::vector<double>> prefix;
  LogChain(const float* z, const int* rows, int s, int K)
      : logp(static_cast<size_t>(s) * K), prefix(s + 1) {
    prefix[0] = {0.0};  // log of the point mass at total 0
    for (int i = 0; i < s; ++i) {
      double* lp = logp.data() + static_cast<size_t>(i) * K;
      log_softmax_row(z + static_cast<int64_t>(rows[i]) * K, K, lp);
      const std::vector<double>& prev = prefix[i];
      prefix[i + 1].resize(prev.size() + K - 1);
      total::log_convolve(prev.data(), static_cast<int>(prev.size()), lp, K, prefix[i + 1].data());
    }
  }
};

struct TotalNllNode : total::GroupLossNode {
  using GroupLossNode::GroupLossNode;
  const char* name() const override { return "total_nll"; }
  double group_loss(const float* z, int K, int64_t g) const override {
    const int T = gt.totals[g];
    const total::GroupConv lin(z, gt.layout.members(g), gt.layout.size(g), K);
    if (lin.dist()[T] >= kLinearFloor) return -std::log(lin.dist()[T]);
    const LogChain c(z, gt.layout.members(g), gt.layout.size(g), K);
    return -c.prefix.back()[T];
  }
  void group_backward(const float* z, int K, int64_t g, double scale, float* dz) const override {
    const int s = gt.layout.size(g), T = gt.totals[g];
    const int* rows = gt.layout.members(g);
    const total::GroupConv lin(z, rows, s, K);
    const std::vector<double>& D = lin.dist();
    if (D[T] >= kLinearFloor) {
      std::vector<double> gD(D.size(), 0.0);
      gD[T] = -1.0 / D[T];
      lin.backward(gD.data(), scale, dz, rows);
      return;
    }
    const LogChain c(z, rows, s, K);
    std::vector<std::vector<double>> suffix(s + 2);  // suffix[i] = log(p^(i) * ... * p^(s)), 1-based
    suffix[s + 1] = {0.0};
    for (int i = s; i >= 1; --i) {
      const std::vector<double>& next = suffix[i + 1];
      suffix[i].resize(next.size() + K - 1);
      total::log_convolve(c.logp.data() + static_cast<size_t>(i - 1) * K, K, next.data(),
                          static_cast<int>(next.size()), suffix[i].data());
    }
    std::vector<double> lq(K);
    for (int i = 1; i <= s; ++i) {
      const std::vector<double>& before = c.prefix[i - 1];
      const std::vector<double>& after = suffix[i + 1];
      const double* lp = c.logp.data() + static_cast<size_t>(i - 1) * K;
      double m = -std::numeric_limits<double>::infinity();
      for (int k = 0; k < K; ++k) {
        lq[k] = lp[k] + total::log_convolve_at(before.data(), static_cast<int>(before.size()),
                                               after.data(), static_cast<int>(after.size()), T - k);
        m = std::max(m, lq[k]);
      }
      double sum = 0;
      for (int k = 0; k < K; ++k) sum += std::exp(lq[k] - m);
      const double log_norm = m + std::log(sum);
      float* dzi = dz + static_cast<int64_t>(rows[i - 1]) * K;
      for (int k = 0; k < K; ++k)
        dzi[k] += static_cast<float>(scale * (std::exp(lp[k]) - std::exp(lq[k] - log_norm)));
    }
  }
};

}  // namespace

Var total_nll(Var logits, const LossTarget& t, int group, const std::vector<int>* group_ids) {
  return logits.graph->record<TotalNllNode>({logits}, total::group_target("total_nll", logits, t, group, group_ids));
}

}  // namespace og
