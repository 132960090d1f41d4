// activation.h — parameter-free modules over the core elementwise ops (core/ops.h),
// so they can sit in a Sequential. The math, saved values and parallelisation are
// those of the wrapped ops:
//   ReLU       y = max(x, 0)                       dx += g 1[x > 0]
//   LeakyReLU  y = x > 0 ? x : slope x             dx += g (x > 0 ? 1 : slope)
//   Sigmoid    y = 1 / (1 + e^-x)                  dx += g y (1 - y)
//   Tanh       y = tanh x                          dx += g (1 - y^2)
//   Flatten    [N, ...] -> [N, rest] (a reshape)   dx += g
#pragma once
#include <string>

#include "core/module.h"

namespace og {

class ReLU : public Module {
 public:
  Var forward(Var x) override;
  std::string describe() const override { return "relu"; }
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(float negative_slope = 0.01f) : slope(negative_slope) {}
  Var forward(Var x) override;
  std::string describe() const override;  // "leaky_relu(0.01)"
  float slope;
};

class Sigmoid : public Module {
 public:
  Var forward(Var x) override;
  std::string describe() const override { return "sigmoid"; }
};

class Tanh : public Module {
 public:
  Var forward(Var x) override;
  std::string describe() const override { return "tanh"; }
};

class Flatten : public Module {
 public:
  Var forward(Var x) override;
  std::string describe() const override { return "flatten"; }
};

}  // namespace og
