// add_relu — the sum of a residual block and its shortcut, then relu, as one node
// (the architecture's "res(...), relu"): one pass over memory fewer each way.
// forward : y = max(a + b, 0)       (b broadcast over a, see ops.h)
// backward: da += g * 1[y > 0]      db += sum of g * 1[y > 0] over the positions sharing each b entry
//           (y > 0 exactly when a + b > 0; the kink at 0 takes the derivative 0)
// shapes  : a any, b broadcastable to a, y like a.   saves: nothing extra (the mask is y > 0)
// parallel: as every binary op (core/elementwise.h): blocks of elements.
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct AddRelu {
  static float f(float a, float b) {
    const float s = a + b;
    return s > 0.0f ? s : 0.0f;
  }
  static float da(float, float, float y) { return y > 0.0f ? 1.0f : 0.0f; }
  static float db(float, float, float y) { return y > 0.0f ? 1.0f : 0.0f; }
};
}  // namespace
Var add_relu(Var a, Var b) { return binary<AddRelu>("add_relu", a, b); }
}  // namespace og
