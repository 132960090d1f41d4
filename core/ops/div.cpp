// div
// forward : y = a / b            (elementwise, b broadcast over a, see ops.h)
// backward: da += g / b          db += sum of -g * a / b^2 = -g * y / b
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct Div {
  static float f(float a, float b) { return a / b; }
  static float da(float, float b, float) { return 1.0f / b; }
  static float db(float, float b, float y) { return -y / b; }
};
}  // namespace
Var div(Var a, Var b) { return binary<Div>("div", a, b); }
}  // namespace og
