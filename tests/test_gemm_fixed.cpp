// gemm_fixed gives exactly the bits of its written order: for each C element,
// c = beta*c, then c = c + (alpha*a_k)*b_k for k ascending, every product and sum
// rounded to float on its own. The reference rounds each product through a volatile
// float, so no build flag can fuse it into an FMA (a product formed in double and cast
// to float was narrowed back to a float multiply and fused at -O3 -march=native).
#include <doctest/doctest.h>

#include <vector>

#include "core/gemm_fixed.h"
#include "helpers.h"

using namespace og;

namespace {

float mul(float x, float y) {
  volatile float p = x * y;
  return p;
}

void check_case(bool ta, bool tb, int M, int N, int K, float alpha, float beta, int pad) {
  Rng rng(M * 1009 + N * 31 + K * 7 + ta * 2 + tb);
  const int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
  Tensor A = test::randn({(ta ? K : M) * lda}, rng), B = test::randn({(tb ? N : K) * ldb}, rng);
  Tensor C = test::randn({M * ldc}, rng);
  Tensor want = C.clone();
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float c = beta == 0.0f ? 0.0f : mul(beta, C[i * ldc + j]);
      for (int k = 0; k < K; ++k) {
        const float a = ta ? A[k * lda + i] : A[i * lda + k];
        const float b = tb ? B[j * ldb + k] : B[k * ldb + j];
        c = c + mul(mul(alpha, a), b);
      }
      want.data()[i * ldc + j] = c;
    }
  gemm_fixed(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
  INFO("ta=", ta, " tb=", tb, " M=", M, " N=", N, " K=", K, " beta=", beta, " pad=", pad);
  CHECK(test::bit_equal(C, want));  // padding entries of C too: they must stay untouched
}

}  // namespace

TEST_CASE("gemm_fixed: bit-identical to the written summation order") {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      check_case(ta, tb, 1, 1, 1, 1.0f, 0.0f, 0);
      check_case(ta, tb, 6, 16, 8, 1.0f, 1.0f, 0);      // one whole register tile
      check_case(ta, tb, 13, 37, 300, 0.5f, 0.25f, 3);  // edge tiles, two k blocks, strides
      check_case(ta, tb, 100, 20, 17, -2.0f, 0.0f, 1);  // two row blocks
      check_case(ta, tb, 3, 2100, 5, 1.0f, 1.0f, 0);    // two column blocks
    }
}

TEST_CASE("gemm_fixed: K = 0 leaves beta * C, and M or N = 0 touches nothing") {
  Rng rng(3);
  Tensor C = test::randn({6}, rng), want = C.clone();
  for (int i = 0; i < 6; ++i) want.data()[i] = mul(0.5f, C[i]);
  gemm_fixed(false, false, 2, 3, 0, 1.0f, nullptr, 1, nullptr, 3, 0.5f, C.data(), 3);
  CHECK(test::bit_equal(C, want));
  gemm_fixed(false, false, 0, 3, 4, 1.0f, nullptr, 4, nullptr, 3, 0.0f, C.data(), 3);
  gemm_fixed(false, false, 2, 0, 4, 1.0f, nullptr, 4, nullptr, 0, 0.0f, C.data(), 3);
  CHECK(test::bit_equal(C, want));
}
