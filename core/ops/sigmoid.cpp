// sigmoid
// forward : y = 1 / (1 + e^-x)      (computed without overflow for either sign of x)
// backward: dx += g * y * (1 - y)   (from the saved output)
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var sigmoid(Var x) {
  return unary("sigmoid", x,
               [](float v) { return stable_sigmoid(v); },
               [](float, float y) { return y * (1.0f - y); });
}
}  // namespace og
