// blas.cpp — sgemm through OpenBLAS (or the fixed-order or naive loop), and thread settings.
#include "core/blas.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "core/gemm_fixed.h"
#include "core/parallel.h"

#ifndef OG_NO_BLAS
#include <cblas.h>
#endif

namespace og {

void set_num_threads(int n) {
  if (n < 1) n = 1;
  omp_set_num_threads(n);
#ifndef OG_NO_BLAS
  openblas_set_num_threads(1);
#endif
}

int num_threads() { return omp_get_max_threads(); }
bool in_parallel() { return omp_in_parallel() != 0; }

const char* blas_config() {
#ifndef OG_NO_BLAS
  return openblas_get_config();
#elif defined(OG_FIXED_GEMM)
  return "fixed-order gemm (BLAS=fixed, core/gemm_fixed.cpp)";
#else
  return "naive (BLAS=none)";
#endif
}

void gemm_naive(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    float* c = C + static_cast<long>(i) * ldc;
    for (int j = 0; j < N; ++j) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
    for (int k = 0; k < K; ++k) {
      const float a = alpha * (ta ? A[static_cast<long>(k) * lda + i] : A[static_cast<long>(i) * lda + k]);
      if (tb) {
        for (int j = 0; j < N; ++j) c[j] += a * B[static_cast<long>(j) * ldb + k];
      } else {
        const float* b = B + static_cast<long>(k) * ldb;
        for (int j = 0; j < N; ++j) c[j] += a * b[j];
      }
    }
  }
}

namespace {
std::atomic<bool> g_profiling{false};
std::atomic<int64_t> g_gemm_ns{0}, g_gemm_flops{0};

void gemm_call(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
               const float* B, int ldb, float beta, float* C, int ldc) {
#ifndef OG_NO_BLAS
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N,
              K, alpha, A, lda, B, ldb, beta, C, ldc);
#elif defined(OG_FIXED_GEMM)
  gemm_fixed(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
  gemm_naive(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}
}  // namespace

void set_gemm_profiling(bool on) { g_profiling.store(on, std::memory_order_relaxed); }

GemmTotals gemm_totals() {
  return {1e-9 * static_cast<double>(g_gemm_ns.load()), static_cast<double>(g_gemm_flops.load())};
}

void gemm_serial(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
                 const float* B, int ldb, float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  if (!g_profiling.load(std::memory_order_relaxed))
    return gemm_call(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  const auto t0 = std::chrono::steady_clock::now();
  gemm_call(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0);
  g_gemm_ns += ns.count();
  g_gemm_flops += 2 * int64_t(M) * N * K;
}

void gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
  constexpr int kBlock = 64;
  const bool split_rows = M >= N;
  const int len = split_rows ? M : N;
  const int blocks = (len + kBlock - 1) / kBlock;
  // Small products: one call. (The choice depends on the sizes only, never on the
  // thread count or on being inside a parallel region, so results stay identical.)
  if (blocks < 2 || static_cast<double>(M) * N * K < 2e5) {
    gemm_serial(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  parallel_for(blocks, 2, [&](int64_t b) {
    const int lo = static_cast<int>(b) * kBlock, n = std::min(kBlock, len - lo);
    if (split_rows) {  // rows lo..lo+n of op(A) and of C
      const float* a = ta ? A + lo : A + static_cast<long>(lo) * lda;
      gemm_serial(ta, tb, n, N, K, alpha, a, lda, B, ldb, beta, C + static_cast<long>(lo) * ldc, ldc);
    } else {           // columns lo..lo+n of op(B) and of C
      const float* bp = tb ? B + static_cast<long>(lo) * ldb : B + lo;
      gemm_serial(ta, tb, M, n, K, alpha, A, lda, bp, ldb, beta, C + lo, ldc);
    }
  });
}

}  // namespace og
