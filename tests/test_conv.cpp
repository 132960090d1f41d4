// Convolution and pooling: forward and backward against naive loops, a hand-computed
// case, bit-identical results for 1 and 2 threads, shape errors, and the modules.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/ops.h"
#include "core/parallel.h"
#include "helpers.h"
#include "layers/conv2d.h"
#include "layers/pool2d.h"

using namespace og;

namespace {

struct ConvCase {
  int N, C, O, H, W, K, S, P;
};

int64_t at4(int64_t a, int64_t b, int64_t c, int64_t d, int64_t B, int64_t C, int64_t D) {
  return ((a * B + b) * C + c) * D + d;
}

// The definition, six nested loops (plus the batch), accumulated in double.
Tensor naive_conv(const Tensor& x, const Tensor& w, const Tensor* b, int S, int P, bool relu) {
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t O = w.shape()[0], K = w.shape()[2];
  const int64_t Ho = (H + 2 * P - K) / S + 1, Wo = (W + 2 * P - K) / S + 1;
  Tensor y = Tensor::empty({N, O, Ho, Wo});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < Ho; ++i)
        for (int64_t j = 0; j < Wo; ++j) {
          double s = b ? (*b)[o] : 0.0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < K; ++p)
              for (int64_t q = 0; q < K; ++q) {
                const int64_t h = i * S + p - P, v = j * S + q - P;
                if (h >= 0 && h < H && v >= 0 && v < W)
                  s += double(w[at4(o, c, p, q, C, K, K)]) * x[at4(n, c, h, v, C, H, W)];
              }
          y[at4(n, o, i, j, O, Ho, Wo)] = float(relu && s < 0 ? 0.0 : s);
        }
  return y;
}

// Gradients of sum(gy * conv(x, w) + b) by the same loops, scattering instead of gathering.
void naive_conv_backward(const Tensor& x, const Tensor& w, const Tensor& gy, int S, int P,
                         Tensor& dx, Tensor& dw, Tensor& db) {
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t O = w.shape()[0], K = w.shape()[2], Ho = gy.shape()[2], Wo = gy.shape()[3];
  dx = Tensor::zeros(x.shape()), dw = Tensor::zeros(w.shape()), db = Tensor::zeros({O});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < Ho; ++i)
        for (int64_t j = 0; j < Wo; ++j) {
          const float g = gy[at4(n, o, i, j, O, Ho, Wo)];
          db[o] += g;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < K; ++p)
              for (int64_t q = 0; q < K; ++q) {
                const int64_t h = i * S + p - P, v = j * S + q - P;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                dx[at4(n, c, h, v, C, H, W)] += g * w[at4(o, c, p, q, C, K, K)];
                dw[at4(o, c, p, q, C, K, K)] += g * x[at4(n, c, h, v, C, H, W)];
              }
        }
}

double max_rel_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double worst = 0, scale = 1e-6;
  for (int64_t i = 0; i < b.numel(); ++i) scale = std::max(scale, double(std::fabs(b[i])));
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - b[i]) / scale);
  return worst;
}

const ConvCase kCases[] = {
    {2, 3, 4, 5, 5, 3, 1, 1},   // the common 3x3 "same" convolution
    {5, 2, 3, 7, 6, 3, 2, 1},   // stride 2 pad 1, H != W, two chunks
    {3, 4, 5, 4, 6, 1, 1, 0},   // 1x1 fast path
    {6, 3, 4, 5, 7, 1, 2, 0},   // 1x1 with stride: through im2col
    {9, 3, 2, 8, 5, 5, 1, 2},   // N = 9: chunks of 4, 4, 1; K = 5
    {2, 2, 3, 6, 7, 2, 3, 0},   // stride larger than the kernel: skipped inputs
    {1, 1, 1, 3, 3, 3, 1, 0},   // one output
    {4, 3, 2, 4, 4, 3, 2, 2},   // padding larger than needed: all-padding border outputs
    {2, 2, 3, 4, 1, 3, 1, 1},   // "same" path with W = 1: side columns are all padding
    {3, 2, 2, 1, 6, 3, 1, 1},   // "same" path with H = 1: top and bottom rows all padding
    {2, 3, 4, 9, 9, 5, 1, 1},   // stride 1 but W' != W: the general path
    {3, 8, 5, 6, 6, 3, 1, 1},   // C >= 8: Winograd by default, even tile counts
    {2, 9, 4, 7, 5, 3, 1, 1},   // Winograd with odd output sizes: clipped edge tiles
    {2, 8, 3, 9, 8, 3, 1, 0},   // Winograd without padding
    {70, 8, 2, 3, 3, 3, 1, 2},  // Winograd: many chunks, P = 2, outputs beyond the input
    {2, 16, 16, 10, 10, 3, 1, 1},  // Winograd 16 -> 16, as in resnet8
    {2, 17, 12, 6, 9, 3, 1, 1},  // Winograd with odd channel counts
};

// Every case once per algorithm: Winograd applies to the 3x3 stride-1 ones.
const ConvAlgo kAlgos[] = {ConvAlgo::automatic, ConvAlgo::im2col, ConvAlgo::winograd};

// Sets the algorithm for new conv2d nodes and restores the default on scope exit.
struct AlgoScope {
  explicit AlgoScope(ConvAlgo a) { set_conv_algo(a); }
  ~AlgoScope() { set_conv_algo(ConvAlgo::automatic); }
};

}  // namespace

TEST_CASE("conv2d: a hand-computed case") {
  // x = 1..9 on a 3x3 grid, w = [[1,0],[0,-1]] so every output is x[i,j] - x[i+1,j+1] = -4,
  // plus bias 0.5. With pad 1 the corners see one input each: (0,0) -> -1, (3,3) -> 9.
  Graph g;
  Var x = g.input(Tensor::from({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Var w = g.input(Tensor::from({1, 1, 2, 2}, {1, 0, 0, -1}));
  Var b = g.input(Tensor::from({1}, {0.5f}));
  Var y = conv2d(x, w, b, 1, 0);
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  for (int i = 0; i < 4; ++i) CHECK(y.value()[i] == -3.5f);
  Var yp = conv2d(x, w, Var{}, 1, 1);
  CHECK(yp.shape() == Shape{1, 1, 4, 4});
  CHECK(yp.value()[0] == -1.0f);
  CHECK(yp.value()[5] == -4.0f);
  CHECK(yp.value()[15] == 9.0f);
  CHECK(yp.value()[2] == -3.0f);  // (0,2): only -x[0,2]
  CHECK(yp.value()[7] == 3.0f);   // (1,3): only x[0,2]
  CHECK(yp.value()[13] == 7.0f);  // (3,1): only x[2,0]
}

TEST_CASE("conv2d forward matches the naive convolution") {
  for (ConvAlgo algo : kAlgos)
  for (const ConvCase& k : kCases)
    for (int variant = 0; variant < 3; ++variant) {
      AlgoScope scope(algo);  // bias, no bias, bias + fused relu
      Rng rng(k.N * 1000 + k.C * 100 + k.K * 10 + variant);
      Tensor x = test::randn({k.N, k.C, k.H, k.W}, rng), w = test::randn({k.O, k.C, k.K, k.K}, rng);
      Tensor b = test::randn({k.O}, rng);
      const bool bias = variant != 1, relu = variant == 2;
      Graph g;
      Var y = conv2d(g.input(x), g.input(w), bias ? g.input(b) : Var{}, k.S, k.P, relu);
      INFO("N=", k.N, " C=", k.C, " O=", k.O, " H=", k.H, " W=", k.W, " K=", k.K, " S=", k.S,
           " P=", k.P, " variant=", variant, " algo=", int(algo));
      CHECK(y.node->name() == std::string(relu ? "conv2d_relu" : "conv2d"));
      CHECK(max_rel_diff(y.value(), naive_conv(x, w, bias ? &b : nullptr, k.S, k.P, relu)) < 1e-5);
    }
}

TEST_CASE("conv2d backward matches the naive gradients and accumulates") {
  for (ConvAlgo algo : kAlgos)
  for (const ConvCase& k : kCases) {
    AlgoScope scope(algo);
    Rng rng(k.N * 77 + k.H * 7 + k.K);
    Tensor x = test::randn({k.N, k.C, k.H, k.W}, rng), w = test::randn({k.O, k.C, k.K, k.K}, rng);
    Graph g;
    Var xv = g.leaf(x), wv = g.leaf(w), bv = g.leaf(test::randn({k.O}, rng));
    Var y = conv2d(xv, wv, bv, k.S, k.P);
    Tensor gy = test::randn(y.shape(), rng);
    // Prefill with 1: backward must add to it, not overwrite it.
    for (Var v : {xv, wv, bv}) v.node->grad = Tensor::full(v.shape(), 1.0f);
    g.backward(y, gy);
    Tensor dx, dw, db;
    naive_conv_backward(x, w, gy, k.S, k.P, dx, dw, db);
    for (Tensor* t : {&dx, &dw, &db})
      for (int64_t i = 0; i < t->numel(); ++i) (*t)[i] += 1.0f;
    INFO("N=", k.N, " C=", k.C, " O=", k.O, " H=", k.H, " W=", k.W, " K=", k.K, " S=", k.S, " P=", k.P,
         " algo=", int(algo));
    CHECK(max_rel_diff(xv.grad(), dx) < 1e-5);
    CHECK(max_rel_diff(wv.grad(), dw) < 1e-5);
    CHECK(max_rel_diff(bv.grad(), db) < 1e-5);
  }
}

TEST_CASE("conv2d skips gradients nobody wants") {
  Rng rng(3);
  Graph g;
  Var x = g.input(test::randn({2, 3, 5, 5}, rng));
  Var w = g.leaf(test::randn({4, 3, 3, 3}, rng));
  Var y = conv2d(x, w, Var{}, 1, 1, true);
  g.backward(y, test::randn(y.shape(), rng));
  CHECK_FALSE(x.node->grad.defined());
  CHECK(w.node->grad.defined());
}

TEST_CASE("max_pool2d, avg_pool2d and global_avg_pool match naive loops") {
  struct PoolCase { int N, C, H, W, K, S; };
  for (PoolCase k : {PoolCase{2, 3, 6, 6, 2, 2}, PoolCase{1, 2, 7, 5, 3, 2}, PoolCase{3, 1, 5, 8, 2, 1},
                     PoolCase{2, 2, 5, 5, 5, 1}, PoolCase{1, 1, 7, 7, 2, 3}}) {
    Rng rng(k.H * 10 + k.K);
    Tensor x = test::randn({k.N, k.C, k.H, k.W}, rng);
    Graph gm_graph, ga_graph;  // one graph each: backward walks the whole tape before its output
    Var xm = gm_graph.leaf(x), xa = ga_graph.leaf(x);
    Var ym = max_pool2d(xm, k.K, k.S), ya = avg_pool2d(xa, k.K, k.S);
    const int Ho = (k.H - k.K) / k.S + 1, Wo = (k.W - k.K) / k.S + 1;
    REQUIRE(ym.shape() == Shape{k.N, k.C, Ho, Wo});
    REQUIRE(ya.shape() == Shape{k.N, k.C, Ho, Wo});
    Tensor gm = test::randn(ym.shape(), rng), ga = test::randn(ya.shape(), rng);
    Tensor dxm = Tensor::zeros(x.shape()), dxa = Tensor::zeros(x.shape());  // expected gradients
    const int plane = k.H * k.W;
    bool ok_max = true, ok_avg = true;
    for (int pl = 0; pl < k.N * k.C; ++pl)
      for (int i = 0; i < Ho; ++i)
        for (int j = 0; j < Wo; ++j) {
          int best = -1;
          double s = 0;
          for (int p = 0; p < k.K; ++p)
            for (int q = 0; q < k.K; ++q) {
              const int at = pl * plane + (i * k.S + p) * k.W + j * k.S + q;
              if (best < 0 || x[at] > x[best]) best = at;
              s += x[at];
            }
          const int o = (pl * Ho + i) * Wo + j;
          ok_max = ok_max && ym.value()[o] == x[best];
          ok_avg = ok_avg && std::fabs(ya.value()[o] - s / (k.K * k.K)) < 1e-5;
          dxm[best] += gm[o];
          for (int p = 0; p < k.K; ++p)
            for (int q = 0; q < k.K; ++q) dxa[pl * plane + (i * k.S + p) * k.W + j * k.S + q] += ga[o] / (k.K * k.K);
        }
    INFO("N=", k.N, " C=", k.C, " H=", k.H, " W=", k.W, " K=", k.K, " S=", k.S);
    CHECK(ok_max);
    CHECK(ok_avg);
    gm_graph.backward(ym, gm);
    ga_graph.backward(ya, ga);
    CHECK(max_rel_diff(xm.grad(), dxm) < 1e-6);
    CHECK(max_rel_diff(xa.grad(), dxa) < 1e-5);
  }
  Graph g;
  Var x = g.input(Tensor::from({1, 2, 2, 2}, {1, 2, 3, 6, -1, -1, -1, -5}));
  Var y = global_avg_pool(x);
  CHECK(y.shape() == Shape{1, 2});
  CHECK(y.value()[0] == 3.0f);
  CHECK(y.value()[1] == -2.0f);
}

TEST_CASE("max_pool2d gives a tie to the first maximum in the window") {
  Graph g;
  Var x = g.leaf(Tensor::from({1, 1, 2, 2}, {1, 3, 3, 0}));
  Var y = max_pool2d(x, 2, 2);
  g.backward(y, Tensor::full(y.shape(), 1.0f));
  CHECK(y.value()[0] == 3.0f);
  CHECK(x.grad().to_vector() == std::vector<float>{0, 1, 0, 0});
}

TEST_CASE("max_pool2d 2x2: first maximum in window order, also with many ties and odd sizes") {
  Rng rng(5);
  for (Shape s : {Shape{3, 2, 6, 8}, Shape{2, 1, 5, 7}}) {
    Tensor x = Tensor::empty(s);
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = float(rng.below(3));  // values 0, 1, 2: ties everywhere
    Graph g;
    Var xv = g.leaf(x);
    Var y = max_pool2d(xv, 2, 2);
    g.backward(y, Tensor::full(y.shape(), 1.0f));
    const int64_t H = s[2], W = s[3], Ho = H / 2, Wo = W / 2;
    Tensor want_dx = Tensor::zeros(s);
    for (int64_t pl = 0; pl < s[0] * s[1]; ++pl)
      for (int64_t i = 0; i < Ho; ++i)
        for (int64_t j = 0; j < Wo; ++j) {
          int64_t best = pl * H * W + 2 * i * W + 2 * j;
          for (int p = 0; p < 2; ++p)
            for (int q = 0; q < 2; ++q) {
              const int64_t k = pl * H * W + (2 * i + p) * W + 2 * j + q;
              if (x[k] > x[best]) best = k;
            }
          CHECK(y.value()[(pl * Ho + i) * Wo + j] == x[best]);
          want_dx[best] += 1.0f;
        }
    CHECK(test::bit_equal(xv.grad(), want_dx));
  }
}

TEST_CASE("conv2d and pooling are bit-identical with 1 and 2 threads") {
  Rng rng(11);
  const Tensor x = test::randn({16, 32, 14, 14}, rng), w = test::randn({64, 32, 3, 3}, rng, 0.1f);
  const Tensor w2 = test::randn({64, 64, 3, 3}, rng, 0.05f), b = test::randn({64}, rng);
  Tensor gy;
  Tensor out[2], grads[2][5];
  const int keep = num_threads();
  for (int t = 0; t < 2; ++t) {
    set_num_threads(t + 1);
    Graph g;
    Var xv = g.leaf(x), wv = g.leaf(w), w2v = g.leaf(w2), bv = g.leaf(b);
    Var pooled = max_pool2d(conv2d(xv, wv, bv, 1, 1, true), 2, 2);
    Var y = avg_pool2d(conv2d(pooled, w2v, bv, 2, 1), 2, 1);  // bv used twice
    if (t == 0) gy = test::randn(y.shape(), rng);
    g.backward(y, gy);
    out[t] = y.value();
    grads[t][0] = xv.grad(), grads[t][1] = wv.grad(), grads[t][2] = bv.grad();
    grads[t][3] = w2v.grad(), grads[t][4] = pooled.grad();
  }
  set_num_threads(keep);
  CHECK(test::bit_equal(out[0], out[1]));
  for (int i = 0; i < 5; ++i) CHECK(test::bit_equal(grads[0][i], grads[1][i]));
}

TEST_CASE("conv2d and pooling reject bad shapes with one clear line") {
  Graph g;
  Var x = g.input(Tensor::zeros({2, 3, 8, 8}));
  CHECK_THROWS_WITH_AS(conv2d(x, g.input(Tensor::zeros({4, 2, 3, 3})), Var{}, 1, 1),
                       "conv2d: input [2,3,8,8] has 3 channels, weight [4,2,3,3] expects 2", Error);
  CHECK_THROWS_WITH_AS(conv2d(x, g.input(Tensor::zeros({4, 3, 11, 11})), Var{}, 1, 1),
                       "conv2d: kernel [4,3,11,11] is larger than input [2,3,8,8] padded by 1", Error);
  CHECK_THROWS_WITH_AS(conv2d(x, g.input(Tensor::zeros({4, 3, 3, 3})), g.input(Tensor::zeros({3})), 1, 1),
                       "conv2d: bias [3] does not match weight [4,3,3,3] (needs [4])", Error);
  CHECK_THROWS_WITH_AS(conv2d(g.input(Tensor::zeros({3, 8, 8})), g.input(Tensor::zeros({4, 3, 3, 3})), Var{}, 1, 1),
                       "conv2d: input must be [N,C,H,W], got [3,8,8]", Error);
  CHECK_THROWS_AS(conv2d(x, g.input(Tensor::zeros({4, 3, 3, 2})), Var{}, 1, 1), Error);
  CHECK_THROWS_AS(conv2d(x, g.input(Tensor::zeros({4, 3, 3, 3})), Var{}, 0, 1), Error);
  CHECK_THROWS_WITH_AS(max_pool2d(g.input(Tensor::zeros({1, 1, 2, 5})), 3, 1),
                       "max_pool2d: kernel 3 is larger than input [1,1,2,5]", Error);
  CHECK_THROWS_WITH_AS(avg_pool2d(x, 2, 0), "avg_pool2d: kernel 2 and stride 0 must be >= 1 (input [2,3,8,8])", Error);
  CHECK_THROWS_AS(global_avg_pool(g.input(Tensor::zeros({2, 3}))), Error);
}

TEST_CASE("Conv2d module: parameters, initialisation, describe, forward") {
  Rng rng(5);
  Conv2d conv(3, 8, 3, 1, 1, rng);
  std::vector<NamedParam> ps = conv.parameters();
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].name == "weight");
  CHECK(ps[1].name == "bias");
  CHECK(ps[0].param->value.shape() == Shape{8, 3, 3, 3});
  CHECK(ps[1].param->value.shape() == Shape{8});
  const float bound = 1.0f / std::sqrt(27.0f);  // fan_in_uniform, fan_in = C*K*K
  double sq = 0;
  float biggest = 0;
  const Tensor& w = conv.weight.value;
  for (int64_t i = 0; i < w.numel(); ++i) sq += w[i] * w[i], biggest = std::max(biggest, std::fabs(w[i]));
  CHECK(biggest <= bound);
  CHECK(biggest > 0.8f * bound);
  CHECK(sq / w.numel() == doctest::Approx(bound * bound / 3).epsilon(0.25));  // uniform variance
  for (int i = 0; i < 8; ++i) CHECK(std::fabs(conv.bias.value[i]) <= bound);
  CHECK(conv.describe() == "conv2d(3->8, k3 s1 p1)");

  Graph g;
  Var x = g.input(test::randn({2, 3, 6, 5}, rng));
  Var y = conv.forward(x);
  CHECK(y.shape() == Shape{2, 8, 6, 5});
  CHECK(y.node->name() == std::string("conv2d"));
  conv.fuse_relu = true;
  CHECK(conv.forward(x).node->name() == std::string("conv2d_relu"));
  g.backward(sum(y));
  CHECK(conv.weight.grad.shape() == Shape{8, 3, 3, 3});

  Conv2d plain(1, 32, 5, 2, 0, rng, false);
  CHECK(plain.parameters().size() == 1);
  CHECK(plain.describe() == "conv2d(1->32, k5 s2 p0, no bias)");
}

TEST_CASE("pooling modules") {
  Rng rng(2);
  Graph g;
  Var x = g.input(test::randn({2, 3, 6, 6}, rng));
  MaxPool2d mp(2, 2);
  AvgPool2d ap(3, 1);
  GlobalAvgPool gp;
  CHECK(mp.describe() == "max_pool2d(k2 s2)");
  CHECK(ap.describe() == "avg_pool2d(k3 s1)");
  CHECK(gp.describe() == "global_avg_pool");
  CHECK(mp.forward(x).shape() == Shape{2, 3, 3, 3});
  CHECK(ap.forward(x).shape() == Shape{2, 3, 4, 4});
  CHECK(gp.forward(x).shape() == Shape{2, 3});
  CHECK(mp.parameters().empty());
}
