// mul_scalar
// forward : y = c * x   (c a constant)
// backward: dx += c * g
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var mul_scalar(Var x, float c) {
  return unary("mul_scalar", x, [c](float v) { return c * v; }, [c](float, float) { return c; });
}
}  // namespace og
