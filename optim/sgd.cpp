// sgd.cpp — the SGD update (formulas in sgd.h).
#include "optim/sgd.h"

#include "core/check.h"
#include "core/elementwise.h"

namespace og {

SGD::SGD(std::vector<NamedParam> params, float lr_, float momentum_, float weight_decay_,
         bool nesterov_)
    : Optimizer("sgd", std::move(params), lr_),
      momentum(momentum_),
      weight_decay(weight_decay_),
      nesterov(nesterov_) {
  OG_CHECK(momentum >= 0.0f && momentum < 1.0f, "sgd: momentum ", momentum, " must be in [0, 1)");
  OG_CHECK(weight_decay >= 0.0f, "sgd: weight decay ", weight_decay, " must be >= 0");
  OG_CHECK(!nesterov || momentum > 0.0f, "sgd: nesterov needs momentum > 0, got ", momentum);
  if (momentum > 0.0f) momentum_buf_ = zeros_like_params();
}

void SGD::step() {
  const float mu = momentum, wd = weight_decay, rate = lr;
  const bool nest = nesterov;
  for (size_t k = 0; k < params_.size(); ++k) {
    Parameter& prm = *params_[k].param;
    float* p = prm.value.data();
    const float* grad = prm.grad.data();
    float* buf = mu > 0.0f ? momentum_buf_[k].data() : nullptr;
    parallel_for(prm.value.numel(), kElementwiseGrain, [&](int64_t i) {
      float g = grad[i];
      if (wd != 0.0f) g += wd * p[i];
      float d = g;
      if (buf) {
        const float b = flush_tiny(mu * buf[i] + g);
        buf[i] = b;
        d = nest ? g + mu * b : b;
      }
      p[i] -= rate * d;
    });
  }
  ++steps;
}

}  // namespace og
