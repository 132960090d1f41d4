// row_math — softmax and log-sum-exp of one row of logits in double; the formulas
// are in row_math.h.
#include "losses/row_math.h"

namespace og {
namespace {
// The largest logit: subtracted before exponentiating, so every exponent is <= 0.
double row_max(const float* z, int64_t K) {
  double m = z[0];
  for (int64_t k = 1; k < K; ++k) m = std::max(m, double(z[k]));
  return m;
}
}  // namespace

double logsumexp_row(const float* z, int64_t K) {
  const double m = row_max(z, K);
  double s = 0;
  for (int64_t k = 0; k < K; ++k) s += std::exp(z[k] - m);
  return m + std::log(s);
}

double softmax_row(const float* z, int64_t K, double* p) {
  const double m = row_max(z, K);
  double s = 0;
  for (int64_t k = 0; k < K; ++k) s += p[k] = std::exp(z[k] - m);
  for (int64_t k = 0; k < K; ++k) p[k] /= s;
  return m + std::log(s);
}

void log_softmax_row(const float* z, int64_t K, double* logp) {
  const double lse = logsumexp_row(z, K);
  for (int64_t k = 0; k < K; ++k) logp[k] = z[k] - lse;
}

void prefix_suffix_logsumexp(const float* z, int64_t K, double* A, double* B) {
  A[0] = z[0];
  for (int64_t k = 1; k < K; ++k) A[k] = log_add_exp(A[k - 1], z[k]);
  B[K - 1] = z[K - 1];
  for (int64_t k = K - 1; k-- > 0;) B[k] = log_add_exp(B[k + 1], z[k]);
}

double soft_target_ce(const float* z, int64_t K, const double* q, float* dz) {
  const double lse = logsumexp_row(z, K);
  double loss = 0;
  for (int64_t k = 0; k < K; ++k) loss -= q[k] * (z[k] - lse);
  if (dz)
    for (int64_t k = 0; k < K; ++k) dz[k] = static_cast<float>(std::exp(z[k] - lse) - q[k]);
  return loss;
}

}  // namespace og
