// max_pool2d / avg_pool2d / global_avg_pool
// forward : max: y[n,c,i,j] = max_{p,q<K} x[n,c, i*S+p, j*S+q], a[n,c,i,j] = its position
//           avg: y[n,c,i,j] = (1/K^2) sum_{p,q<K} x[n,c, i*S+p, j*S+q]
//           global: y[n,c] = (1/(H*W)) sum_{h,w} x[n,c,h,w]
// backward: max: dx[n,c, a[n,c,i,j]] += g[n,c,i,j]   (a tie goes to the first maximum
//                in row-major window order; the others get nothing)
//           avg: dx[window of (i,j)] += g[n,c,i,j] / K^2      global: dx[n,c,:,:] += g[n,c] / (H*W)
// shapes  : x[N,C,H,W]  y[N,C,H',W'], H' = (H - K)/S + 1 (no padding, floor)   global: y[N,C]
// saves   : max: the argmax positions (int32, h*W+w inside the (n,c) plane); avg/global: nothing
// parallel: over the N*C planes: each plane's outputs (forward) and its dx (backward,
//           also when windows overlap) belong to one thread; sums run in a fixed order.
#include "layers/pool2d.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/parallel.h"

namespace og {
namespace {

constexpr int64_t kPoolGrain = 1 << 15;  // elements below which the loops stay serial

struct PoolGeom {
  int64_t N, C, H, W, K, S, Ho, Wo;
  int64_t planes() const { return N * C; }
  int64_t grain() const { return std::max<int64_t>(1, kPoolGrain / std::max<int64_t>(1, H * W)); }
};

PoolGeom pool_geom(const char* op, const Shape& s, int kernel, int stride) {
  OG_CHECK(s.nd == 4, op, ": input must be [N,C,H,W], got ", s);
  OG_CHECK(kernel >= 1 && stride >= 1, op, ": kernel ", kernel, " and stride ", stride,
           " must be >= 1 (input ", s, ")");
  OG_CHECK(kernel <= s[2] && kernel <= s[3], op, ": kernel ", kernel, " is larger than input ", s);
  return {s[0], s[1], s[2], s[3], kernel, stride, (s[2] - kernel) / stride + 1,
          (s[3] - kernel) / stride + 1};
}

// The common 2x2 stride-2 window: the larger of each row's pair (ties: the left one),
// then the larger of the two rows' winners (ties: the upper one) -- the first maximum
// in window order, as in the general loop. Selects by arithmetic, not branches
// (random data mispredicts them): 0.8 -> 0.36 ms on [64,32,28,28].
void max_pool_2x2(const float* xp, const PoolGeom& g, float* yp, int32_t* ap) {
  const int32_t W = static_cast<int32_t>(g.W);
  for (int64_t i = 0; i < g.Ho; ++i) {
    const float* r0 = xp + 2 * i * g.W;
    const float* r1 = r0 + g.W;
    const int32_t at = static_cast<int32_t>(2 * i * g.W);
    float* y = yp + i * g.Wo;
    int32_t* a = ap + i * g.Wo;
    for (int64_t j = 0; j < g.Wo; ++j) {
      const float a0 = r0[2 * j], b0 = r0[2 * j + 1], a1 = r1[2 * j], b1 = r1[2 * j + 1];
      const int32_t right0 = b0 > a0, right1 = b1 > a1;
      const float m0 = std::max(a0, b0), m1 = std::max(a1, b1);  // std::max(x, y) = y > x ? y : x
      const int32_t lower = m1 > m0;
      y[j] = std::max(m0, m1);
      a[j] = at + 2 * static_cast<int32_t>(j) + lower * (W + right1) + (1 - lower) * right0;
    }
  }
}

struct MaxPool2dNode : Node {
  PoolGeom g;
  std::vector<int32_t> argmax;  // one per output
  explicit MaxPool2dNode(PoolGeom geom) : g(geom) {}
  const char* name() const override { return "max_pool2d"; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty({g.N, g.C, g.Ho, g.Wo});
    argmax.resize(value.numel());
    const float* x = in(0).data();
    float* y = value.data();
    parallel_for(g.planes(), g.grain(), [&](int64_t pl) {
      const float* xp = x + pl * g.H * g.W;
      float* yp = y + pl * g.Ho * g.Wo;
      int32_t* ap = argmax.data() + pl * g.Ho * g.Wo;
      if (g.K == 2 && g.S == 2) return max_pool_2x2(xp, g, yp, ap);
      for (int64_t i = 0; i < g.Ho; ++i)
        for (int64_t j = 0; j < g.Wo; ++j) {
          int64_t best = i * g.S * g.W + j * g.S;
          for (int64_t p = 0; p < g.K; ++p) {
            const int64_t row = (i * g.S + p) * g.W + j * g.S;
            for (int64_t q = 0; q < g.K; ++q)
              if (xp[row + q] > xp[best]) best = row + q;
          }
          yp[i * g.Wo + j] = xp[best];
          ap[i * g.Wo + j] = static_cast<int32_t>(best);
        }
    });
  }
  void backward() override {
    float* dx = in_grad(0).data();
    const float* gy = grad.data();
    parallel_for(g.planes(), g.grain(), [&](int64_t pl) {
      float* dxp = dx + pl * g.H * g.W;
      const int64_t o0 = pl * g.Ho * g.Wo;
      for (int64_t o = o0; o < o0 + g.Ho * g.Wo; ++o) dxp[argmax[o]] += gy[o];
    });
  }
};

struct AvgPool2dNode : Node {
  PoolGeom g;
  explicit AvgPool2dNode(PoolGeom geom) : g(geom) {}
  const char* name() const override { return "avg_pool2d"; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty({g.N, g.C, g.Ho, g.Wo});
    const float* x = in(0).data();
    float* y = value.data();
    const float scale = 1.0f / static_cast<float>(g.K * g.K);
    parallel_for(g.planes(), g.grain(), [&](int64_t pl) {
      const float* xp = x + pl * g.H * g.W;
      float* yp = y + pl * g.Ho * g.Wo;
      for (int64_t i = 0; i < g.Ho; ++i)
        for (int64_t j = 0; j < g.Wo; ++j) {
          float s = 0.0f;
          for (int64_t p = 0; p < g.K; ++p) {
            const float* row = xp + (i * g.S + p) * g.W + j * g.S;
            for (int64_t q = 0; q < g.K; ++q) s += row[q];
          }
          yp[i * g.Wo + j] = s * scale;
        }
    });
  }
  void backward() override {
    float* dx = in_grad(0).data();
    const float* gy = grad.data();
    const float scale = 1.0f / static_cast<float>(g.K * g.K);
    parallel_for(g.planes(), g.grain(), [&](int64_t pl) {
      float* dxp = dx + pl * g.H * g.W;
      const float* gp = gy + pl * g.Ho * g.Wo;
      for (int64_t i = 0; i < g.Ho; ++i)
        for (int64_t j = 0; j < g.Wo; ++j) {
          const float v = gp[i * g.Wo + j] * scale;
          for (int64_t p = 0; p < g.K; ++p) {
            float* row = dxp + (i * g.S + p) * g.W + j * g.S;
            for (int64_t q = 0; q < g.K; ++q) row[q] += v;
          }
        }
    });
  }
};

struct GlobalAvgPoolNode : Node {
  PoolGeom g;
  explicit GlobalAvgPoolNode(PoolGeom geom) : g(geom) {}
  const char* name() const override { return "global_avg_pool"; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty({g.N, g.C});
    const float* x = in(0).data();
    float* y = value.data();
    const int64_t HW = g.H * g.W;
    parallel_for(g.planes(), g.grain(), [&](int64_t pl) {
      double s = 0;  // double: a plane can hold thousands of values
      for (int64_t k = 0; k < HW; ++k) s += x[pl * HW + k];
      y[pl] = static_cast<float>(s / static_cast<double>(HW));
    });
  }
  void backward() override {
    float* dx = in_grad(0).data();
    const float* gy = grad.data();
    const int64_t HW = g.H * g.W;
    const float scale = 1.0f / static_cast<float>(HW);
    parallel_for(g.planes(), g.grain(), [&](int64_t pl) {
      const float v = gy[pl] * scale;
      for (int64_t k = 0; k < HW; ++k) dx[pl * HW + k] += v;
    });
  }
};

}  // namespace

Var max_pool2d(Var x, int kernel, int stride) {
  return x.graph->record<MaxPool2dNode>({x}, pool_geom("max_pool2d", x.shape(), kernel, stride));
}

Var avg_pool2d(Var x, int kernel, int stride) {
  return x.graph->record<AvgPool2dNode>({x}, pool_geom("avg_pool2d", x.shape(), kernel, stride));
}

Var global_avg_pool(Var x) {
  const Shape& s = x.shape();
  OG_CHECK(s.nd == 4 && s[2] * s[3] > 0, "global_avg_pool: input must be [N,C,H,W] with H*W > 0, got ", s);
  return x.graph->record<GlobalAvgPoolNode>({x}, PoolGeom{s[0], s[1], s[2], s[3], 1, 1, 1, 1});
}

MaxPool2d::MaxPool2d(int k, int s) : kernel(k), stride(s) {
  OG_CHECK(k >= 1 && s >= 1, "MaxPool2d: kernel ", k, " and stride ", s, " must be >= 1");
}
std::string MaxPool2d::describe() const { return cat("max_pool2d(k", kernel, " s", stride, ")"); }

AvgPool2d::AvgPool2d(int k, int s) : kernel(k), stride(s) {
  OG_CHECK(k >= 1 && s >= 1, "AvgPool2d: kernel ", k, " and stride ", s, " must be >= 1");
}
std::string AvgPool2d::describe() const { return cat("avg_pool2d(k", kernel, " s", stride, ")"); }

}  // namespace og
