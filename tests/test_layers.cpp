// Layers: initialisers, linear, batch norm, dropout, activations, Sequential,
// a small MLP that learns, and a whole-network gradient check.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "helpers.h"
#include "layers/activation.h"
#include "layers/batchnorm.h"
#include "layers/dropout.h"
#include "layers/init.h"
#include "layers/linear.h"
#include "layers/sequential.h"

using namespace og;
using test::bit_equal;
using test::randn;

namespace {
struct Moments {
  double mean = 0, var = 0, max_abs = 0;
};
Moments moments(const Tensor& t) {
  Moments m;
  for (int64_t i = 0; i < t.numel(); ++i) m.mean += t[i];
  m.mean /= t.numel();
  for (int64_t i = 0; i < t.numel(); ++i) {
    m.var += (t[i] - m.mean) * (t[i] - m.mean);
    m.max_abs = std::max(m.max_abs, std::fabs(double(t[i])));
  }
  m.var /= t.numel();
  return m;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double d = 0;
  for (int64_t i = 0; i < a.numel(); ++i) d = std::max(d, std::fabs(double(a[i]) - b[i]));
  return d;
}

double fraction_beyond(const Tensor& t, double limit) {
  int64_t k = 0;
  for (int64_t i = 0; i < t.numel(); ++i) k += std::fabs(t[i]) > limit;
  return double(k) / t.numel();
}

// Mean negative log-likelihood of the labels under softmax(logits).
Var nll(Var logits, const std::vector<int>& labels) {
  return -mean(gather(log_softmax(logits), labels));
}
}  // namespace

// ---------------------------------------------------------------- init

TEST_CASE("init: empirical bounds and variances of Kaiming and Xavier") {
  Rng rng(3);
  Tensor w = Tensor::empty({100000});

  kaiming_uniform(w, 50, rng);  // U(-b, b), b = sqrt(6/50), variance 2/50
  Moments m = moments(w);
  const double b = std::sqrt(6.0 / 50);
  CHECK(m.max_abs <= b);
  CHECK(m.max_abs > 0.999 * b);
  CHECK(std::fabs(m.mean) < 0.005);
  CHECK(m.var == doctest::Approx(2.0 / 50).epsilon(0.02));

  kaiming_normal(w, 50, rng);  // N(0, 2/50): 4.55% of draws beyond 2 sd
  m = moments(w);
  CHECK(std::fabs(m.mean) < 0.005);
  CHECK(m.var == doctest::Approx(2.0 / 50).epsilon(0.03));
  CHECK(fraction_beyond(w, 2 * std::sqrt(2.0 / 50)) == doctest::Approx(0.0455).epsilon(0.08));

  xavier_uniform(w, 30, 70, rng);  // b = sqrt(6/100), variance 2/100
  m = moments(w);
  CHECK(m.max_abs <= std::sqrt(0.06));
  CHECK(m.max_abs > 0.999 * std::sqrt(0.06));
  CHECK(m.var == doctest::Approx(0.02).epsilon(0.02));

  xavier_normal(w, 30, 70, rng);
  m = moments(w);
  CHECK(std::fabs(m.mean) < 0.002);
  CHECK(m.var == doctest::Approx(0.02).epsilon(0.03));
  CHECK(fraction_beyond(w, 2 * std::sqrt(0.02)) == doctest::Approx(0.0455).epsilon(0.08));
}

TEST_CASE("init: a seed gives the same weights; bad fans are errors") {
  Tensor a = Tensor::empty({4, 6}), b = Tensor::empty({4, 6});
  Rng r1(11), r2(11);
  kaiming_uniform(a, 6, r1);
  kaiming_uniform(b, 6, r2);
  CHECK(bit_equal(a, b));
  kaiming_uniform(b, 6, r2);  // the stream moved on
  CHECK_FALSE(bit_equal(a, b));
  CHECK_THROWS_WITH_AS(kaiming_uniform(a, 0, r1),
                       "kaiming_uniform: fan_in must be positive, got 0 for [4,6]", Error);
  CHECK_THROWS_AS(xavier_normal(a, 3, -1, r1), Error);
}

// ---------------------------------------------------------------- linear

namespace {
// y = x W^T + b by the definition, in double.
Tensor naive_linear(const Tensor& x, const Tensor& w, const Tensor* b, bool relu) {
  const int64_t N = x.shape()[0], I = x.shape()[1], O = w.shape()[0];
  Tensor y = Tensor::empty({N, O});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      double s = b ? (*b)[o] : 0.0;
      for (int64_t i = 0; i < I; ++i) s += double(x[n * I + i]) * w[o * I + i];
      y[n * O + o] = float(relu && s < 0 ? 0 : s);
    }
  return y;
}
}  // namespace

TEST_CASE("linear: forward and backward match naive loops (sizes that split the gemm)") {
  // 70 x 130 x 33 is above gemm's blocking threshold, so the blocked path runs.
  const int N = 70, I = 33, O = 130;
  Rng rng(5);
  const Tensor xv = randn({N, I}, rng), wv = randn({O, I}, rng), bv = randn({O}, rng);
  const Tensor seed = randn({N, O}, rng);
  for (bool with_bias : {true, false}) {
    Graph g;
    Var x = g.leaf(xv), w = g.leaf(wv), b = with_bias ? g.leaf(bv) : Var{};
    Var y = linear(x, w, b);
    CHECK(y.shape() == Shape{N, O});
    CHECK(max_abs_diff(y.value(), naive_linear(xv, wv, with_bias ? &bv : nullptr, false)) < 1e-4);
    g.backward(y, seed);
    Tensor dx = Tensor::zeros({N, I}), dw = Tensor::zeros({O, I}), db = Tensor::zeros({O});
    for (int n = 0; n < N; ++n)
      for (int o = 0; o < O; ++o) {
        const float gv = seed[n * O + o];
        db[o] += gv;
        for (int i = 0; i < I; ++i) {
          dx[n * I + i] += gv * wv[o * I + i];
          dw[o * I + i] += gv * xv[n * I + i];
        }
      }
    CHECK(max_abs_diff(x.grad(), dx) < 1e-4);
    CHECK(max_abs_diff(w.grad(), dw) < 1e-4);
    if (with_bias) CHECK(max_abs_diff(b.grad(), db) < 1e-4);
  }
}

TEST_CASE("linear_relu: same values and gradients as linear followed by relu") {
  Rng rng(6);
  const Tensor xv = randn({9, 7}, rng), wv = randn({5, 7}, rng), bv = randn({5}, rng);
  const Tensor seed = randn({9, 5}, rng);
  Graph g1, g2;
  Var x1 = g1.leaf(xv), w1 = g1.leaf(wv), b1 = g1.leaf(bv);
  Var x2 = g2.leaf(xv), w2 = g2.leaf(wv), b2 = g2.leaf(bv);
  Var fused = linear(x1, w1, b1, true);
  Var split = relu(linear(x2, w2, b2));
  CHECK(fused.node->name() == std::string("linear_relu"));
  CHECK(max_abs_diff(fused.value(), naive_linear(xv, wv, &bv, true)) < 1e-5);
  int zeros = 0;
  for (int64_t i = 0; i < fused.value().numel(); ++i) zeros += fused.value()[i] == 0.0f;
  CHECK(zeros > 5);   // both sides of the kink are exercised
  CHECK(zeros < 40);
  CHECK(bit_equal(fused.value(), split.value()));
  g1.backward(fused, seed);
  g2.backward(split, seed);
  CHECK(bit_equal(x1.grad(), x2.grad()));
  CHECK(bit_equal(w1.grad(), w2.grad()));
  CHECK(bit_equal(b1.grad(), b2.grad()));
}

TEST_CASE("linear: errors name the op and the shapes") {
  Graph g;
  Var x4 = g.leaf(Tensor::zeros({2, 3, 4, 4})), x = g.leaf(Tensor::zeros({2, 3}));
  Var w = g.leaf(Tensor::zeros({4, 5})), b = g.leaf(Tensor::zeros({3}));
  CHECK_THROWS_WITH_AS(linear(x4, w, Var{}),
                       "linear: input [2,3,4,4] must be flattened to [N,in] first (og::flatten)", Error);
  CHECK_THROWS_WITH_AS(linear(x, w, Var{}), "linear: input [2,3] has 3 features, weight [4,5] expects 5",
                       Error);
  Var w3 = g.leaf(Tensor::zeros({4, 3}));
  CHECK_THROWS_WITH_AS(linear(x, w3, b, true),
                       "linear_relu: bias [3] does not match weight [4,3] (expects [4])", Error);
  Rng rng(1);
  Linear fc(48, 10, rng);
  CHECK_THROWS_WITH_AS(fc.forward(g.input(Tensor::zeros({2, 3, 4, 4}))),
                       "linear: input [2,3,4,4] must be flattened to [N,in] first (og::flatten)", Error);
}

TEST_CASE("Linear module: parameters, initialisation, describe") {
  Rng rng(8);
  Linear fc(3136, 128, rng);
  CHECK(fc.describe() == "linear(3136->128)");
  auto params = fc.parameters();
  REQUIRE(params.size() == 2);
  CHECK(params[0].name == "weight");
  CHECK(params[0].param->value.shape() == Shape{128, 3136});
  CHECK(params[1].name == "bias");
  CHECK(params[1].param->value.shape() == Shape{128});
  CHECK(moments(fc.bias.value).max_abs <= 1.0 / std::sqrt(3136.0));
  CHECK(moments(fc.bias.value).max_abs > 0.0);
  const Moments m = moments(fc.weight.value);  // fan_in_uniform, fan_in = 3136
  CHECK(m.max_abs <= 1.0 / std::sqrt(3136.0));
  CHECK(m.var == doctest::Approx(1.0 / (3 * 3136.0)).epsilon(0.02));

  Linear plain(4, 2, rng, false);
  plain.fuse_relu = true;
  CHECK(plain.describe() == "linear(4->2) no bias +relu");
  CHECK(plain.parameters().size() == 1);
  Graph g;
  Var y = plain.forward(g.input(Tensor::full({3, 4}, 1.0f)));
  CHECK(y.node->name() == std::string("linear_relu"));
  CHECK(y.shape() == Shape{3, 2});
}

// ---------------------------------------------------------------- batch norm

TEST_CASE("batchnorm: training output has per-channel mean 0 and variance 1") {
  Rng rng(9);
  for (Shape s : {Shape{64, 3}, Shape{8, 3, 5, 5}}) {
    Tensor xv = randn(s, rng, 2.0f);
    const int64_t S = s.nd == 4 ? s[2] * s[3] : 1;
    for (int64_t i = 0; i < xv.numel(); ++i) xv[i] += 3.0f * ((i / S) % 3);  // channel offsets
    BatchNorm bn(3);
    Graph g;
    Var y = bn.forward(g.input(xv));
    CHECK(y.node->name() == std::string("batchnorm"));
    for (int64_t c = 0; c < 3; ++c) {
      double sum = 0, sq = 0, M = 0;
      for (int64_t i = 0; i < xv.numel(); ++i)
        if ((i / S) % 3 == c) sum += y.value()[i], sq += double(y.value()[i]) * y.value()[i], ++M;
      CHECK(std::fabs(sum / M) < 1e-5);
      CHECK(sq / M == doctest::Approx(1.0).epsilon(1e-4));
    }
  }
}

TEST_CASE("batchnorm: output and running statistics after one step, by hand") {
  // [N=4, C=2]: channel 0 = 1,2,3,4 (mean 2.5, biased var 1.25, unbiased 5/3),
  //             channel 1 = 0,0,2,2 (mean 1,   biased var 1,    unbiased 4/3).
  BatchNorm bn(2);
  Graph g;
  Var y = bn.forward(g.input(Tensor::from({4, 2}, {1, 0, 2, 0, 3, 2, 4, 2})));
  const double r0 = 1 / std::sqrt(1.25 + 1e-5), r1 = 1 / std::sqrt(1.0 + 1e-5);
  const double want[8] = {-1.5 * r0, -r1, -0.5 * r0, -r1, 0.5 * r0, r1, 1.5 * r0, r1};
  for (int i = 0; i < 8; ++i) CHECK(y.value()[i] == doctest::Approx(want[i]).epsilon(1e-6));
  CHECK(bn.running_mean[0] == doctest::Approx(0.1 * 2.5));
  CHECK(bn.running_mean[1] == doctest::Approx(0.1 * 1.0));
  CHECK(bn.running_var[0] == doctest::Approx(0.9 + 0.1 * 5.0 / 3));
  CHECK(bn.running_var[1] == doctest::Approx(0.9 + 0.1 * 4.0 / 3));

  // [N=2, C=2, H=1, W=2]: channel 0 = 1,3 | 5,7 (mean 4, unbiased var 20/3),
  //                       channel 1 = 0,0 | 0,4 (mean 1, unbiased var 4).
  BatchNorm bn2(2, 0.5f);
  Graph g2;
  bn2.forward(g2.input(Tensor::from({2, 2, 1, 2}, {1, 3, 0, 0, 5, 7, 0, 4})));
  CHECK(bn2.running_mean[0] == doctest::Approx(0.5 * 4));
  CHECK(bn2.running_mean[1] == doctest::Approx(0.5 * 1));
  CHECK(bn2.running_var[0] == doctest::Approx(0.5 + 0.5 * 20.0 / 3));
  CHECK(bn2.running_var[1] == doctest::Approx(0.5 + 0.5 * 4));
}

TEST_CASE("batchnorm: eval mode uses the running statistics and leaves them alone") {
  BatchNorm bn(2);
  bn.running_mean = Tensor::from({2}, {1.0f, -2.0f});
  bn.running_var = Tensor::from({2}, {4.0f, 0.25f});
  bn.weight.value = Tensor::from({2}, {2.0f, 1.0f});
  bn.bias.value = Tensor::from({2}, {0.5f, 0.0f});
  Graph g;
  g.set_training(false);
  const Tensor xv = Tensor::from({2, 2, 1, 1}, {3, -2, 0, -1});
  Var y = bn.forward(g.input(xv));
  CHECK(y.node->name() == std::string("batchnorm_eval"));
  CHECK(y.value()[0] == doctest::Approx(2 * (3 - 1) / std::sqrt(4 + 1e-5) + 0.5));
  CHECK(y.value()[1] == doctest::Approx(0.0));
  CHECK(y.value()[2] == doctest::Approx(2 * (0 - 1) / std::sqrt(4 + 1e-5) + 0.5));
  CHECK(y.value()[3] == doctest::Approx(1 / std::sqrt(0.25 + 1e-5)));
  CHECK(bn.running_mean[0] == 1.0f);
  CHECK(bn.running_var[1] == 0.25f);
  // A single sample is fine in eval mode (no batch statistics).
  Var one = bn.forward(g.input(Tensor::from({1, 2}, {1, -2})));
  CHECK(one.value()[0] == doctest::Approx(0.5));
}

TEST_CASE("batchnorm: module and buffers, errors name the shapes") {
  BatchNorm bn(4);
  CHECK(bn.describe() == "batchnorm(4)");
  auto params = bn.parameters();
  auto buffers = bn.buffers();
  REQUIRE(params.size() == 2);
  REQUIRE(buffers.size() == 2);
  CHECK(params[0].name == "weight");
  CHECK(params[1].name == "bias");
  CHECK(buffers[0].name == "running_mean");
  CHECK(buffers[1].name == "running_var");
  CHECK((*buffers[1].tensor)[3] == 1.0f);
  CHECK(params[0].param->value[2] == 1.0f);
  Graph g;
  CHECK_THROWS_WITH_AS(bn.forward(g.input(Tensor::zeros({2, 3, 8, 8}))),
                       "batchnorm: input [2,3,8,8] has 3 channels, weight [4] expects 4", Error);
  CHECK_THROWS_WITH_AS(bn.forward(g.input(Tensor::zeros({2, 4, 8}))),
                       "batchnorm: input [2,4,8] must be [N,C] or [N,C,H,W]", Error);
  CHECK_THROWS_WITH_AS(bn.forward(g.input(Tensor::zeros({1, 4}))),
                       "batchnorm: training needs more than one value per channel, got input [1,4]",
                       Error);
}

// ---------------------------------------------------------------- dropout

TEST_CASE("dropout: keeps about 1-p, scales by 1/(1-p), gradient uses the same mask") {
  Rng rng(12);
  Graph g;
  Var x = g.leaf(Tensor::full({100000}, 1.0f));
  Var y = dropout(x, 0.3f, rng);
  CHECK(y.node->name() == std::string("dropout"));
  int64_t kept = 0, other = 0;
  for (int64_t i = 0; i < y.value().numel(); ++i) {
    const float v = y.value()[i];
    kept += v == 1.0f / 0.7f;
    other += v != 0.0f && v != 1.0f / 0.7f;
  }
  CHECK(other == 0);
  CHECK(double(kept) / 100000 == doctest::Approx(0.7).epsilon(0.01));
  const Tensor seed = randn({100000}, rng);
  g.backward(y, seed);
  bool grad_matches = true;
  for (int64_t i = 0; i < 100000; ++i) grad_matches = grad_matches && x.grad()[i] == seed[i] * y.value()[i];
  CHECK(grad_matches);
}

TEST_CASE("dropout: the same seed gives the same mask; eval and p = 0 are the identity") {
  const Tensor xv = Tensor::full({1000}, 2.0f);
  Rng r1(4), r2(4);
  Graph g;
  Var x = g.input(xv);
  Var a = dropout(x, 0.5f, r1), b = dropout(x, 0.5f, r2), c = dropout(x, 0.5f, r1);
  CHECK(bit_equal(a.value(), b.value()));
  CHECK_FALSE(bit_equal(a.value(), c.value()));  // the next draw is a new mask

  Dropout drop(0.5f, r1);
  CHECK(drop.describe() == "dropout(p=0.5)");
  CHECK(drop.forward(x).node != x.node);
  Graph eval;
  eval.set_training(false);
  Var xe = eval.input(xv);
  CHECK(drop.forward(xe).node == xe.node);
  CHECK(eval.size() == 1);
  Dropout none(0.0f, r1);
  CHECK(none.forward(x).node == x.node);

  CHECK_THROWS_WITH_AS(dropout(x, 1.0f, r1), "dropout: p = 1 outside [0,1) for input [1000]", Error);
  CHECK_THROWS_AS(dropout(x, -0.1f, r1), Error);
  CHECK_THROWS_WITH_AS(Dropout(1.5f, r1), "dropout: p = 1.5 outside [0,1)", Error);
}

// ---------------------------------------------------------------- threads

TEST_CASE("layers give bit-identical results on 1 and 2 threads") {
  Rng rng(13);
  // Large enough that every parallel loop and the blocked gemm really split.
  const Tensor xv = randn({256, 300}, rng), wv = randn({200, 300}, rng, 0.1f), bv = randn({200}, rng);
  const Tensor img = randn({16, 8, 16, 16}, rng), seed_img = randn({16, 8, 16, 16}, rng);
  const Tensor seed = randn({256, 200}, rng);
  auto run = [&](int threads) {
    set_num_threads(threads);
    std::vector<Tensor> out;
    Graph g;
    Var x = g.leaf(xv), w = g.leaf(wv), b = g.leaf(bv);
    Rng mask_rng(1);
    Var y = dropout(linear(x, w, b, true), 0.2f, mask_rng);
    g.backward(y, seed);
    Var xi = g.leaf(img), gamma = g.leaf(Tensor::full({8}, 1.5f)), beta = g.leaf(Tensor::zeros({8}));
    Var z = batch_norm(xi, gamma, beta);
    g.backward(z, seed_img);
    for (Var v : {y, z}) out.push_back(v.value());
    for (Var v : {x, w, b, xi, gamma, beta}) out.push_back(v.grad());
    return out;
  };
  const int keep = num_threads();
  const std::vector<Tensor> one = run(1), two = run(2);
  set_num_threads(keep);
  for (size_t i = 0; i < one.size(); ++i) {
    INFO("tensor ", i);
    CHECK(bit_equal(one[i], two[i]));
  }
}

// ---------------------------------------------------------------- Sequential

TEST_CASE("Sequential: parameter and buffer names, describe, access") {
  Rng rng(2);
  Sequential net;
  net.emplace<Linear>(4, 8, rng);
  net.emplace<ReLU>();
  BatchNorm& bn = net.emplace<BatchNorm>(8);
  auto inner = std::make_unique<Sequential>();
  inner->emplace<Linear>(8, 3, rng, false);
  inner->emplace<Tanh>();
  net.add(std::move(inner)).add(std::make_unique<LeakyReLU>(0.1f));
  net.emplace<Sigmoid>();
  net.emplace<Flatten>();

  std::vector<std::string> names;
  for (const NamedParam& p : net.parameters()) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "3.0.weight"});
  std::vector<std::string> buffers;
  for (const NamedTensor& b : net.buffers()) buffers.push_back(b.name);
  CHECK(buffers == std::vector<std::string>{"2.running_mean", "2.running_var"});
  CHECK(net.buffers()[0].tensor == &bn.running_mean);
  CHECK(net.size() == 7);
  CHECK(&net[2] == &bn);
  CHECK(&net.at(2) == &bn);
  CHECK_THROWS_WITH_AS(net.at(7), "sequential: index 7 out of range for 7 modules", Error);
  CHECK(net.describe() ==
        "sequential(linear(4->8), relu, batchnorm(8), sequential(linear(8->3) no bias, tanh), "
        "leaky_relu(0.1), sigmoid, flatten)");

  Graph g;
  Var y = net.forward(g.input(randn({5, 4}, rng)));
  CHECK(y.shape() == Shape{5, 3});
  for (int64_t i = 0; i < y.value().numel(); ++i) CHECK((y.value()[i] > 0 && y.value()[i] < 1));
}

// ---------------------------------------------------------------- whole networks

TEST_CASE("a small MLP trained with plain SGD separates three blobs") {
  Rng rng(21);
  const int N = 90;
  Tensor xv = Tensor::empty({N, 2});
  std::vector<int> labels(N);
  for (int n = 0; n < N; ++n) {
    labels[n] = n % 3;
    const double angle = 2.0943951 * labels[n];  // centres 120 degrees apart, radius 2
    xv[2 * n] = float(2 * std::cos(angle)) + 0.4f * rng.normal();
    xv[2 * n + 1] = float(2 * std::sin(angle)) + 0.4f * rng.normal();
  }
  Sequential net;
  net.emplace<Linear>(2, 16, rng);
  net.emplace<ReLU>();
  net.emplace<Linear>(16, 3, rng);

  auto step = [&](float lr) {
    Graph g;
    Var logits = net.forward(g.input(xv));
    Var loss = nll(logits, labels);
    net.zero_grad();
    g.backward(loss);
    for (NamedParam& p : net.parameters())
      for (int64_t i = 0; i < p.param->value.numel(); ++i) p.param->value[i] -= lr * p.param->grad[i];
    int correct = 0;
    for (int n = 0; n < N; ++n) {
      int best = 0;
      for (int k = 1; k < 3; ++k)
        if (logits.value()[n * 3 + k] > logits.value()[n * 3 + best]) best = k;
      correct += best == labels[n];
    }
    return std::make_pair(loss.value().item(), correct);
  };
  const float first = step(0.2f).first;
  std::pair<float, int> last;
  for (int it = 0; it < 300; ++it) last = step(0.2f);
  CHECK(first > 0.5f);
  CHECK(last.first < 0.05f);
  CHECK(last.second == N);
}

TEST_CASE("whole-network gradient check: MLP with batch norm, dropout and tanh") {
  Rng rng(31);
  Sequential net;
  // No bias before batch norm: the normalisation cancels it, so its gradient is 0
  // and the elementwise check would only compare rounding noise.
  net.emplace<Linear>(5, 8, rng, false);
  BatchNorm& bn = net.emplace<BatchNorm>(8);
  net.emplace<Tanh>();
  net.emplace<Dropout>(0.25f, rng);
  net.emplace<Linear>(8, 3, rng);
  // Non-trivial gamma and beta, so their gradients are not at a special point.
  for (int c = 0; c < 8; ++c) bn.weight.value[c] = rng.uniform(0.5f, 1.5f), bn.bias.value[c] = rng.normal();

  const Tensor xv = randn({6, 5}, rng);
  // Each check gets its own graph: node gradients accumulate across backward calls.
  for (bool directional : {true, false}) {
    Graph g;
    Var loss = nll(net.forward(g.input(xv)), {0, 2, 1, 1, 0, 2});
    const Tensor running_mean = bn.running_mean.clone(), running_var = bn.running_var.clone();
    // Extra leaves on the same parameters: they share value and grad buffers with
    // the leaves the modules recorded, so perturbing them perturbs the network.
    std::vector<Var> wrt;
    for (NamedParam& p : net.parameters()) wrt.push_back(g.param(*p.param));
    REQUIRE(wrt.size() == 5);
    GradCheckResult res = directional ? directional_check(g, loss, wrt) : grad_check(g, loss, wrt);
    const std::string kind = directional ? "directional: " : "elementwise: ";
    INFO(kind, res.report);
    CHECK(res.ok);
    // Replaying the tape (hundreds of times) never touched the running statistics.
    CHECK(bit_equal(bn.running_mean, running_mean));
    CHECK(bit_equal(bn.running_var, running_var));
  }
}
