// reg_l1 / reg_l2 / reg_huber — regression on the label value, one score per sample
// paper   : none; the plain regression baseline of ordinal benchmarks (e.g. the MAE of
//           an MSE-trained network in Cao et al. 2020 / Shi et al. 2023).
// forward : d_i = r_i - v_{y_i};   L = sum_i w_i L_i / sum_i w_i,  w_i = class_w[y_i] * sample_w_i
//           l1: L_i = |d_i|;  l2: L_i = d_i^2;
//           huber: L_i = d_i^2/2 if |d_i| <= delta else delta |d_i| - delta^2/2
//           (continuous with a continuous slope at |d| = delta)
// backward: dr_i += g * w_i / sum_j w_j * D_i with
//           l1: D_i = sign(d_i) (0 at d_i = 0, the subgradient picked);  l2: D_i = 2 d_i;
//           huber: D_i = clamp(d_i, -delta, delta)
// shapes  : r [N,1], labels N ints in [0,K) -> scalar
// saves   : labels' values v_{y_i} and normalised weights
// parallel: none (N scalars); the forward sum is serial in row order.
#include "losses/reg.h"

#include <algorithm>
#include <cmath>

#include "losses/reduce.h"

namespace og {

namespace {
struct RegNode : Node {
  std::vector<double> target;  // v_{y_i}
  std::vector<double> w;       // normalised to sum 1
  double delta;
  RegNode(std::vector<double> v, std::vector<double> weights, double huber_delta)
      : target(std::move(v)), w(std::move(weights)), delta(huber_delta) {}
  virtual double loss(double d) const = 0;
  virtual double slope(double d) const = 0;
  void forward() override {
    const Tensor& r = in(0);
    if (!value.defined()) value = Tensor::empty({});
    double total = 0;
    for (size_t i = 0; i < target.size(); ++i) total += w[i] * loss(r[i] - target[i]);
    value[0] = static_cast<float>(total);
  }
  void backward() override {
    const Tensor& r = in(0);
    const double g = grad[0];
    float* dr = in_grad(0).data();
    for (size_t i = 0; i < target.size(); ++i)
      dr[i] += static_cast<float>(g * w[i] * slope(r[i] - target[i]));
  }
};

struct RegL1Node : RegNode {
  using RegNode::RegNode;
  const char* name() const override { return "reg_l1"; }
  double loss(double d) const override { return std::fabs(d); }
  double slope(double d) const override { return d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0; }
};

struct RegL2Node : RegNode {
  using RegNode::RegNode;
  const char* name() const override { return "reg_l2"; }
  double loss(double d) const override { return d * d; }
  double slope(double d) const override { return 2 * d; }
};

struct RegHuberNode : RegNode {
  using RegNode::RegNode;
  const char* name() const override { return "reg_huber"; }
  double loss(double d) const override {
    const double a = std::fabs(d);
    return a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
  }
  double slope(double d) const override { return std::max(-delta, std::min(delta, d)); }
};

void check_values(const char* op, const std::vector<float>& values, int K) {
  OG_CHECK(values.empty() || static_cast<int>(values.size()) == K, op, ": ", values.size(),
           " class values for K = ", K, " classes");
  for (size_t k = 0; k < values.size(); ++k)
    OG_CHECK(std::isfinite(values[k]), op, ": class value ", k, " is ", values[k]);
}
}  // namespace

Var reg_loss(Var r, const LossTarget& t, RegDistance dist, float huber_delta) {
  const char* op = dist == RegDistance::l1 ? "reg_l1" : dist == RegDistance::l2 ? "reg_l2" : "reg_huber";
  const Shape& s = r.shape();
  OG_CHECK(t.K >= 1, op, ": needs K >= 1 classes, got K = ", t.K);
  OG_CHECK(s.nd == 2 && s[1] == 1, op, ": scores must be [N,1], got ", s);
  OG_CHECK(static_cast<int64_t>(t.labels.size()) == s[0], op, ": ", t.labels.size(),
           " labels for scores ", s);
  OG_CHECK(dist != RegDistance::huber || (std::isfinite(huber_delta) && huber_delta > 0), op,
           ": delta must be > 0, got ", huber_delta);
  check_values(op, t.values, t.K);
  std::vector<double> w =
      normalised_loss_weights(op, t.labels, t.K, t.class_weights, t.sample_weights);
  std::vector<double> v(t.labels.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.value(t.labels[i]);
  Graph& g = *r.graph;
  if (dist == RegDistance::l1) return g.record<RegL1Node>({r}, std::move(v), std::move(w), 0.0);
  if (dist == RegDistance::l2) return g.record<RegL2Node>({r}, std::move(v), std::move(w), 0.0);
  return g.record<RegHuberNode>({r}, std::move(v), std::move(w), double(huber_delta));
}

std::vector<int> reg_classes(const Tensor& r, int K, const std::vector<float>& values) {
  const Shape& s = r.shape();
  OG_CHECK(K >= 1, "reg_classes: needs K >= 1 classes, got K = ", K);
  OG_CHECK((s.nd == 2 && s[1] == 1) || s.nd == 1, "reg_classes: scores must be [N,1] or [N], got ", s);
  check_values("reg_classes", values, K);
  auto v = [&](int k) { return values.empty() ? double(k) : double(values[k]); };
  double lo = v(0), hi = v(0);
  for (int k = 1; k < K; ++k) lo = std::min(lo, v(k)), hi = std::max(hi, v(k));
  std::vector<int> label(r.numel());
  for (int64_t i = 0; i < r.numel(); ++i) {
    OG_CHECK(!std::isnan(r[i]), "reg_classes: score of row ", i, " is NaN");
    // Clamping into [lo, hi] keeps the nearest value and makes +-inf scores comparable.
    const double x = std::max(lo, std::min(hi, double(r[i])));
    int best = 0;
    for (int k = 1; k < K; ++k)
      if (std::fabs(x - v(k)) <= std::fabs(x - v(best))) best = k;  // a tie goes to the higher class
    label[i] = best;
  }
  return label;
}

}  // namespace og
