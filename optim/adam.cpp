// adam.cpp — the Adam / AdamW update (formulas in adam.h).
#include "optim/adam.h"

#include <cmath>

#include "core/check.h"
#include "core/elementwise.h"

namespace og {

Adam::Adam(bool decoupled, std::vector<NamedParam> params, float lr_, float weight_decay_,
           float beta1_, float beta2_, float eps_)
    : Optimizer(decoupled ? "adamw" : "adam", std::move(params), lr_),
      weight_decay(weight_decay_),
      beta1(beta1_),
      beta2(beta2_),
      eps(eps_),
      decoupled_(decoupled),
      m_(zeros_like_params()),
      v_(zeros_like_params()) {
  OG_CHECK(beta1 >= 0.0f && beta1 < 1.0f && beta2 >= 0.0f && beta2 < 1.0f, name(), ": betas (",
           beta1, ", ", beta2, ") must be in [0, 1)");
  OG_CHECK(eps > 0.0f, name(), ": eps ", eps, " must be > 0");
  OG_CHECK(weight_decay >= 0.0f, name(), ": weight decay ", weight_decay, " must be >= 0");
}

std::vector<NamedTensor> Adam::state() {
  std::vector<NamedTensor> out = named("adam.m", m_);
  for (NamedTensor& t : named("adam.v", v_)) out.push_back(std::move(t));
  return out;
}

void Adam::step() {
  // Bias corrections in double: 1 - b^t loses digits in float once b^t is near 1.
  const double t = static_cast<double>(steps + 1);
  const float correction1 = static_cast<float>(1.0 - std::pow(double(beta1), t));
  const float sqrt_correction2 = static_cast<float>(std::sqrt(1.0 - std::pow(double(beta2), t)));
  const float step_size = lr / correction1;
  const float b1 = beta1, b2 = beta2, e = eps;
  const float l2 = decoupled_ ? 0.0f : weight_decay;
  const float shrink = decoupled_ ? 1.0f - lr * weight_decay : 1.0f;
  for (size_t k = 0; k < params_.size(); ++k) {
    Parameter& prm = *params_[k].param;
    float* p = prm.value.data();
    const float* grad = prm.grad.data();
    float *m = m_[k].data(), *v = v_[k].data();
    parallel_for(prm.value.numel(), kElementwiseGrain, [&](int64_t i) {
      float g = grad[i];
      if (l2 != 0.0f) g += l2 * p[i];
      if (shrink != 1.0f) p[i] *= shrink;
      const float mi = flush_tiny(b1 * m[i] + (1.0f - b1) * g);
      const float vi = flush_tiny(b2 * v[i] + (1.0f - b2) * g * g);
      m[i] = mi;
      v[i] = vi;
      p[i] -= step_size * mi / (std::sqrt(vi) / sqrt_correction2 + e);
    });
  }
  ++steps;
}

}  // namespace og
