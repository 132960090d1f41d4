// relu
// forward : y = max(x, 0)
// backward: dx += g * 1[x > 0]     (the kink at 0 takes the derivative 0)
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var relu(Var x) {
  return unary("relu", x, [](float v) { return v > 0.0f ? v : 0.0f; },
               [](float v, float) { return v > 0.0f ? 1.0f : 0.0f; });
}
}  // namespace og
