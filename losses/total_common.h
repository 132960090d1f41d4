// total_common.h — building blocks shared by the group-total nodes
// (losses/total_dist.cpp, total_nll.cpp, total_crps.cpp, total_ev_l1.cpp).
// Not part of the public API (that is losses/group_total.h); tests may use it.
//
// All arithmetic here is in double: a total's distribution has up to G(K-1)+1
// entries, each a sum of many products, and float would lose the small ones.
#pragma once
#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "losses/group_total.h"
#include "losses/loss.h"

namespace og::total {

// The grain of a parallel loop over groups: the loop stays serial below the
// number of groups that cost ~2^18 operations in all, since waking a second
// thread costs more than a few small groups do. `work` is the cost of the largest
// group: max_size^2 K^2 for the convolution nodes (conv_work: G = 8, K = 30 gives
// a grain of 4 groups; G = 3, K = 4 never leaves the calling thread).
int64_t group_grain(int64_t work);
inline int64_t conv_work(const GroupLayout& l, int K) { return int64_t(l.max_size) * l.max_size * K * K; }

// Full linear convolution: c[t] = sum_j a[j] b[t-j], t = 0..la+lb-2.
void convolve(const double* a, int la, const double* b, int lb, double* c);

// The same in log space: with a, b logs of non-negative sequences,
// log_convolve_at = log sum_j exp(a[j] + b[t-j]) over the valid j, computed as
// m + log sum_j exp(a[j] + b[t-j] - m), m = the largest term, so it neither
// underflows nor overflows; -infinity when no j is valid.
double log_convolve_at(const double* a, int la, const double* b, int lb, int t);
void log_convolve(const double* a, int la, const double* b, int lb, double* c);

// One group's item distributions and their prefix convolutions, in linear space.
//   prefix[0] = (1),  prefix[i] = prefix[i-1] * p^(i)  ((i(K-1)+1 entries),
//   D = prefix[G].
struct GroupConv {
  int G = 0, K = 0;
  std::vector<double> p;                    // [G,K]: p^(i) = softmax of item i's logits
  std::vector<std::vector<double>> prefix;  // prefix[0..G]

  // The items are rows rows[0..G) of logits [N,K].
  GroupConv(const float* logits, const int* rows, int G, int K);
  const std::vector<double>& dist() const { return prefix[G]; }

  // Given gD = d f / d D (dist().size() entries), adds scale * d f / d z_i to the
  // rows rows[i] of dz ([N,K]) for every item. Reverse sweep over the prefix
  // chain: with g_G = gD and P_i = prefix[i],
  //   a^(i)_k     = sum_j g_i[j+k] P_{i-1}[j]      (d f / d p^(i)_k)
  //   g_{i-1}[j]  = sum_k g_i[j+k] p^(i)_k          (d f / d P_{i-1}[j])
  // g_i is gD correlated with the suffix p^(i+1) * ... * p^(G), so a^(i) is gD
  // correlated with the leave-one-out convolution of all items but i: exactly
  // dD[t]/dp^(i)_k = (convolution of the others)[t-k]. Cost O(G^2 K^2).
  // Then through the softmax: d f / d z_im = p_m (a_m - sum_k p_k a_k).
  void backward(const double* gD, double scale, float* dz, const int* rows) const;
};

// A loss target checked against logits [N,K] and resolved to groups.
struct GroupTarget {
  GroupLayout layout;
  std::vector<int> totals;  // T_g, the sum of group g's labels
  std::vector<double> w;    // group weights w_g / sum_h w_h (w_g = mean item sample weight)
};

// The scalar group-total losses (total_nll, total_crps, total_ev_l1) on logits [N,K]:
// L = sum_g w_g L_g with the groups in parallel (each writes its own loss entry and
// the dz rows of its own items) and the weighted sum in group order, so results do
// not depend on the thread count. A subclass gives one group's loss and gradient.
struct GroupLossNode : Node {
  GroupTarget gt;
  explicit GroupLossNode(GroupTarget t) : gt(std::move(t)) {}
  void forward() override;
  void backward() override;

 protected:
  // Operations of the costliest group, for the parallel grain (default conv_work).
  virtual int64_t work(int K) const { return conv_work(gt.layout, K); }
  // L_g of group g; z = the logits [N,K].
  virtual double group_loss(const float* z, int K, int64_t g) const = 0;
  // Adds scale * dL_g/dz to the rows of group g's items in dz [N,K].
  virtual void group_backward(const float* z, int K, int64_t g, double scale, float* dz) const = 0;
};

// Throws og::Error naming `op` for logits that are not [N,K] with K = t.K >= 2,
// a label count other than N, a label out of [0,K), class values (totals are sums
// of labels), bad sample weights, or a bad grouping (group_layout).
GroupTarget group_target(const char* op, Var logits, const LossTarget& t, int group,
                         const std::vector<int>* group_ids);

}  // namespace og::total
