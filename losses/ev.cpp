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
//           wanted) and the normalised weights
// numerics: log-sum-exp softmax, mu and every sum in double; no log is taken.
// parallel: rows are independent (parallel_for); the weighted sum runs serially in
//           row order, so the result does not depend on the thread count.
#include "losses/ev.h"

#include <cmath>

#include "core/parallel.h"
#include "losses/ce.h"

namespace og {
namespace {

constexpr int64_t kRowGrain = 64;  // rows per thread below which the loop stays serial

// Checks logits [N,K] against the target; returns w_i / sum_j w_j.
std::vector<double> checked_weights(const char* op, Var logits, const LossTarget& t) {
  const Shape& s = logits.shape();
  OG_CHECK(s.nd == 2, op, ": logits must be [N,K], got ", s);
  OG_CHECK(s[1] == t.K, op, ": logits ", s, " have ", s[1], " classes, the target has K = ", t.K);
  OG_CHECK(t.K >= 2, op, ": needs at least 2 classes, got K = ", t.K);
  OG_CHECK(static_cast<int64_t>(t.labels.size()) == s[0], op, ": ", t.labels.size(),
           " labels for logits ", s);
  OG_CHECK(t.values.empty() || static_cast<int64_t>(t.values.size()) == t.K, op, ": ",
           t.values.size(), " class values for K = ", t.K);
  for (float v : t.values) OG_CHECK(std::isfinite(v), op, ": class value ", v, " is not finite");
  std::vector<double> w = loss_weights(op, t.labels, t.K, t.class_weights, t.sample_weights);
  double total = 0;
  for (double x : w) total += x;
  for (double& x : w) x /= total;
  return w;
}

struct EvNode : Node {
  std::vector<int> labels;
  std::vector<double> w;  // per-sample weights, normalised to sum 1
  std::vector<double> v;  // class values v_k
  EvDistance dist;
  double delta;           // Huber threshold
  Tensor dl;              // dL_i/dz_i, unweighted
  EvNode(std::vector<int> y, std::vector<double> weights, std::vector<double> values,
         EvDistance d, double huber_delta)
      : labels(std::move(y)), w(std::move(weights)), v(std::move(values)), dist(d),
        delta(huber_delta) {}

  // L_i of one row (K logits, label y); writes dL_i/dz to dz if given.
  double row(const float* z, int64_t K, int y, float* dz) const {
    double m = z[0];
    for (int64_t k = 1; k < K; ++k) m = std::max(m, double(z[k]));
    std::vector<double> p(K);
    double s = 0, mu = 0;
    for (int64_t k = 0; k < K; ++k) s += p[k] = std::exp(z[k] - m);
    for (int64_t k = 0; k < K; ++k) mu += v[k] * (p[k] /= s);
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

  void forward() override {
    const Tensor& z = in(0);
    const int64_t N = z.shape()[0], K = z.shape()[1];
    if (!value.defined()) value = Tensor::empty({});
    if (needs_grad && !dl.defined()) dl = Tensor::empty(z.shape());
    std::vector<double> li(N);
    parallel_for(N, kRowGrain, [&](int64_t i) {
      li[i] = row(z.data() + i * K, K, labels[i], needs_grad ? dl.data() + i * K : nullptr);
    });
    double loss = 0;
    for (int64_t i = 0; i < N; ++i) loss += w[i] * li[i];
    value[0] = static_cast<float>(loss);
  }
  void backward() override {
    if (!wants(0)) return;
    const int64_t N = dl.shape()[0], K = dl.shape()[1];
    const double g = grad[0];
    float* dz = in_grad(0).data();
    parallel_for(N, kRowGrain, [&](int64_t i) {
      const double gi = g * w[i];
      for (int64_t k = 0; k < K; ++k) dz[i * K + k] += static_cast<float>(gi * dl[i * K + k]);
    });
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
  std::vector<double> v(t.K);
  for (int k = 0; k < t.K; ++k) v[k] = t.value(k);
  Graph& g = *logits.graph;
  switch (d) {
    case EvDistance::l1: return g.record<EvL1Node>({logits}, t.labels, w, v, d, huber_delta);
    case EvDistance::l2: return g.record<EvL2Node>({logits}, t.labels, w, v, d, huber_delta);
    default: return g.record<EvHuberNode>({logits}, t.labels, w, v, d, huber_delta);
  }
}

}  // namespace og
