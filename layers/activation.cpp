// activation.cpp — modules over the core activation ops (see activation.h).
#include "layers/activation.h"

#include "core/ops.h"

namespace og {

Var ReLU::forward(Var x) { return relu(x); }
Var LeakyReLU::forward(Var x) { return leaky_relu(x, slope); }
std::string LeakyReLU::describe() const { return cat("leaky_relu(", slope, ")"); }
Var Sigmoid::forward(Var x) { return sigmoid(x); }
Var Tanh::forward(Var x) { return og::tanh(x); }
Var Flatten::forward(Var x) { return flatten(x); }

}  // namespace og
