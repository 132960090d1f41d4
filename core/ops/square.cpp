// square
// forward : y = x^2
// backward: dx += g * 2x
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var square(Var x) {
  return unary("square", x, [](float v) { return v * v; }, [](float v, float) { return 2.0f * v; });
}
}  // namespace og
