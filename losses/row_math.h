// row_math.h — softmax and log-sum-exp of one row of logits, in double, for the
// losses that fuse the softmax into their node (the RowLossNode losses, the group
// totals).
//
// Every function takes the K logits z_0..z_{K-1} of one row (K >= 1) and never
// overflows or takes the log of a difference:
//   logsumexp(z) = m + log sum_k e^(z_k - m),  m = max_k z_k  (every exponent <= 0)
//   p_k = softmax(z)_k = e^(z_k - m) / sum_j e^(z_j - m)
//   log p_k = z_k - logsumexp(z)
//   log_add_exp(a, b) = log(e^a + e^b) = max + log1p(e^(min - max))
//   prefix / suffix: A_k = logsumexp_{j<=k} z_j,  B_k = logsumexp_{j>=k} z_j, so
//     log F_k = A_k - lse and log(1 - F_k) = B_{k+1} - lse (F_k = sum_{j<=k} p_j)
//     without forming 1 - F_k (cum_bce, cdw_ce).
// Soft-target cross-entropy (sord, gauss_ld; losses/soft_target.h): for a target
// distribution q (sum 1), L = -sum_k q_k log p_k and dL/dz_k = p_k - q_k.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace og {

// logsumexp(z) of K logits.
double logsumexp_row(const float* z, int64_t K);

// Writes p = softmax(z) to p (K entries); returns logsumexp(z).
double softmax_row(const float* z, int64_t K, double* p);

// Writes log p = z - logsumexp(z) to logp (K entries).
void log_softmax_row(const float* z, int64_t K, double* logp);

// log(e^a + e^b) without overflow.
inline double log_add_exp(double a, double b) {
  const double hi = std::max(a, b), lo = std::min(a, b);
  return hi + std::log1p(std::exp(lo - hi));
}

// Writes the prefix and suffix log-sum-exps A (K entries, A_{K-1} = logsumexp(z))
// and B (K entries, B_0 = logsumexp(z)), each by a running log_add_exp.
void prefix_suffix_logsumexp(const float* z, int64_t K, double* A, double* B);

// Cross-entropy of p = softmax(z) against a distribution q (K entries, sum 1):
// returns -sum_k q_k log p_k and writes the gradient p - q to dz if dz is not null.
double soft_target_ce(const float* z, int64_t K, const double* q, float* dz);

}  // namespace og
