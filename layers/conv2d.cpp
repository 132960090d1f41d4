// conv2d / conv2d_relu
// forward : z[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] * x[n,c, i*S+p-P, j*S+q-P]
//           (x outside [0,H)x[0,W) reads as 0);  y = z, or y = max(z, 0) for conv2d_relu
// backward: dZ = dY, or dY * 1[y > 0] for conv2d_relu
//           dW += sum over chunks of dZ_chunk · col_chunk^T     db[o] += sum_{n,i,j} dZ
//           dcol = W^T · dZ_chunk  -> col2im -> dX (+=)
// shapes  : x[N,C,H,W]  w[O,C,K,K]  b[O]  y[N,O,H',W'],  H' = (H + 2P - K)/S + 1
// saves   : nothing beyond the inputs and y (the relu mask is y > 0). col is
//           recomputed in backward: measured at batch 64, saving it (14.5 MB for
//           conv2 of the reference CNN) cost +1.5 ms forward for -0.5 ms backward,
//           because a saved col goes to memory while a chunk's col stays in cache.
// which   : 3x3 stride-1 kernels over >= 8 input channels go to Winograd F(2x2,3x3)
//           (layers/conv2d_winograd.cpp, 2.25x fewer multiplications; on conv2 of the
//           reference CNN 4.4 -> 3.4 ms forward, 10.3 -> 8.8 ms backward); the rest,
//           and everything under set_conv_algo(ConvAlgo::im2col), goes as below.
// how     : images go in chunks of kChunk. Per chunk, im2col writes
//           col[C*K*K, chunk*H'*W'] (image i in columns i*H'*W' ..), ONE sgemm gives
//           Z[O, chunk*H'*W'], and one pass adds the bias (+relu) while scattering Z
//           into y's NCHW layout. "Same" convolutions (stride 1, W' = W) copy each col
//           row as one contiguous run (see SameRun). 1x1 stride-1 pad-0 skips im2col: image
//           n's [C, H*W] block already is its col matrix (one sgemm per image).
// parallel: OpenMP over chunks; each thread owns its chunk's workspaces (thread_local,
//           grown as needed, reused across calls), its images of y / dX and its own
//           partial dW, db, and calls gemm_serial (OpenBLAS stays at 1 thread).
//           Partials are summed in chunk order afterwards, and chunking depends on N
//           only, so results are bit-identical for any thread count.
#include "layers/conv2d.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/blas.h"
#include "core/parallel.h"
#include "layers/conv2d_winograd.h"
#include "layers/conv_common.h"
#include "layers/init.h"

namespace og {
namespace {

using conv::grow;
using conv::lane_sum;
using conv::relu_mask;

constexpr int64_t kChunk = 4;  // images per sgemm; ~4 measured fastest (shared/bench/README.md)

struct Geom {
  int64_t N, C, H, W, O, K, S, P, Ho, Wo;
  int64_t ckk() const { return C * K * K; }
  int64_t hwo() const { return Ho * Wo; }
  bool pointwise() const { return K == 1 && S == 1 && P == 0; }
};

// Per-thread scratch (conv::grow).
struct Workspace {
  std::vector<float> col, z, dcol;
};
thread_local Workspace tls_ws;
thread_local std::vector<float> tls_partials;  // the calling thread's per-chunk dW, db

// Output columns j in [lo, hi) read input column j*S + off inside [0, W); the
// others read padding. Computing the range once keeps branches out of the copy loops.
void valid_cols(int64_t off, const Geom& g, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + g.S - 1) / g.S;
  hi = off > g.W - 1 ? 0 : (g.W - 1 - off) / g.S + 1;
  hi = std::min(hi, g.Wo);
  lo = std::min(lo, hi);
}

// Stride 1 with W' = W ("same" padding, the common case): element (i,j) of col row
// (c,p,q) reads flat input index i*W+j + shift, shift = (p-P)*W + q-P, for the
// valid rows i in [ilo, ihi) and columns j in [lo, hi). So the whole valid block is
// ONE run [k0, k1) of flat indices at a constant offset: one long vectorised loop
// instead of H' short ones. The run also covers the columns outside [lo, hi) of
// inner rows (they wrap to the neighbouring input row); callers fix those up.
struct SameRun {
  int64_t shift, ilo, ihi, lo, hi, k0, k1;
  SameRun(const Geom& g, int64_t p, int64_t q) {
    shift = (p - g.P) * g.W + q - g.P;
    ilo = std::max<int64_t>(0, g.P - p);
    ihi = std::min(g.Ho, g.H + g.P - p);
    valid_cols(q - g.P, g, lo, hi);
    if (ilo >= ihi || lo >= hi) ilo = ihi = lo = hi = 0;  // no valid input: all padding
    k0 = ilo * g.W + lo;
    k1 = ihi > ilo ? (ihi - 1) * g.W + hi : k0;
  }
  // Zero the padding columns of the valid rows: a few columns walked down the rows
  // (row-wise, GCC turns each 1-element loop into a memset call).
  void zero_wrapped(float* row, const Geom& g) const {
    for (int64_t j = 0; j < lo; ++j)
      for (int64_t i = ilo; i < ihi; ++i) row[i * g.W + j] = 0.0f;
    for (int64_t j = hi; j < g.W; ++j)
      for (int64_t i = ilo; i < ihi; ++i) row[i * g.W + j] = 0.0f;
  }
};

// col[(c*K+p)*K+q, i*W'+j] = x[c, i*S+p-P, j*S+q-P] for one image; rows ld apart.
void im2col(const float* x, const Geom& g, float* col, int64_t ld) {
  const bool same = g.S == 1 && g.Wo == g.W;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t p = 0; p < g.K; ++p)
      for (int64_t q = 0; q < g.K; ++q) {
        float* row = col + ((c * g.K + p) * g.K + q) * ld;
        if (same) {
          const SameRun r(g, p, q);
          const float* src = x + c * g.H * g.W;
          for (int64_t k = 0; k < r.k0; ++k) row[k] = 0.0f;
          for (int64_t k = r.k0; k < r.k1; ++k) row[k] = src[k + r.shift];
          for (int64_t k = r.k1; k < g.hwo(); ++k) row[k] = 0.0f;
          r.zero_wrapped(row, g);
          continue;
        }
        const int64_t off = q - g.P;
        int64_t lo, hi;
        valid_cols(off, g, lo, hi);
        for (int64_t i = 0; i < g.Ho; ++i) {
          float* d = row + i * g.Wo;
          const int64_t h = i * g.S + p - g.P;
          if (h < 0 || h >= g.H) {
            std::memset(d, 0, sizeof(float) * g.Wo);
            continue;
          }
          const float* src = x + (c * g.H + h) * g.W;  // src[j*S + off] for j in [lo, hi)
          std::fill(d, d + lo, 0.0f);
          if (g.S == 1) std::memcpy(d + lo, src + lo + off, sizeof(float) * (hi - lo));
          else for (int64_t j = lo; j < hi; ++j) d[j] = src[j * g.S + off];
          std::fill(d + hi, d + g.Wo, 0.0f);
        }
      }
}

// The adjoint of im2col: dx[c, i*S+p-P, j*S+q-P] += col[(c*K+p)*K+q, i*W'+j].
// col is scratch: the "same" path zeroes its entries that belong to padding.
void col2im(float* col, int64_t ld, const Geom& g, float* dx) {
  const bool same = g.S == 1 && g.Wo == g.W;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t p = 0; p < g.K; ++p)
      for (int64_t q = 0; q < g.K; ++q) {
        float* row = col + ((c * g.K + p) * g.K + q) * ld;
        if (same) {  // see SameRun: zero the wrapped columns, so they add nothing
          const SameRun r(g, p, q);
          r.zero_wrapped(row, g);
          float* dst = dx + c * g.H * g.W;
          for (int64_t k = r.k0; k < r.k1; ++k) dst[k + r.shift] += row[k];
          continue;
        }
        const int64_t off = q - g.P;
        int64_t lo, hi;
        valid_cols(off, g, lo, hi);
        for (int64_t i = 0; i < g.Ho; ++i) {
          const int64_t h = i * g.S + p - g.P;
          if (h < 0 || h >= g.H) continue;
          const float* s = row + i * g.Wo;
          float* dst = dx + (c * g.H + h) * g.W;
          if (g.S == 1) for (int64_t j = lo; j < hi; ++j) dst[j + off] += s[j];
          else for (int64_t j = lo; j < hi; ++j) dst[j * g.S + off] += s[j];
        }
      }
}

// dst[j] = src[j] + bias, or max(that, 0): the one pass over the output.
void bias_act(const float* src, float* dst, int64_t n, float bias, bool relu) {
  if (relu) for (int64_t j = 0; j < n; ++j) dst[j] = std::max(src[j] + bias, 0.0f);
  else for (int64_t j = 0; j < n; ++j) dst[j] = src[j] + bias;
}

ConvAlgo g_conv_algo = ConvAlgo::automatic;

// Winograd F(2x2,3x3) for 3x3 stride-1 kernels over at least kWinogradMinChannels
// input channels; below that its GEMMs are too thin (conv1 of a grayscale image).
constexpr int64_t kWinogradMinChannels = 8;
bool use_winograd(const Geom& g) {
  if (g.K != 3 || g.S != 1 || g_conv_algo == ConvAlgo::im2col) return false;
  return g_conv_algo == ConvAlgo::winograd || g.C >= kWinogradMinChannels;
}

struct Conv2dNode : Node {
  Geom g;
  bool relu;
  bool winograd;
  Conv2dNode(Geom geom, bool fuse_relu) : g(geom), relu(fuse_relu), winograd(use_winograd(geom)) {}
  WinogradConv wino() const { return {g.N, g.C, g.H, g.W, g.O, g.P, g.Ho, g.Wo}; }
  const char* name() const override { return "conv2d"; }
  bool has_bias() const { return inputs.size() == 3; }
  int64_t chunks() const { return (g.N + kChunk - 1) / kChunk; }

  void forward() override {
    if (!value.defined()) value = Tensor::empty({g.N, g.O, g.Ho, g.Wo});
    const float *x = in(0).data(), *w = in(1).data();
    const float* b = has_bias() ? in(2).data() : nullptr;
    float* y = value.data();
    if (winograd) return wino().forward(x, w, b, relu, y);
    const int64_t CHW = g.C * g.H * g.W, HWo = g.hwo(), ckk = g.ckk();
    parallel_for(chunks(), 2, [&](int64_t ch) {
      const int64_t n0 = ch * kChunk, nc = std::min(kChunk, g.N - n0), L = nc * HWo;
      if (g.pointwise()) {
        for (int64_t i = 0; i < nc; ++i) {
          float* yn = y + (n0 + i) * g.O * HWo;
          gemm_serial(false, false, g.O, HWo, g.C, 1.0f, w, g.C, x + (n0 + i) * CHW, HWo, 0.0f, yn, HWo);
          for (int64_t o = 0; o < g.O; ++o)
            bias_act(yn + o * HWo, yn + o * HWo, HWo, b ? b[o] : 0.0f, relu);
        }
        return;
      }
      Workspace& ws = tls_ws;
      float* col = grow(ws.col, ckk * L);
      float* z = grow(ws.z, g.O * L);
      for (int64_t i = 0; i < nc; ++i) im2col(x + (n0 + i) * CHW, g, col + i * HWo, L);
      gemm_serial(false, false, g.O, L, ckk, 1.0f, w, ckk, col, L, 0.0f, z, L);
      for (int64_t i = 0; i < nc; ++i)
        for (int64_t o = 0; o < g.O; ++o)
          bias_act(z + o * L + i * HWo, y + ((n0 + i) * g.O + o) * HWo, HWo, b ? b[o] : 0.0f, relu);
    });
  }

  void backward() override {
    const bool want_x = wants(0), want_w = wants(1), want_b = has_bias() && wants(2);
    const float *x = in(0).data(), *w = in(1).data(), *gy = grad.data(), *y = value.data();
    if (winograd) {  // writes every element of dx: a fresh buffer is stored into
      bool fresh = false;
      float* dx = want_x ? in_grad_fresh(0, fresh) : nullptr;
      return wino().backward(x, w, y, gy, relu, dx, want_w ? in_grad(1).data() : nullptr,
                             want_b ? in_grad(2).data() : nullptr, fresh);
    }
    float* dx = want_x ? in_grad(0).data() : nullptr;  // allocated here, not in the threads
    const int64_t CHW = g.C * g.H * g.W, HWo = g.hwo(), ckk = g.ckk(), nch = chunks();
    const int64_t dw_size = want_w ? g.O * ckk : 0, part = dw_size + (want_b ? g.O : 0);
    float* partials = grow(tls_partials, nch * part);
    parallel_for(nch, 2, [&](int64_t ch) {
      const int64_t n0 = ch * kChunk, nc = std::min(kChunk, g.N - n0), L = nc * HWo;
      float* dw_part = partials + ch * part;
      float* db_part = dw_part + dw_size;
      Workspace& ws = tls_ws;
      // dZ of the chunk in the [O, chunk*H'*W'] layout of the forward GEMM.
      float* dz = grow(ws.z, g.O * L);
      for (int64_t o = 0; o < g.O; ++o)
        for (int64_t i = 0; i < nc; ++i) {
          const int64_t at = ((n0 + i) * g.O + o) * HWo;
          relu_mask(gy + at, y + at, dz + o * L + i * HWo, HWo, relu);
        }
      if (want_b)
        for (int64_t o = 0; o < g.O; ++o) db_part[o] = static_cast<float>(lane_sum(dz + o * L, L));
      if (g.pointwise()) {
        for (int64_t i = 0; i < nc; ++i) {
          const float* xn = x + (n0 + i) * CHW;
          if (want_w)
            gemm_serial(false, true, g.O, g.C, HWo, 1.0f, dz + i * HWo, L, xn, HWo, i ? 1.0f : 0.0f, dw_part, g.C);
          if (want_x)
            gemm_serial(true, false, g.C, HWo, g.O, 1.0f, w, g.C, dz + i * HWo, L, 1.0f, dx + (n0 + i) * CHW, HWo);
        }
        return;
      }
      if (want_w) {
        float* col = grow(ws.col, ckk * L);
        for (int64_t i = 0; i < nc; ++i) im2col(x + (n0 + i) * CHW, g, col + i * HWo, L);
        gemm_serial(false, true, g.O, ckk, L, 1.0f, dz, L, col, L, 0.0f, dw_part, ckk);
      }
      if (want_x) {
        float* dcol = grow(ws.dcol, ckk * L);
        gemm_serial(true, false, ckk, L, g.O, 1.0f, w, ckk, dz, L, 0.0f, dcol, L);
        for (int64_t i = 0; i < nc; ++i) col2im(dcol + i * HWo, L, g, dx + (n0 + i) * CHW);
      }
    });
    if (part == 0) return;
    float* dw = want_w ? in_grad(1).data() : nullptr;
    float* db = want_b ? in_grad(2).data() : nullptr;
    std::vector<float> total(part);
    conv::sum_chunk_partials(partials, nch, part, total.data());
    for (int64_t k = 0; k < dw_size; ++k) dw[k] += total[k];
    for (int64_t k = dw_size; k < part; ++k) db[k - dw_size] += total[k];
  }
};

struct Conv2dReluNode : Conv2dNode {
  using Conv2dNode::Conv2dNode;
  const char* name() const override { return "conv2d_relu"; }
};

}  // namespace

void set_conv_algo(ConvAlgo a) { g_conv_algo = a; }
ConvAlgo conv_algo() { return g_conv_algo; }

Var conv2d(Var x, Var w, Var b, int stride, int pad, bool fuse_relu) {
  const Shape &sx = x.shape(), &sw = w.shape();
  OG_CHECK(sx.nd == 4, "conv2d: input must be [N,C,H,W], got ", sx);
  OG_CHECK(sw.nd == 4 && sw[2] == sw[3], "conv2d: weight must be [O,C,K,K], got ", sw);
  OG_CHECK(sx[1] == sw[1], "conv2d: input ", sx, " has ", sx[1], " channels, weight ", sw,
           " expects ", sw[1]);
  OG_CHECK(stride >= 1 && pad >= 0, "conv2d: stride ", stride, " must be >= 1 and pad ", pad,
           " >= 0 (input ", sx, ", weight ", sw, ")");
  const int64_t K = sw[2];
  OG_CHECK(sx[2] + 2 * pad >= K && sx[3] + 2 * pad >= K, "conv2d: kernel ", sw,
           " is larger than input ", sx, " padded by ", pad);
  if (b.node) {
    OG_CHECK(b.shape().nd == 1 && b.shape()[0] == sw[0], "conv2d: bias ", b.shape(),
             " does not match weight ", sw, " (needs [", sw[0], "])");
  }
  Geom g{sx[0], sx[1], sx[2], sx[3], sw[0], K, stride, pad, 0, 0};
  g.Ho = (g.H + 2 * g.P - K) / g.S + 1;
  g.Wo = (g.W + 2 * g.P - K) / g.S + 1;
  std::vector<Var> ins{x, w};
  if (b.node) ins.push_back(b);
  if (fuse_relu) return x.graph->record_n<Conv2dReluNode>(ins, g, true);
  return x.graph->record_n<Conv2dNode>(ins, g, false);
}

Conv2d::Conv2d(int in_channels, int out_channels, int k, int s, int p, Rng& rng, bool with_bias)
    : in_ch(in_channels), out_ch(out_channels), kernel(k), stride(s), pad(p) {
  OG_CHECK(in_ch >= 1 && out_ch >= 1 && kernel >= 1 && stride >= 1 && pad >= 0,
           "Conv2d: bad configuration ", in_ch, "->", out_ch, " k", kernel, " s", stride, " p", pad);
  const int64_t fan_in = int64_t(in_ch) * kernel * kernel;  // see layers/init.h
  weight = Parameter("weight", Tensor::empty({out_ch, in_ch, kernel, kernel}));
  fan_in_uniform(weight.value, fan_in, rng);
  if (with_bias) {
    bias = Parameter("bias", Tensor::empty({out_ch}));
    fan_in_uniform(bias.value, fan_in, rng);
  }
}

Var Conv2d::forward(Var x) {
  Var b;
  if (bias.value.defined()) b = x.graph->param(bias);
  return conv2d(x, x.graph->param(weight), b, stride, pad, fuse_relu);
}

std::string Conv2d::describe() const {
  return cat(fuse_relu ? "conv2d_relu(" : "conv2d(", in_ch, "->", out_ch, ", k", kernel, " s",
             stride, " p", pad, bias.value.defined() ? "" : ", no bias", ")");
}

void Conv2d::visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
  out.push_back({prefix + "weight", &weight});
  if (bias.value.defined()) out.push_back({prefix + "bias", &bias});
}

}  // namespace og
