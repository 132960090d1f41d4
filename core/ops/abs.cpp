// abs
// forward : y = |x|
// backward: dx += g * sign(x)      (sign(0) = 0: the subgradient at the kink)
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var abs(Var x) {
  return unary("abs", x, [](float v) { return std::fabs(v); },
               [](float v, float) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); });
}
}  // namespace og
