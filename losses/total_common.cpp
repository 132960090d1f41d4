// total_common.cpp — linear and log-space convolutions, the prefix-convolution chain
// of a group with its reverse sweep, and the checked group view of a loss target.
// See total_common.h for the formulas.
#include "losses/total_common.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"
#include "losses/reduce.h"
#include "losses/row_math.h"

namespace og::total {

int64_t group_grain(int64_t work) {
  return std::max<int64_t>(2, (int64_t(1) << 18) / std::max<int64_t>(1, work));
}

void convolve(const double* a, int la, const double* b, int lb, double* c) {
  std::fill(c, c + la + lb - 1, 0.0);
  for (int j = 0; j < la; ++j)
    for (int k = 0; k < lb; ++k) c[j + k] += a[j] * b[k];
}

double log_convolve_at(const double* a, int la, const double* b, int lb, int t) {
  const int j0 = std::max(0, t - (lb - 1)), j1 = std::min(la - 1, t);
  if (j0 > j1) return -std::numeric_limits<double>::infinity();
  double m = -std::numeric_limits<double>::infinity();
  for (int j = j0; j <= j1; ++j) m = std::max(m, a[j] + b[t - j]);
  if (m == -std::numeric_limits<double>::infinity()) return m;
  double s = 0;
  for (int j = j0; j <= j1; ++j) s += std::exp(a[j] + b[t - j] - m);
  return m + std::log(s);
}

void log_convolve(const double* a, int la, const double* b, int lb, double* c) {
  for (int t = 0; t < la + lb - 1; ++t) c[t] = log_convolve_at(a, la, b, lb, t);
}

GroupConv::GroupConv(const float* logits, const int* rows, int group_size, int classes)
    : G(group_size), K(classes), p(static_cast<size_t>(G) * K), prefix(G + 1) {
  prefix[0] = {1.0};
  for (int i = 0; i < G; ++i) {
    double* pi = p.data() + static_cast<size_t>(i) * K;
    softmax_row(logits + static_cast<int64_t>(rows[i]) * K, K, pi);
    const std::vector<double>& prev = prefix[i];
    prefix[i + 1].resize(prev.size() + K - 1);
    convolve(prev.data(), static_cast<int>(prev.size()), pi, K, prefix[i + 1].data());
  }
}

void GroupConv::backward(const double* gD, double scale, float* dz, const int* rows) const {
  std::vector<double> g(gD, gD + prefix[G].size()), g_prev, a(K);
  for (int i = G; i >= 1; --i) {
    const double* pi = p.data() + static_cast<size_t>(i - 1) * K;
    const std::vector<double>& before = prefix[i - 1];
    const int lb = static_cast<int>(before.size());
    for (int k = 0; k < K; ++k) {
      double s = 0;
      for (int j = 0; j < lb; ++j) s += g[j + k] * before[j];
      a[k] = s;
    }
    if (i > 1) {  // the cotangent of the shorter prefix, for the next item
      g_prev.assign(lb, 0.0);
      for (int j = 0; j < lb; ++j) {
        double s = 0;
        for (int k = 0; k < K; ++k) s += g[j + k] * pi[k];
        g_prev[j] = s;
      }
      g.swap(g_prev);
    }
    double abar = 0;
    for (int k = 0; k < K; ++k) abar += pi[k] * a[k];
    float* dzi = dz + static_cast<int64_t>(rows[i - 1]) * K;
    for (int k = 0; k < K; ++k) dzi[k] += static_cast<float>(scale * pi[k] * (a[k] - abar));
  }
}

void GroupLossNode::forward() {
  const Tensor& z = in(0);
  const int K = static_cast<int>(z.shape()[1]);
  if (!value.defined()) value = Tensor::empty({});
  std::vector<double> lg(gt.layout.count());
  parallel_for(gt.layout.count(), group_grain(work(K)), [&](int64_t g) { lg[g] = group_loss(z.data(), K, g); });
  value[0] = static_cast<float>(weighted_sum(gt.w, lg));  // serially, in group order
}

void GroupLossNode::backward() {
  if (!wants(0)) return;
  const Tensor& z = in(0);
  const int K = static_cast<int>(z.shape()[1]);
  const double g0 = grad[0];
  float* dz = in_grad(0).data();
  parallel_for(gt.layout.count(), group_grain(work(K)), [&](int64_t g) {
    group_backward(z.data(), K, g, g0 * gt.w[g], dz);
  });
}

GroupTarget group_target(const char* op, Var logits, const LossTarget& t, int group,
                         const std::vector<int>* group_ids) {
  const Shape& s = logits.shape();
  check_softmax_input(op, s, t);
  OG_CHECK(t.values.empty(), op, ": totals are sums of the labels 0..K-1; class values (",
           t.values.size(), " given) are not supported");
  GroupTarget gt;
  gt.layout = group_layout(op, s[0], group, group_ids);
  // Validates the labels and sample weights; class weights do not apply to totals.
  const std::vector<double> item_w = loss_weights(op, t.labels, t.K, {}, t.sample_weights);
  gt.totals = group_totals(gt.layout, t.labels);
  gt.w.resize(gt.layout.count());
  double total = 0;
  for (int g = 0; g < gt.layout.count(); ++g) {
    double sum = 0;
    for (int i = 0; i < gt.layout.size(g); ++i) sum += item_w[gt.layout.members(g)[i]];
    total += gt.w[g] = sum / gt.layout.size(g);
  }
  for (double& x : gt.w) x /= total;
  return gt;
}

}  // namespace og::total
