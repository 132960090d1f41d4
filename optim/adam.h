// adam.h — Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019, decoupled decay).
//
// update, per element of each parameter p, at step t = steps + 1:
//   g  = grad                 (Adam: g += wd * p, L2 decay through the moments)
//   p *= 1 - lr * wd          (AdamW only: decay applied to p directly)
//   m  = b1 * m + (1 - b1) * g
//   v  = b2 * v + (1 - b2) * g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The last line is lr * m_hat / (sqrt(v_hat) + eps) with the bias-corrected moments
// m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t): at t = 1 they equal g and g^2, so
// the first step is lr * g / (|g| + eps), about lr * sign(g).
// state   : "adam.m.<param>", "adam.v.<param>" (both flushed, see optimizer.h);
//           the bias correction needs `steps`, so restore it with the moments
// parallel: og::parallel_for over the elements of each parameter
#pragma once
#include "optim/optimizer.h"

namespace og {

class Adam : public Optimizer {
 public:
  // Throws og::Error for lr < 0, betas outside [0, 1), eps <= 0 or weight_decay < 0.
  Adam(std::vector<NamedParam> params, float lr = 1e-3f, float weight_decay = 0.0f,
       float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
      : Adam(false, std::move(params), lr, weight_decay, beta1, beta2, eps) {}
  void step() override;
  const char* name() const override { return decoupled_ ? "adamw" : "adam"; }
  std::vector<NamedTensor> state() override;

  const float weight_decay, beta1, beta2, eps;

 protected:
  Adam(bool decoupled, std::vector<NamedParam> params, float lr, float weight_decay, float beta1,
       float beta2, float eps);

 private:
  const bool decoupled_;  // AdamW
  std::vector<Tensor> m_, v_;
};

// Adam with decoupled weight decay: p *= 1 - lr * wd, and the moments see the bare gradient.
class AdamW : public Adam {
 public:
  AdamW(std::vector<NamedParam> params, float lr = 1e-3f, float weight_decay = 1e-2f,
        float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
      : Adam(true, std::move(params), lr, weight_decay, beta1, beta2, eps) {}
};

}  // namespace og
