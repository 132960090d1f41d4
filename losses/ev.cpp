// ev_l1 / ev_l2 / ev_huber — expected-value regression on a softmax head, fused
//       (softmax -> expected class value -> distance to the label's value)
//
// The model keeps a full class distribution p = softmax(z) but is scored like a
// regressor: its prediction is the expected value mu = sum_k v_k p_k
// (v_k = t.value(k), k unless class values are given), compared with v_y.
// forward : e = mu - v_y
//           ev_l1   : L_i = |e|
//           ev_l2   : L_i = e^2
//           ev_huber: L_i = e^2 / 2 if |e| <= delta, else delta (|e| - delta/2)
//           L = sum_i w_i L_i / sum_i w_i,  w_i = class_weight[y_i] * sample_weight_i
// backward: chain rule through e, mu and the softmax:
//             dL_i/de  = sign(e) (l1; 0 at e = 0), 2e (l2),
//                        e if |e| <= delta else delta sign(e) (huber)
//             dmu/dz_m = sum_k v_k dp_k/dz_m = sum_k v_k p_k (1[k=m] - p_m)
//                      = p_m (v_m - mu)
//           so  dL_i/dz_m = dL_i/de * p_m (v_m - mu):  logits of classes above
//           the mean move mu up, those below move it down, each by its mass.
//           dz_im += g * w_i / sum_j w_j * dL_i/dz_im.
// shapes  : z [N,K] (K = t.K >= 2), N labels -> scalar
// saves   : dL_i/dz_i per row [N,K] (computed in forward, only when a gradient is
//           wanted) and the normalised weights (RowLossNode, row_loss.h),
//           and the class values
// numerics: log-sum-exp softmax (softmax_row, row_math.h), mu and every sum in double;
//           no log is taken.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count (row_loss.h).
#include "losses/ev.h"

#include <cmath>

#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"

namespace og {
namespace {

struct EvNode : RowLossNode {
  std::vector<double> v;  // class values v_k
  EvDistance dist;
  double delta;           // Huber threshold
  EvNode(std::vector<int> y, std::vector<double> weights, std::vector<double> values,
         EvDistance d, double huber_delta)
      : RowLossNode(std::move(y), std::move(weights)), v(std::move(values)), dist(d),
        delta(huber_delta) {}

  // L_i of one row (K logits, label y); writes dL_i/dz to dz if given.
  double row(const float* z, int64_t K, int y, float* dz) const override {
    std::vector<double> p(K);
    softmax_row(z, K, p.data());
    double mu = 0;
    for (int64_t k = 0; k < K; ++k) mu += v[k] * p[k];
    const double e = mu - v[y], sign = (e > 0) - (e < 0);
    double loss, dlde;
    if (dist == EvDistance::l1) {
      loss = std::fabs(e), dlde = sign;
    } else if (dist == EvDistance::l2) {
      loss = e * e, dlde = 2 * e;
    } else if (std::fabs(e) <= delta) {
      loss = 0.5 * e * e, dlde = e;
    } else {
      loss = delta * (std::fabs(e) - 0.5 * delta), dlde = delta * sign;
    }
    if (dz)
      for (int64_t k = 0; k < K; ++k) dz[k] = static_cast<float>(dlde * p[k] * (v[k] - mu));
    return loss;
  }
};

// One node type per distance, so each spec name is a node name of its own.
struct EvL1Node : EvNode {
  using EvNode::EvNode;
  const char* name() const override { return "ev_l1"; }
};
struct EvL2Node : EvNode {
  using EvNode::EvNode;
  const char* name() const override { return "ev_l2"; }
};
struct EvHuberNode : EvNode {
  using EvNode::EvNode;
  const char* name() const override { return "ev_huber"; }
};

}  // namespace

Var ev_loss(Var logits, const LossTarget& t, EvDistance d, float huber_delta) {
  const char* op = d == EvDistance::l1 ? "ev_l1" : d == EvDistance::l2 ? "ev_l2" : "ev_huber";
  OG_CHECK(d != EvDistance::huber || (std::isfinite(huber_delta) && huber_delta > 0), op,
           ": huber_delta ", huber_delta, " must be finite and > 0");
  std::vector<double> w = checked_weights(op, logits, t);
  std::vector<double> v = class_values(t);
  Graph& g = *logits.graph;
  switch (d) {
    case EvDistance::l1: return g.record<EvL1Node>({logits}, t.labels, w, v, d, huber_delta);
    case EvDistance::l2: return g.record<EvL2Node>({logits}, t.labels, w, v, d, huber_delta);
    default: return g.record<EvHuberNode>({logits}, t.labels, w, v, d, huber_delta);
  }
}

}  // namespace og
