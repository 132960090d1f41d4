// The gemm wrapper agrees with the naive loop in every transpose case and size,
// and is bit-identical whatever the number of OpenMP threads.
#include <doctest/doctest.h>

#include <cmath>

#include "core/blas.h"
#include "core/parallel.h"
#include "helpers.h"

using namespace og;

static void check_case(bool ta, bool tb, int M, int N, int K, float beta) {
  Rng rng(M * 131 + N * 7 + K);
  Tensor A = test::randn({M * K}, rng), B = test::randn({K * N}, rng);
  Tensor C0 = test::randn({M * N}, rng);
  Tensor C1 = C0.clone(), C2 = C0.clone();
  const int lda = ta ? M : K, ldb = tb ? K : N;
  gemm(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, beta, C1.data(), N);
  gemm_naive(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, beta, C2.data(), N);
  double worst = 0;
  for (int i = 0; i < M * N; ++i)
    worst = std::max(worst, std::fabs(double(C1[i]) - C2[i]) / (1.0 + std::fabs(C2[i])));
  INFO("ta=", ta, " tb=", tb, " M=", M, " N=", N, " K=", K);
  CHECK(worst < 1e-4 * std::sqrt(double(K)));
}

TEST_CASE("gemm matches the naive reference") {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      check_case(ta, tb, 3, 5, 7, 0.0f);
      check_case(ta, tb, 130, 70, 33, 1.0f);   // split over row blocks
      check_case(ta, tb, 40, 200, 50, 0.5f);   // split over column blocks
      check_case(ta, tb, 1, 1, 1, 1.0f);
    }
}

TEST_CASE("gemm is bit-identical for 1 and 2 threads") {
  Rng rng(5);
  const int M = 300, N = 150, K = 90;
  Tensor A = test::randn({M * K}, rng), B = test::randn({K * N}, rng);
  Tensor C1 = Tensor::zeros({M * N}), C2 = Tensor::zeros({M * N});
  const int keep = num_threads();
  set_num_threads(1);
  gemm(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, C1.data(), N);
  set_num_threads(2);
  gemm(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, C2.data(), N);
  set_num_threads(keep);
  CHECK(test::bit_equal(C1, C2));
}
