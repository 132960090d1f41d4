// sub
// forward : y = a - b            (b broadcast over a, see ops.h)
// backward: da += g              db -= sum of g over the positions sharing each b entry
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct Sub {
  static float f(float a, float b) { return a - b; }
  static float da(float, float, float) { return 1.0f; }
  static float db(float, float, float) { return -1.0f; }
};
}  // namespace
Var sub(Var a, Var b) { return binary<Sub>("sub", a, b); }
}  // namespace og
