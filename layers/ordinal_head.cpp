// ordinal_head.cpp — CORAL and cumulative-link heads (formulas in ordinal_head.h).
#include "layers/ordinal_head.h"

#include <algorithm>
#include <cmath>

#include "core/elementwise.h"
#include "layers/init.h"

namespace og {

namespace {

// eta_i = sum_j w_j x_ij, in double, each row by one thread.
std::vector<double> scores(const Tensor& x, const Tensor& w) {
  const int64_t N = x.shape()[0], I = x.shape()[1];
  std::vector<double> eta(N);
  parallel_for(N, kElementwiseGrain / (I + 1) + 1, [&](int64_t i) {
    double e = 0;
    for (int64_t j = 0; j < I; ++j) e += double(w[j]) * x[i * I + j];
    eta[i] = e;
  });
  return eta;
}

// The score's share of backward, given r_i = dL/deta_i: dx_ij += r_i w_j, dw_j += sum_i r_i x_ij.
void scores_backward(Node& n, const std::vector<double>& r) {
  const Tensor &x = n.in(0), &w = n.in(1);
  const int64_t N = x.shape()[0], I = x.shape()[1];
  if (n.wants(0)) {
    float* dx = n.in_grad(0).data();
    parallel_for(N, kElementwiseGrain / (I + 1) + 1, [&](int64_t i) {
      for (int64_t j = 0; j < I; ++j) dx[i * I + j] += static_cast<float>(r[i] * w[j]);
    });
  }
  if (n.wants(1)) {
    std::vector<double> dw(I, 0.0);
    for (int64_t i = 0; i < N; ++i)
      for (int64_t j = 0; j < I; ++j) dw[j] += r[i] * x[i * I + j];
    float* g = n.in_grad(1).data();
    for (int64_t j = 0; j < I; ++j) g[j] += static_cast<float>(dw[j]);
  }
}

// Column sums of G [N,T] in double.
std::vector<double> column_sums(const Tensor& G) {
  const int64_t N = G.shape()[0], T = G.shape()[1];
  std::vector<double> q(T, 0.0);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t k = 0; k < T; ++k) q[k] += G[i * T + k];
  return q;
}

std::vector<double> row_sums(const Tensor& G, double sign) {
  const int64_t N = G.shape()[0], T = G.shape()[1];
  std::vector<double> r(N, 0.0);
  for (int64_t i = 0; i < N; ++i) {
    for (int64_t k = 0; k < T; ++k) r[i] += G[i * T + k];
    r[i] *= sign;
  }
  return r;
}

// theta_0 = t, theta_k = theta_{k-1} + softplus(d_{k-1}) (d stored from index 0).
std::vector<double> ordered_thresholds(const Tensor& t, const Tensor& d) {
  std::vector<double> theta(d.numel() + 1);
  theta[0] = t[0];
  for (int64_t k = 1; k <= d.numel(); ++k) theta[k] = theta[k - 1] + softplus(d[k - 1]);
  return theta;
}

struct CoralHeadNode : Node {
  const char* name() const override { return "coral_head"; }
  void forward() override {
    const Tensor& b = in(2);
    const int64_t N = in(0).shape()[0], T = b.numel();
    if (!value.defined()) value = Tensor::empty({N, T});
    const std::vector<double> eta = scores(in(0), in(1));
    for (int64_t i = 0; i < N; ++i)
      for (int64_t k = 0; k < T; ++k) value[i * T + k] = static_cast<float>(eta[i] + b[k]);
  }
  void backward() override {
    if (wants(0) || wants(1)) scores_backward(*this, row_sums(grad, 1.0));
    if (wants(2)) {
      const std::vector<double> q = column_sums(grad);
      float* db = in_grad(2).data();
      for (size_t k = 0; k < q.size(); ++k) db[k] += static_cast<float>(q[k]);
    }
  }
};

struct ClmHeadNode : Node {
  const char* name() const override { return "clm_head"; }
  void forward() override {
    const int64_t N = in(0).shape()[0], T = in(3).numel() + 1;
    if (!value.defined()) value = Tensor::empty({N, T});
    const std::vector<double> eta = scores(in(0), in(1));
    const std::vector<double> theta = ordered_thresholds(in(2), in(3));
    for (int64_t i = 0; i < N; ++i)
      for (int64_t k = 0; k < T; ++k) value[i * T + k] = static_cast<float>(theta[k] - eta[i]);
  }
  void backward() override {
    if (wants(0) || wants(1)) scores_backward(*this, row_sums(grad, -1.0));
    if (!wants(2) && !wants(3)) return;
    const std::vector<double> q = column_sums(grad);  // dL/dtheta_k
    // theta_k depends on t and on d_{m-1} for every m <= k: suffix sums of q.
    std::vector<double> suffix(q.size() + 1, 0.0);
    for (size_t k = q.size(); k-- > 0;) suffix[k] = suffix[k + 1] + q[k];
    if (wants(2)) in_grad(2)[0] += static_cast<float>(suffix[0]);
    if (wants(3)) {
      const Tensor& d = in(3);
      float* dd = in_grad(3).data();
      for (int64_t m = 1; m <= d.numel(); ++m)
        dd[m - 1] += static_cast<float>(stable_sigmoid(d[m - 1]) * suffix[m]);
    }
  }
};

void check_score_inputs(const char* op, const Shape& x, const Shape& w) {
  OG_CHECK(x.nd == 2, op, ": input ", x, " must be 2-D [N,in] (og::flatten first)");
  OG_CHECK(w.nd == 2 && w[0] == 1, op, ": weight ", w, " must be [1,in]");
  OG_CHECK(x[1] == w[1], op, ": input ", x, " has ", x[1], " features, weight ", w, " expects ", w[1]);
}
}  // namespace

Var coral_head(Var x, Var w, Var b) {
  check_score_inputs("coral_head", x.shape(), w.shape());
  OG_CHECK(b.shape().nd == 1 && b.shape()[0] >= 1, "coral_head: biases ", b.shape(),
           " must be [K-1] with K >= 2");
  return x.graph->record<CoralHeadNode>({x, w, b});
}

Var clm_head(Var x, Var w, Var threshold_first, Var threshold_gaps) {
  check_score_inputs("clm_head", x.shape(), w.shape());
  OG_CHECK(threshold_first.shape().numel() == 1 && threshold_first.shape().nd == 1,
           "clm_head: threshold_first ", threshold_first.shape(), " must be [1]");
  OG_CHECK(threshold_gaps.shape().nd == 1, "clm_head: threshold_gaps ", threshold_gaps.shape(),
           " must be [K-2]");
  return x.graph->record<ClmHeadNode>({x, w, threshold_first, threshold_gaps});
}

// ---------------------------------------------------------------- CoralHead

CoralHead::CoralHead(int in, int K, Rng& rng) : in_features(in), num_classes(K) {
  OG_CHECK(in > 0 && K >= 2, "coral_head: needs in > 0 and K >= 2, got in = ", in, ", K = ", K);
  weight = Parameter("weight", Tensor::empty({1, in}));
  fan_in_uniform(weight.value, in, rng);
  biases = Parameter("biases", Tensor::zeros({K - 1}));
}

Var CoralHead::forward(Var x) {
  Graph& g = *x.graph;
  return coral_head(x, g.param(weight), g.param(biases));
}

std::string CoralHead::describe() const {
  return cat("coral_head(", in_features, "->", num_classes - 1, ")");
}

void CoralHead::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  out.push_back({prefix + "weight", &weight});
  out.push_back({prefix + "biases", &biases});
}

// ---------------------------------------------------------------- ClmHead

ClmHead::ClmHead(int in, int K, Rng& rng) : in_features(in), num_classes(K) {
  OG_CHECK(in > 0 && K >= 2, "clm_head: needs in > 0 and K >= 2, got in = ", in, ", K = ", K);
  weight = Parameter("weight", Tensor::empty({1, in}));
  fan_in_uniform(weight.value, in, rng);
  threshold_first = Parameter("threshold_first", Tensor::zeros({1}));
  threshold_gaps = Parameter("threshold_gaps", Tensor::zeros({K - 2}));
  std::vector<float> theta(K - 1);
  for (int k = 0; k < K - 1; ++k) theta[k] = static_cast<float>(k - (K - 2) / 2.0);
  set_thresholds(theta);
}

Var ClmHead::forward(Var x) {
  Graph& g = *x.graph;
  return clm_head(x, g.param(weight), g.param(threshold_first), g.param(threshold_gaps));
}

std::string ClmHead::describe() const {
  return cat("clm_head(", in_features, "->", num_classes - 1, ")");
}

void ClmHead::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  out.push_back({prefix + "weight", &weight});
  out.push_back({prefix + "threshold_first", &threshold_first});
  out.push_back({prefix + "threshold_gaps", &threshold_gaps});
}

Tensor ClmHead::thresholds() const {
  const std::vector<double> theta = ordered_thresholds(threshold_first.value, threshold_gaps.value);
  Tensor t = Tensor::empty({static_cast<int64_t>(theta.size())});
  for (size_t k = 0; k < theta.size(); ++k) t[k] = static_cast<float>(theta[k]);
  return t;
}

void ClmHead::set_thresholds(const std::vector<float>& theta) {
  OG_CHECK(static_cast<int>(theta.size()) == num_classes - 1, "clm_head: ", theta.size(),
           " thresholds for K-1 = ", num_classes - 1);
  for (size_t k = 0; k < theta.size(); ++k) {
    OG_CHECK(std::isfinite(theta[k]), "clm_head: threshold ", k, " is ", theta[k]);
    OG_CHECK(k == 0 || theta[k - 1] < theta[k], "clm_head: thresholds must be strictly increasing, but theta[",
             k - 1, "] = ", theta[k - 1], " >= theta[", k, "] = ", theta[k]);
  }
  threshold_first.value[0] = theta[0];
  for (size_t k = 1; k < theta.size(); ++k) {
    // softplus^-1(gap) = log(e^gap - 1) = gap + log(1 - e^-gap), stable for every gap > 0
    const double gap = double(theta[k]) - theta[k - 1];
    threshold_gaps.value[k - 1] = static_cast<float>(gap + std::log(-std::expm1(-gap)));
  }
}

}  // namespace og
