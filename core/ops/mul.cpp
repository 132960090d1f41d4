// mul
// forward : y = a * b            (elementwise, b broadcast over a, see ops.h)
// backward: da += g * b          db += sum of g * a over the positions sharing each b entry
#include "core/elementwise.h"
#include "core/ops.h"

namespace og {
namespace {
struct Mul {
  static float f(float a, float b) { return a * b; }
  static float da(float, float b, float) { return b; }
  static float db(float a, float, float) { return a; }
};
}  // namespace
Var mul(Var a, Var b) { return binary<Mul>("mul", a, b); }
}  // namespace og
