// clip.cpp — clip_grad_norm (formula in clip.h).
#include "optim/clip.h"

#include <cmath>

#include "core/check.h"
#include "core/elementwise.h"

namespace og {

float clip_grad_norm(std::vector<NamedParam>& params, float max_norm) {
  OG_CHECK(max_norm > 0.0f, "clip_grad_norm: max_norm ", max_norm, " must be > 0");
  double sum_sq = 0.0;
  for (const NamedParam& p : params) {
    const float* g = p.param->grad.data();
    for (int64_t i = 0, n = p.param->grad.numel(); i < n; ++i) sum_sq += double(g[i]) * g[i];
  }
  const double norm = std::sqrt(sum_sq);
  if (std::isfinite(norm) && norm > max_norm) {
    const float scale = static_cast<float>(max_norm / norm);
    for (NamedParam& p : params) {
      float* g = p.param->grad.data();
      parallel_for(p.param->grad.numel(), kElementwiseGrain, [&](int64_t i) { g[i] *= scale; });
    }
  }
  return static_cast<float>(norm);
}

}  // namespace og
