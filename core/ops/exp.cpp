// exp
// forward : y = e^x
// backward: dx += g * y
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var exp(Var x) {
  return unary("exp", x, [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}
}  // namespace og
