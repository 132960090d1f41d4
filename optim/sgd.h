// sgd.h — stochastic gradient descent with momentum, Nesterov and weight decay.
//
// update (PyTorch's formulas, dampening 0), per element of each parameter p:
//   g   = grad + wd * p
//   buf = mu * buf + g                    (buf starts at 0, so the first buf is g)
//   d   = nesterov ? g + mu * buf : buf   (d = g when mu = 0: no buffer at all)
//   p  -= lr * d
// state   : "momentum.<param>" (one buffer per parameter, only when mu > 0);
//           buf is stored flushed (|buf| < 1e-30 -> 0, see optimizer.h)
// parallel: og::parallel_for over the elements of each parameter
#pragma once
#include "optim/optimizer.h"

namespace og {

class SGD : public Optimizer {
 public:
  // Throws og::Error for lr < 0, momentum outside [0, 1), weight_decay < 0, or
  // nesterov without momentum.
  SGD(std::vector<NamedParam> params, float lr, float momentum = 0.0f, float weight_decay = 0.0f,
      bool nesterov = false);
  void step() override;
  const char* name() const override { return "sgd"; }
  std::vector<NamedTensor> state() override { return named("momentum", momentum_buf_); }

  const float momentum, weight_decay;
  const bool nesterov;

 private:
  std::vector<Tensor> momentum_buf_;  // empty when momentum == 0
};

}  // namespace og
