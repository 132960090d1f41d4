// linear.cpp — y = x W^T + b with one sgemm forward and two backward (see linear.h).
#include "layers/linear.h"

#include "core/blas.h"
#include "core/elementwise.h"
#include "layers/init.h"

namespace og {

namespace {
struct LinearNode : Node {
  int N, I, O;
  bool has_bias, relu;
  LinearNode(int n, int in, int out, bool bias, bool fused)
      : N(n), I(in), O(out), has_bias(bias), relu(fused) {}
  const char* name() const override { return "linear"; }

  void forward() override {
    if (!value.defined()) value = Tensor::empty({N, O});
    float* y = value.data();
    gemm(false, true, N, O, I, 1.0f, in(0).data(), I, in(1).data(), I, 0.0f, y, O);
    if (!has_bias && !relu) return;
    const float* b = has_bias ? in(2).data() : nullptr;
    const bool fused = relu;
    // Rows are disjoint outputs; keep small layers serial.
    parallel_for(N, kElementwiseGrain / (O > 0 ? O : 1) + 1, [&](int64_t n) {
      float* row = y + n * O;
      for (int o = 0; o < O; ++o) {
        float v = row[o] + (b ? b[o] : 0.0f);
        row[o] = fused && v <= 0.0f ? 0.0f : v;
      }
    });
  }

  void backward() override {
    const float* G = grad.data();
    Tensor masked;
    if (relu) {  // dL/d(pre-activation) = G where y > 0, else 0
      masked = Tensor::empty(grad.shape());
      const float* y = value.data();
      float* m = masked.data();
      parallel_for(value.numel(), kElementwiseGrain,
                   [&](int64_t i) { m[i] = y[i] > 0.0f ? G[i] : 0.0f; });
      G = m;
    }
    if (wants(0)) gemm(false, false, N, I, O, 1.0f, G, O, in(1).data(), I, 1.0f, in_grad(0).data(), I);
    if (wants(1)) gemm(true, false, O, I, N, 1.0f, G, O, in(0).data(), I, 1.0f, in_grad(1).data(), I);
    if (has_bias && wants(2)) {
      std::vector<double> col(O, 0.0);
      for (int n = 0; n < N; ++n)
        for (int o = 0; o < O; ++o) col[o] += G[static_cast<int64_t>(n) * O + o];
      float* db = in_grad(2).data();
      for (int o = 0; o < O; ++o) db[o] += static_cast<float>(col[o]);
    }
  }
};

struct LinearReluNode : LinearNode {
  using LinearNode::LinearNode;
  const char* name() const override { return "linear_relu"; }
};
}  // namespace

Var linear(Var x, Var w, Var b, bool fuse_relu) {
  const Shape &sx = x.shape(), &sw = w.shape();
  const char* op = fuse_relu ? "linear_relu" : "linear";
  OG_CHECK(sx.nd != 4, op, ": input ", sx, " must be flattened to [N,in] first (og::flatten)");
  OG_CHECK(sx.nd == 2, op, ": input ", sx, " must be 2-D [N,in]");
  OG_CHECK(sw.nd == 2, op, ": weight ", sw, " must be 2-D [out,in]");
  OG_CHECK(sx[1] == sw[1], op, ": input ", sx, " has ", sx[1], " features, weight ", sw,
           " expects ", sw[1]);
  const bool has_bias = b.node != nullptr;
  if (has_bias)
    OG_CHECK(b.shape().nd == 1 && b.shape()[0] == sw[0], op, ": bias ", b.shape(),
             " does not match weight ", sw, " (expects [", sw[0], "])");
  const int N = static_cast<int>(sx[0]), I = static_cast<int>(sx[1]), O = static_cast<int>(sw[0]);
  Graph& g = *x.graph;
  std::vector<Var> ins{x, w};
  if (has_bias) ins.push_back(b);
  if (fuse_relu) return g.record_n<LinearReluNode>(ins, N, I, O, has_bias, true);
  return g.record_n<LinearNode>(ins, N, I, O, has_bias, false);
}

Linear::Linear(int in, int out, Rng& rng, bool with_bias)
    : in_features(in), out_features(out), has_bias(with_bias) {
  OG_CHECK(in > 0 && out > 0, "linear: sizes must be positive, got ", in, "->", out);
  weight = Parameter("weight", Tensor::empty({out, in}));
  fan_in_uniform(weight.value, in, rng);  // see layers/init.h
  if (has_bias) {
    bias = Parameter("bias", Tensor::empty({out}));
    fan_in_uniform(bias.value, in, rng);
  }
}

Var Linear::forward(Var x) {
  Graph& g = *x.graph;
  return linear(x, g.param(weight), has_bias ? g.param(bias) : Var{}, fuse_relu);
}

std::string Linear::describe() const {
  return cat("linear(", in_features, "->", out_features, ")", has_bias ? "" : " no bias",
             fuse_relu ? " +relu" : "");
}

void Linear::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  out.push_back({prefix + "weight", &weight});
  if (has_bias) out.push_back({prefix + "bias", &bias});
}

}  // namespace og
