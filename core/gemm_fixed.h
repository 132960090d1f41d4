// gemm_fixed.h — ordgrad's own sgemm whose bits do not depend on the CPU.
//
// Same contract as gemm_naive (core/blas.h): row-major C = alpha*op(A)*op(B) + beta*C.
// Every C[i][j] is computed by the same float operations in the same order:
//   c = (beta == 0 ? 0 : beta * c);  for k = 0..K-1:  c = c + (alpha * a_ik) * b_kj
// Blocking, tiling and vector width only choose which elements are worked on
// together, never the order of one element's additions, so the result equals
// gemm_naive's bit for bit on any x86-64 (its file is built without FMA contraction).
// `make MODE=repro` routes gemm() here instead of OpenBLAS.
#pragma once

namespace og {

void gemm_fixed(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace og
