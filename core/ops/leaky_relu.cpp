// leaky_relu
// forward : y = x if x > 0, else slope * x
// backward: dx += g * (x > 0 ? 1 : slope)
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var leaky_relu(Var x, float slope) {
  return unary("leaky_relu", x, [slope](float v) { return v > 0.0f ? v : slope * v; },
               [slope](float v, float) { return v > 0.0f ? 1.0f : slope; });
}
}  // namespace og
