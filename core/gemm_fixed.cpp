// gemm_fixed.cpp — a cache-blocked, register-tiled sgemm with a fixed summation order.
//
// Blocking as in Goto's method: for a block of kKc values of k, op(B) is packed into
// column panels of kNR and op(A) (times alpha) into row panels of kMR; a micro kernel
// keeps a kMR x kNR tile of C in registers while it walks k. Between k blocks the tile
// goes back to C as float, which is exact, so each element still sees
//   c = init;  c = c + a_0*b_0;  c = c + a_1*b_1;  ...   (k ascending)
// The tile's columns are GCC vector types: their operations are lane by lane (one
// lane = one C element), so whether they become SSE or AVX instructions changes the
// speed only. The file is built with -ffp-contract=off in every mode (Makefile):
// a fused multiply-add would round once instead of twice.
#include "core/gemm_fixed.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace og {
namespace {

typedef float f8 __attribute__((vector_size(32)));

// Tile shape by target: only speed depends on it. With AVX a 6 x 16 tile is 12 of the
// 16 ymm registers; with SSE only, 6 x 8 is 12 of the 16 xmm registers.
#ifdef __AVX__
constexpr int kNV = 2;
#else
constexpr int kNV = 1;
#endif
constexpr int kNR = 8 * kNV;
constexpr int kMR = 6;
constexpr int kKc = 256;   // k per block: a kKc x kNR panel of B is 16 KiB, in L1
constexpr int kMc = 96;    // rows of A per block: 96 KiB, in L2
constexpr int kNc = 2048;  // columns of B per block: 2 MiB, in L3

inline f8 load8(const float* p) {
  f8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, f8 v) { std::memcpy(p, &v, sizeof v); }

// ap: kc steps of kMR values of alpha*A; bp: kc steps of kNR values of B; c: the
// kMR x kNR tile, rows ldc apart, updated in place.
inline void micro_kernel(int kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c,
                         long ldc) {
  // The unroll pragmas let the accumulators live in registers: -O2 does not fully
  // unroll these small loops by itself, and acc then stayed in memory (5x slower).
  f8 acc[kMR][kNV];
#pragma GCC unroll 8
  for (int r = 0; r < kMR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < kNV; ++v) acc[r][v] = load8(c + r * ldc + 8 * v);
  for (int k = 0; k < kc; ++k) {
    f8 b[kNV];
#pragma GCC unroll 2
    for (int v = 0; v < kNV; ++v) b[v] = load8(bp + k * kNR + 8 * v);
#pragma GCC unroll 8
    for (int r = 0; r < kMR; ++r) {
      const float a = ap[k * kMR + r];
#pragma GCC unroll 2
      for (int v = 0; v < kNV; ++v) acc[r][v] = acc[r][v] + a * b[v];
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < kMR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < kNV; ++v) store8(c + r * ldc + 8 * v, acc[r][v]);
}

// dst[k * width + j] = scale * X(k0 + k, j0 + j) for k < kc, j < w, and 0 for j >= w,
// where X(k, j) is x[k * ld + j], or x[j * ld + k] when by_column. A panel of B is
// packed with by_column = trans_b and copied as is (gemm_naive never scales B); one
// of A (as A^T) with by_column = !trans_a and scaled by alpha.
template <bool Scale>
inline void pack(bool by_column, const float* x, int ld, int k0, int j0, int kc, int w, int width,
                 float scale, float* __restrict dst) {
  if (w < width)
    for (int k = 0; k < kc; ++k) std::fill(dst + k * width + w, dst + (k + 1) * width, 0.0f);
  if (by_column) {
    for (int j = 0; j < w; ++j) {
      const float* src = x + static_cast<long>(j0 + j) * ld + k0;
      for (int k = 0; k < kc; ++k) dst[k * width + j] = Scale ? scale * src[k] : src[k];
    }
  } else {
    for (int k = 0; k < kc; ++k) {
      const float* src = x + static_cast<long>(k0 + k) * ld + j0;
      if (Scale) {
        for (int j = 0; j < w; ++j) dst[k * width + j] = scale * src[j];
      } else {  // a plain copy: -O2 left the loop scalar, and it took a quarter of the time
        std::memcpy(dst + k * width, src, sizeof(float) * w);
      }
    }
  }
}

}  // namespace

void gemm_fixed(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  for (int i = 0; i < M; ++i) {  // c = beta * c first, as gemm_naive does
    float* c = C + static_cast<long>(i) * ldc;
    for (int j = 0; j < N; ++j) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
  }
  if (K <= 0) return;
  const int nc_max = std::min(kNc, (N + kNR - 1) / kNR * kNR);
  std::vector<float> bpack(static_cast<size_t>(kKc) * nc_max), apack(static_cast<size_t>(kKc) * kMc);
  alignas(32) float tile[kMR * kNR];
  for (int jc = 0; jc < N; jc += kNc) {
    const int nc = std::min(kNc, N - jc);
    for (int pc = 0; pc < K; pc += kKc) {
      const int kc = std::min(kKc, K - pc);
      // B[pc.., jc..] as panels of kNR columns, k-major; columns past N are 0.
      for (int jp = 0; jp < nc; jp += kNR) {
        float* dst = bpack.data() + static_cast<long>(jp) * kc;
        const int w = std::min(kNR, nc - jp);
        pack<false>(tb, B, ldb, pc, jc + jp, kc, w, kNR, 1.0f, dst);
      }
      for (int ic = 0; ic < M; ic += kMc) {
        const int mc = std::min(kMc, M - ic);
        // alpha * A[ic.., pc..] as panels of kMR rows, k-major; rows past M are 0.
        for (int ip = 0; ip < mc; ip += kMR) {
          float* dst = apack.data() + static_cast<long>(ip) * kc;
          const int h = std::min(kMR, mc - ip);
          pack<true>(!ta, A, lda, pc, ic + ip, kc, h, kMR, alpha, dst);
        }
        for (int jp = 0; jp < nc; jp += kNR) {
          const int w = std::min(kNR, nc - jp);
          for (int ip = 0; ip < mc; ip += kMR) {
            const int h = std::min(kMR, mc - ip);
            float* c = C + static_cast<long>(ic + ip) * ldc + jc + jp;
            const float* ap = apack.data() + static_cast<long>(ip) * kc;
            const float* bp = bpack.data() + static_cast<long>(jp) * kc;
            if (h == kMR && w == kNR) {
              micro_kernel(kc, ap, bp, c, ldc);
              continue;
            }
            // An edge tile round-trips through a small buffer, so it needs no kernel of
            // its own; lanes past the edge compute on zeros and are dropped.
            std::fill(tile, tile + kMR * kNR, 0.0f);
            for (int r = 0; r < h; ++r) std::memcpy(tile + r * kNR, c + static_cast<long>(r) * ldc, sizeof(float) * w);
            micro_kernel(kc, ap, bp, tile, kNR);
            for (int r = 0; r < h; ++r) std::memcpy(c + static_cast<long>(r) * ldc, tile + r * kNR, sizeof(float) * w);
          }
        }
      }
    }
  }
}

}  // namespace og
