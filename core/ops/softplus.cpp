// softplus
// forward : y = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|)   (stable for large |x|)
// backward: dx += g * sigmoid(x)
// Note log sigmoid(x) = -softplus(-x): ordinal losses use it to stay in log space.
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var softplus(Var x) {
  return unary("softplus", x,
               [](float v) { return std::max(v, 0.0f) + std::log1p(std::exp(-std::fabs(v))); },
               [](float v, float) { return stable_sigmoid(v); });
}
}  // namespace og
