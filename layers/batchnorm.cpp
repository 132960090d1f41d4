// batchnorm.cpp — batch normalisation, train and eval nodes (formulas in batchnorm.h).
#include "layers/batchnorm.h"

#include <cmath>

#include "core/elementwise.h"
#include "layers/batchnorm_runs.h"

namespace og {

namespace {

using namespace bn;

// x viewed as [N, C, S] with S = H*W: channel c of sample n is the contiguous run
// x[(n*C + c)*S .. +S).
struct ChannelView {
  int64_t N, C, S;
  int64_t M() const { return N * S; }
  int64_t at(int64_t n, int64_t c) const { return (n * C + c) * S; }
  // Channels are independent; stay serial when the whole tensor is small.
  int64_t grain() const { return N * C * S >= kElementwiseGrain ? 1 : C + 1; }
};

ChannelView view_of(const Shape& s) { return {s[0], s[1], s.nd == 4 ? s[2] * s[3] : 1}; }

void check_args(const char* op, const Shape& x, const Shape& gamma, const Shape& beta) {
  OG_CHECK(x.nd == 2 || x.nd == 4, op, ": input ", x, " must be [N,C] or [N,C,H,W]");
  OG_CHECK(gamma.nd == 1 && gamma[0] == x[1], op, ": input ", x, " has ", x[1],
           " channels, weight ", gamma, " expects ", gamma.nd == 1 ? gamma[0] : gamma.numel());
  OG_CHECK(beta.nd == 1 && beta[0] == x[1], op, ": input ", x, " has ", x[1], " channels, bias ",
           beta, " expects ", beta.nd == 1 ? beta[0] : beta.numel());
}

template <bool Relu>
struct BatchNormNode : Node {
  ChannelView v;
  float eps;
  std::vector<double> mu, var;  // batch statistics per channel
  std::vector<float> r;         // 1/sqrt(var + eps)
  BatchNormNode(ChannelView view, float e)
      : v(view), eps(e), mu(view.C), var(view.C), r(view.C) {}
  const char* name() const override { return "batchnorm"; }

  void forward() override {
    const Tensor& xt = in(0);
    if (!value.defined()) value = Tensor::empty(xt.shape());
    const float *x = xt.data(), *gamma = in(1).data(), *beta = in(2).data();
    float* y = value.data();
    parallel_for(v.C, v.grain(), [&](int64_t c) {
      Lanes s, ss;
      for (int64_t n = 0; n < v.N; ++n) sum_run(x + v.at(n, c), v.S, s);
      const double m = s.total() / v.M();
      // second pass: no cancellation from E[x^2] - E[x]^2
      for (int64_t n = 0; n < v.N; ++n) sq_dev_run(x + v.at(n, c), v.S, m, ss);
      mu[c] = m;
      var[c] = ss.total() / v.M();
      r[c] = static_cast<float>(1.0 / std::sqrt(var[c] + eps));
      const float mf = static_cast<float>(m), scale = gamma[c] * r[c], shift = beta[c];
      for (int64_t n = 0; n < v.N; ++n)
        normalize_run<Relu>(x + v.at(n, c), y + v.at(n, c), v.S, mf, scale, shift);
    });
  }

  void backward() override {
    const float *x = in(0).data(), *gamma = in(1).data(), *g = grad.data(), *y = value.data();
    bool fresh = false;  // every element of dx gets its term
    float* dx = wants(0) ? in_grad_fresh(0, fresh) : nullptr;
    float* dgamma = wants(1) ? in_grad(1).data() : nullptr;
    float* dbeta = wants(2) ? in_grad(2).data() : nullptr;
    parallel_for(v.C, v.grain(), [&](int64_t c) {
      const float mf = static_cast<float>(mu[c]), rc = r[c];
      Lanes lg, lgx;  // sum gz, sum gz * xh
      for (int64_t n = 0; n < v.N; ++n) {
        const int64_t k = v.at(n, c);
        grad_sums_run<Relu>(g + k, y + k, x + k, v.S, mf, rc, lg, lgx);
      }
      const double sg = lg.total(), sgx = lgx.total();
      if (dbeta) dbeta[c] += static_cast<float>(sg);
      if (dgamma) dgamma[c] += static_cast<float>(sgx);
      if (!dx) return;
      const float mean_g = static_cast<float>(sg / v.M()), mean_gx = static_cast<float>(sgx / v.M());
      const float scale = gamma[c] * rc;
      for (int64_t n = 0; n < v.N; ++n) {
        const int64_t k = v.at(n, c);
        if (fresh) input_grad_run<Relu, true>(g + k, y + k, x + k, dx + k, v.S, mf, rc, scale, mean_g, mean_gx);
        else input_grad_run<Relu, false>(g + k, y + k, x + k, dx + k, v.S, mf, rc, scale, mean_g, mean_gx);
      }
    });
  }
};

// bn followed by relu (the architecture's "bn, relu"): one node, one pass fewer.
struct BatchNormReluNode : BatchNormNode<true> {
  using BatchNormNode<true>::BatchNormNode;
  const char* name() const override { return "batchnorm_relu"; }
};

template <bool Relu>
struct BatchNormEvalNode : Node {
  ChannelView v;
  std::vector<float> mean, r;  // running mean and 1/sqrt(running_var + eps), fixed at recording
  BatchNormEvalNode(ChannelView view, std::vector<float> m, std::vector<float> rs)
      : v(view), mean(std::move(m)), r(std::move(rs)) {}
  const char* name() const override { return "batchnorm_eval"; }

  void forward() override {
    const Tensor& xt = in(0);
    if (!value.defined()) value = Tensor::empty(xt.shape());
    const float *x = xt.data(), *gamma = in(1).data(), *beta = in(2).data();
    float* y = value.data();
    parallel_for(v.C, v.grain(), [&](int64_t c) {
      const float scale = gamma[c] * r[c], m = mean[c], shift = beta[c];
      for (int64_t n = 0; n < v.N; ++n)
        normalize_run<Relu>(x + v.at(n, c), y + v.at(n, c), v.S, m, scale, shift);
    });
  }

  void backward() override {
    const float *x = in(0).data(), *gamma = in(1).data(), *g = grad.data(), *y = value.data();
    bool fresh = false;
    float* dx = wants(0) ? in_grad_fresh(0, fresh) : nullptr;
    float* dgamma = wants(1) ? in_grad(1).data() : nullptr;
    float* dbeta = wants(2) ? in_grad(2).data() : nullptr;
    parallel_for(v.C, v.grain(), [&](int64_t c) {
      const float m = mean[c], rc = r[c], scale = gamma[c] * rc;
      Lanes lg, lgx;
      for (int64_t n = 0; n < v.N; ++n) {
        const int64_t k = v.at(n, c);
        float* dxk = dx ? dx + k : nullptr;
        if (fresh) eval_grad_run<Relu, true>(g + k, y + k, x + k, dxk, v.S, m, rc, scale, lg, lgx);
        else eval_grad_run<Relu, false>(g + k, y + k, x + k, dxk, v.S, m, rc, scale, lg, lgx);
      }
      if (dbeta) dbeta[c] += static_cast<float>(lg.total());
      if (dgamma) dgamma[c] += static_cast<float>(lgx.total());
    });
  }
};

struct BatchNormEvalReluNode : BatchNormEvalNode<true> {
  using BatchNormEvalNode<true>::BatchNormEvalNode;
  const char* name() const override { return "batchnorm_eval_relu"; }
};
}  // namespace

Var batch_norm(Var x, Var gamma, Var beta, float eps, BatchStats* stats, bool relu) {
  const Shape& s = x.shape();
  check_args("batchnorm", s, gamma.shape(), beta.shape());
  const ChannelView v = view_of(s);
  OG_CHECK(v.M() > 1, "batchnorm: training needs more than one value per channel, got input ", s);
  Var y = relu ? x.graph->record<BatchNormReluNode>({x, gamma, beta}, v, eps)
                : x.graph->record<BatchNormNode<false>>({x, gamma, beta}, v, eps);
  if (!stats) return y;
  const std::vector<double>& mu = relu ? static_cast<const BatchNormNode<true>&>(*y.node).mu
                                       : static_cast<const BatchNormNode<false>&>(*y.node).mu;
  const std::vector<double>& var = relu ? static_cast<const BatchNormNode<true>&>(*y.node).var
                                        : static_cast<const BatchNormNode<false>&>(*y.node).var;
  stats->mean = Tensor::empty({v.C});
  stats->var = Tensor::empty({v.C});
  for (int64_t c = 0; c < v.C; ++c) {
    stats->mean[c] = static_cast<float>(mu[c]);
    stats->var[c] = static_cast<float>(var[c]);
  }
  return y;
}

Var batch_norm_eval(Var x, Var gamma, Var beta, const Tensor& running_mean,
                    const Tensor& running_var, float eps, bool relu) {
  const Shape& s = x.shape();
  check_args("batchnorm_eval", s, gamma.shape(), beta.shape());
  const ChannelView v = view_of(s);
  OG_CHECK(running_mean.numel() == v.C && running_var.numel() == v.C, "batchnorm_eval: input ", s,
           " has ", v.C, " channels, running statistics ", running_mean.shape(), " and ",
           running_var.shape());
  std::vector<float> mean(v.C), r(v.C);
  for (int64_t c = 0; c < v.C; ++c) {
    mean[c] = running_mean[c];
    r[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps));
  }
  if (relu) return x.graph->record<BatchNormEvalReluNode>({x, gamma, beta}, v, std::move(mean), std::move(r));
  return x.graph->record<BatchNormEvalNode<false>>({x, gamma, beta}, v, std::move(mean), std::move(r));
}

BatchNorm::BatchNorm(int c, float m, float e) : channels(c), momentum(m), eps(e) {
  OG_CHECK(c > 0, "batchnorm: channel count must be positive, got ", c);
  OG_CHECK(m >= 0.0f && m <= 1.0f, "batchnorm: momentum ", m, " outside [0,1]");
  OG_CHECK(e > 0.0f, "batchnorm: eps must be positive, got ", e);
  weight = Parameter("weight", Tensor::full({c}, 1.0f));
  bias = Parameter("bias", Tensor::zeros({c}));
  running_mean = Tensor::zeros({c});
  running_var = Tensor::full({c}, 1.0f);
}

Var BatchNorm::forward(Var x) {
  Graph& g = *x.graph;
  Var gamma = g.param(weight), beta = g.param(bias);
  if (!g.training()) return batch_norm_eval(x, gamma, beta, running_mean, running_var, eps, fuse_relu);
  BatchStats st;
  Var y = batch_norm(x, gamma, beta, eps, &st, fuse_relu);
  const Shape& s = x.shape();
  const double M = static_cast<double>(s.numel() / s[1]);
  const float unbias = static_cast<float>(M / (M - 1));
  // v: the batch's mean, then its biased variance, per channel.
  auto update = [this, unbias](const float* v) {
    for (int c = 0; c < channels; ++c) {
      running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * v[c];
      running_var[c] = (1.0f - momentum) * running_var[c] + momentum * v[channels + c] * unbias;
    }
  };
  std::vector<float> v(st.mean.data(), st.mean.data() + channels);
  v.insert(v.end(), st.var.data(), st.var.data() + channels);
  if (StatLog* log = g.stat_log()) {
    log->entries.push_back({update, v.size()});
    log->values.insert(log->values.end(), v.begin(), v.end());
  } else {
    update(v.data());
  }
  return y;
}

std::string BatchNorm::describe() const { return cat(fuse_relu ? "batchnorm_relu(" : "batchnorm(", channels, ")"); }

void BatchNorm::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  out.push_back({prefix + "weight", &weight});
  out.push_back({prefix + "bias", &bias});
}

void BatchNorm::visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) {
  out.push_back({prefix + "running_mean", &running_mean});
  out.push_back({prefix + "running_var", &running_var});
}

}  // namespace og
