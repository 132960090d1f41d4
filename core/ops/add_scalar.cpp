// add_scalar
// forward : y = x + c   (c a constant)
// backward: dx += g
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var add_scalar(Var x, float c) {
  return unary("add_scalar", x, [c](float v) { return v + c; }, [](float, float) { return 1.0f; });
}
}  // namespace og
