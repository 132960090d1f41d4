// conv2d_winograd — 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3)
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
//
// The output is cut into 2x2 tiles; tile t of image n reads the 4x4 input patch d
// starting at (2*ti - P, 2*tj - P) (outside the image reads 0). For one (o, c) pair
//   Y_t = A^T [ (G g G^T) ⊙ (B^T d_t B) ] A,    summed over c, plus the bias,
// with  B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//       G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//       A^T = [1 1 1 0; 0 1 -1 -1]
// which is exactly the correlation of d with g (16 multiplications per tile and
// channel pair instead of 36). Writing U = G g G^T and V_t = B^T d_t B, the 16
// positions e of the 4x4 transforms are independent, so the sum over c is 16 GEMMs:
//   forward : M[e] (O x T) = U[e] (O x C) · V[e] (C x T);   Y_t = A^T M_t A (+b, relu)
//   backward: dZ = dY (· 1[y > 0] with relu);  dM_t = A dZ_t A^T  (dZ = 0 off the image)
//             dU[e] = dM[e] · V[e]^T   -> dw[o,c] += G^T dU G      db[o] += sum dZ
//             dV[e] = U[e]^T · dM[e]   -> dd_t = B dV_t B^T, added into dx over the
//                                         overlapping 4x4 patches
// These are the exact gradients of the forward (each step is linear), so they equal
// the im2col gradients up to float rounding; tests/test_conv.cpp compares both with
// the naive convolution, and the gradient table checks them by finite differences.
// saves   : nothing; V is recomputed in backward (as im2col's col is). Keeping it
//           (6.8 MB for conv2 of the reference CNN at batch 64) gained only 0.2 ms.
// parallel: OpenMP over chunks of whole images (their count depends on the shape
//           only). Each thread owns its chunk's workspaces, its images of y and dx,
//           and its chunk's partial dU and db; the partials are summed in chunk order
//           afterwards, so results are bit-identical for any thread count.
#include "layers/conv2d_winograd.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/blas.h"
#include "core/parallel.h"
#include "layers/conv_common.h"
#include "layers/winograd_transforms.h"

namespace og {
namespace {

using namespace wino;

using conv::grow;

constexpr int64_t kTileTarget = 392;  // tiles per chunk: 8 images of 14x14 outputs (measured best of 98, 196, 392)

// Per-thread scratch, grown on demand and reused across calls.
struct WinogradWorkspace {
  std::vector<float> v, m, dv;  // V, M (or dM), dV of a chunk: [16][C or O][T]
  std::vector<float> tiles;  // tile-major arrays of one plane or one channel
  std::vector<float> plane;  // one split plane (or one plane of dZ)
  std::vector<float> row;    // one padded row
};
thread_local WinogradWorkspace tls_wino;
thread_local std::vector<float> tls_wino_partials;

// Stride between the 16 blocks [e][rows][T] of V, M and dV: a multiple of 4 KiB plus
// 128 bytes, so the 16 streams a transform reads or writes at once never share a
// cache set (with a stride of exactly 64 KiB, 16x16 images ran 4x slower).
int64_t block_stride(int64_t n) { return (n + 1023) / 1024 * 1024 + 32; }


struct Tiling {
  int64_t th, tw, per_image, images_per_chunk, chunks;
  int64_t qsize;  // floats in one of the 8 arrays of a split plane
  explicit Tiling(const WinogradConv& s) {
    th = (s.Ho + 1) / 2;
    tw = (s.Wo + 1) / 2;
    per_image = th * tw;
    images_per_chunk = std::clamp<int64_t>((kTileTarget + per_image - 1) / per_image, 1, s.N);
    chunks = (s.N + images_per_chunk - 1) / images_per_chunk;
    qsize = (th + 1) * tw;
  }
};

// The transforms run over tiles in "tile-major" arrays (value k of tile t at
// a[k * T + t]): their loops over t have no branches and vectorise.
//
// To read the 4x4 patches without strided loads, a plane is first split into 8
// arrays by the parity p of the padded row, the parity r of the padded column and a
// shift s of one column pair:
//   q[p, r, s][a * tw + k] = xpad[2a + p, 2k + 2s + r],   a <= th, k < tw,
// xpad being the plane shifted by P and surrounded by zeros. Patch entry (i, j) of
// tile t = ti * tw + tj is then q[i%2, j%2, j/2][t + (i/2) tw]: a fixed offset from t.
const float* split_array(const float* q, const Tiling& tl, int p, int r, int s) {
  return q + ((p * 2 + r) * 2 + s) * tl.qsize;
}

// One padded row R of the plane (zeros outside the image) into row[0, 2 tw + 2).
void padded_row(const float* x, const WinogradConv& s, const Tiling& tl, int64_t R, float* row) {
  const int64_t n = 2 * tl.tw + 2, r = R - s.P;
  std::fill(row, row + n, 0.0f);
  if (r < 0 || r >= s.H) return;
  const int64_t cols = std::min(s.W, n - s.P);
  std::copy(x + r * s.W, x + r * s.W + cols, row + s.P);
}

void split_plane(const float* x, const WinogradConv& s, const Tiling& tl, float* q, float* row) {
  for (int64_t R = 0; R < 2 * (tl.th + 1); ++R) {
    padded_row(x, s, tl, R, row);
    const int p = int(R % 2);
    float* q00 = const_cast<float*>(split_array(q, tl, p, 0, 0)) + (R / 2) * tl.tw;
    float* q10 = q00 + 2 * tl.qsize;  // r = 1, s = 0
    float* q01 = q00 + tl.qsize;      // r = 0, s = 1
    float* q11 = q00 + 3 * tl.qsize;
    for (int64_t k = 0; k < tl.tw; ++k) {
      q00[k] = row[2 * k];
      q10[k] = row[2 * k + 1];
      q01[k] = row[2 * k + 2];
      q11[k] = row[2 * k + 3];
    }
  }
}

// The adjoint of split_plane: dx[r, c] += the entries of q that copied x[r, c] (= with
// assign: every element of the plane is written once).
void merge_plane_add(const float* q, const WinogradConv& s, const Tiling& tl, float* dx, float* row, bool assign) {
  const int64_t n = 2 * tl.tw + 2;
  for (int64_t R = 0; R < 2 * (tl.th + 1); ++R) {
    const int64_t r = R - s.P;
    if (r < 0 || r >= s.H) continue;
    const float* q00 = split_array(q, tl, int(R % 2), 0, 0) + (R / 2) * tl.tw;
    const float *q10 = q00 + 2 * tl.qsize, *q01 = q00 + tl.qsize, *q11 = q00 + 3 * tl.qsize;
    row[0] = q00[0];
    row[1] = q10[0];
    for (int64_t k = 1; k < tl.tw; ++k) {  // padded columns 2k, 2k+1 come from s = 0 and s = 1
      row[2 * k] = q00[k] + q01[k - 1];
      row[2 * k + 1] = q10[k] + q11[k - 1];
    }
    row[n - 2] = q01[tl.tw - 1];
    row[n - 1] = q11[tl.tw - 1];
    const int64_t cols = std::min(s.W, n - s.P);
    float* d = dx + r * s.W;
    if (assign) std::copy(row + s.P, row + s.P + cols, d);
    else for (int64_t c = 0; c < cols; ++c) d[c] += row[c + s.P];
  }
}

// The 16 patch entries of a split plane's tiles, as arrays over t.
void patch_rows(const float* q, const Tiling& tl, const float* rows[16]) {
  for (int k = 0; k < 16; ++k) {
    const int i = k / 4, j = k % 4;
    rows[k] = split_array(q, tl, i % 2, j % 2, j / 2) + (i / 2) * tl.tw;
  }
}

// The adjoint of reading the patch rows: q[...] += d[k * T + t] for one plane's tiles.
void scatter_add_patches(const float* d, int64_t T, const Tiling& tl, float* q) {
  for (int k = 0; k < 16; ++k) {
    const int i = k / 4, j = k % 4;
    float* dst = const_cast<float*>(split_array(q, tl, i % 2, j % 2, j / 2)) + (i / 2) * tl.tw;
    const float* src = d + k * T;
    for (int64_t t = 0; t < tl.per_image; ++t) dst[t] += src[t];
  }
}

// y[2 ti + a, 2 tj + b] = out[(2a+b) T + t] for the outputs inside the plane.
void scatter_output(const float* out, int64_t T, const WinogradConv& s, const Tiling& tl, float* y) {
  const int64_t pairs = s.Wo / 2;  // tiles with both columns inside
  for (int64_t r = 0; r < s.Ho; ++r) {
    const int64_t ti = r / 2, a = r % 2;
    const float* s0 = out + (2 * a) * T + ti * tl.tw;
    const float* s1 = s0 + T;
    float* d = y + r * s.Wo;
    for (int64_t tj = 0; tj < pairs; ++tj) {
      d[2 * tj] = s0[tj];
      d[2 * tj + 1] = s1[tj];
    }
    if (s.Wo % 2) d[s.Wo - 1] = s0[pairs];
  }
}

// z[(2a+b) T + t] = dz[2 ti + a, 2 tj + b] of one plane, 0 outside it.
void gather_output_grad(const float* dz, const WinogradConv& s, const Tiling& tl, float* z, int64_t T) {
  const int64_t pairs = s.Wo / 2;
  for (int64_t r = 0; r < 2 * tl.th; ++r) {
    const int64_t ti = r / 2, a = r % 2;
    float* z0 = z + (2 * a) * T + ti * tl.tw;
    float* z1 = z0 + T;
    if (r >= s.Ho) {  // the bottom half of the last tiles, below the plane
      std::fill(z0, z0 + tl.tw, 0.0f);
      std::fill(z1, z1 + tl.tw, 0.0f);
      continue;
    }
    const float* src = dz + r * s.Wo;
    for (int64_t tj = 0; tj < pairs; ++tj) {
      z0[tj] = src[2 * tj];
      z1[tj] = src[2 * tj + 1];
    }
    if (s.Wo % 2) {
      z0[pairs] = src[s.Wo - 1];
      z1[pairs] = 0.0f;
    }
  }
}


// V of the images [n0, n0 + nc) of a chunk: block e of channel c at v[e * ev + c * T + t].
void transform_chunk(const WinogradConv& s, const Tiling& tl, const float* x, int64_t n0,
                     int64_t nc, float* v, int64_t ev) {
  WinogradWorkspace& ws = tls_wino;
  float* q = grow(ws.plane, std::max(8 * tl.qsize, s.Ho * s.Wo));
  float* row = grow(ws.row, 2 * tl.tw + 2);
  const int64_t T = nc * tl.per_image;
  const float* rows[16];
  for (int64_t i = 0; i < nc; ++i)
    for (int64_t c = 0; c < s.C; ++c) {
      split_plane(x + ((n0 + i) * s.C + c) * s.H * s.W, s, tl, q, row);
      patch_rows(q, tl, rows);
      transform_input(rows, tl.per_image, v + c * T + i * tl.per_image, ev);
    }
}

}  // namespace


void WinogradConv::forward(const float* x, const float* w, const float* b, bool relu, float* y) const {
  const Tiling tl(*this);
  std::vector<float> U(16 * O * C);
  transform_weights(w, O, C, U.data());
  const int64_t HWo = Ho * Wo, pt = tl.per_image;
  parallel_for(tl.chunks, 2, [&](int64_t ch) {
    const int64_t n0 = ch * tl.images_per_chunk, nc = std::min(tl.images_per_chunk, N - n0);
    const int64_t T = nc * pt, ev = block_stride(C * T), em = block_stride(O * T);
    WinogradWorkspace& ws = tls_wino;
    float* v = grow(ws.v, 16 * ev);
    float* m = grow(ws.m, 16 * em);
    float* tiles = grow(ws.tiles, 4 * T);
    transform_chunk(*this, tl, x, n0, nc, v, ev);
    for (int e = 0; e < 16; ++e)
      gemm_serial(false, false, O, T, C, 1.0f, U.data() + e * O * C, C, v + e * ev, T, 0.0f,
                  m + e * em, T);
    for (int64_t o = 0; o < O; ++o) {
      transform_output(m + o * T, em, T, b ? b[o] : 0.0f, relu, tiles);
      for (int64_t i = 0; i < nc; ++i)
        scatter_output(tiles + i * pt, T, *this, tl, y + ((n0 + i) * O + o) * HWo);
    }
  });
}

void WinogradConv::backward(const float* x, const float* w, const float* y, const float* gy,
                            bool relu, float* dx, float* dw, float* db, bool assign_dx) const {
  const Tiling tl(*this);
  std::vector<float> U;
  if (dx) {
    U.resize(16 * O * C);
    transform_weights(w, O, C, U.data());
  }
  const int64_t HW = H * W, HWo = Ho * Wo, pt = tl.per_image;
  const int64_t du_size = dw ? 16 * O * C : 0, part = du_size + (db ? O : 0);
  float* partials = grow(tls_wino_partials, tl.chunks * part);
  parallel_for(tl.chunks, 2, [&](int64_t ch) {
    const int64_t n0 = ch * tl.images_per_chunk, nc = std::min(tl.images_per_chunk, N - n0);
    const int64_t T = nc * pt, ev = block_stride(C * T), em = block_stride(O * T);
    float* du = partials + ch * part;
    float* db_part = du + du_size;
    WinogradWorkspace& ws = tls_wino;
    float* dm = grow(ws.m, 16 * em);
    float* tiles = grow(ws.tiles, 16 * std::max(T, tl.per_image));
    float* q = grow(ws.plane, std::max(8 * tl.qsize, HWo));
    float* row = grow(ws.row, 2 * tl.tw + 2);
    for (int64_t o = 0; o < O; ++o) {
      double sum = 0;
      for (int64_t i = 0; i < nc; ++i) {
        const int64_t at = ((n0 + i) * O + o) * HWo;
        const float* dz = gy + at;  // without relu, dZ is gy itself: no copy
        if (relu) {
          conv::relu_mask(gy + at, y + at, q, HWo, true);
          dz = q;
        }
        if (db) sum += conv::lane_sum(dz, HWo);
        gather_output_grad(dz, *this, tl, tiles + i * pt, T);
      }
      transform_output_grad(tiles, T, dm + o * T, em);
      if (db) db_part[o] = static_cast<float>(sum);
    }
    if (dw) {
      float* v = grow(ws.v, 16 * ev);
      transform_chunk(*this, tl, x, n0, nc, v, ev);
      for (int e = 0; e < 16; ++e)
        gemm_serial(false, true, O, C, T, 1.0f, dm + e * em, T, v + e * ev, T, 0.0f,
                    du + e * O * C, C);
    }
    if (dx) {
      float* dv = grow(ws.dv, 16 * ev);
      for (int e = 0; e < 16; ++e)
        gemm_serial(true, false, C, T, O, 1.0f, U.data() + e * O * C, C, dm + e * em, T, 0.0f,
                    dv + e * ev, T);
      for (int64_t i = 0; i < nc; ++i)
        for (int64_t c = 0; c < C; ++c) {
          transform_input_grad(dv + c * T + i * pt, ev, pt, tiles);
          std::fill(q, q + 8 * tl.qsize, 0.0f);
          scatter_add_patches(tiles, pt, tl, q);
          merge_plane_add(q, *this, tl, dx + ((n0 + i) * C + c) * HW, row, assign_dx);
        }
    }
  });
  if (part == 0) return;
  std::vector<float> total(part);
  conv::sum_chunk_partials(partials, tl.chunks, part, total.data());
  if (dw) add_weight_grad(total.data(), O, C, dw);
  if (db)
    for (int64_t o = 0; o < O; ++o) db[o] += total[du_size + o];
}

}  // namespace og
