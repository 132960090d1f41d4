// log
// forward : y = ln x          (x > 0; for log-probabilities prefer log_softmax / softplus)
// backward: dx += g / x
#include <cmath>

#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var log(Var x) {
  return unary("log", x, [](float v) { return std::log(v); }, [](float v, float) { return 1.0f / v; });
}
}  // namespace og
