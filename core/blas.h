// blas.h — the one matrix-multiply entry point of ordgrad.
//
// Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, where op(X) is X
// or X^T. gemm() splits the larger of M and N into fixed 64-wide blocks and runs
// one single-threaded sgemm per block on the OpenMP threads: the partition does
// not depend on the thread count, so neither do the results. gemm_serial() is one
// plain call, for use inside a parallel region. gemm_naive() is the reference
// loop used by `make BLAS=none` and by the tests; `make BLAS=fixed` (the default of
// MODE=repro) runs gemm_fixed() (core/gemm_fixed.h), which gives gemm_naive's bits.
#pragma once
#include <cstdint>

namespace og {

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);
void gemm_serial(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                 int lda, const float* B, int ldb, float beta, float* C, int ldc);
// Profiling (`ordgrad bench --profile`): while on, gemm_serial adds its wall time and
// its 2*M*N*K floating-point operations to process-wide totals. Off, it costs one
// relaxed atomic load per call.
struct GemmTotals {
  double seconds = 0;  // summed over threads: wall time only at 1 thread
  double flops = 0;
};
void set_gemm_profiling(bool on);
GemmTotals gemm_totals();

void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                int lda, const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace og
