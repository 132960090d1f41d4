// tanh
// forward : y = tanh(x)
// backward: dx += g * (1 - y^2)     (from the saved output)
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var tanh(Var x) {
  return unary("tanh", x, [](float v) { return std::tanh(v); },
               [](float, float y) { return 1.0f - y * y; });
}
}  // namespace og
