// mean
// forward : y = (1/n) sum_i x_i     (all elements, or along one axis kept with size 1)
// backward: dx_i += g / n
// Implemented by the sum node (core/ops/sum.cpp) with scale 1/n.
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
Var mean(Var x) { return reduce_sum("mean", x, kAllAxes, true); }
Var mean(Var x, int axis) { return reduce_sum("mean", x, axis, true); }
}  // namespace og
