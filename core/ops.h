// ops.h — the primitive differentiable ops of ordgrad, one file each in core/ops/.
//
// Each op records one Node on its inputs' graph. Shapes: every op checks them and
// throws og::Error naming the op and the shapes. Axis reductions keep the reduced
// axis with size 1, so their results broadcast straight back (x - logsumexp(x)).
// Broadcasting (add, sub, mul, div) accepts for b: a's own shape; one element;
// a vector of a's last-axis length (per feature), or for 4-D a of its channel
// count (per channel); or a's shape with size 1 on every axis outside one
// contiguous run, e.g. [N,1] per row of [N,K], [1,C,1,1] per channel.
#pragma once
#include <vector>

#include "core/graph.h"

namespace og {

// elementwise, with broadcasting of b
Var add(Var a, Var b);          // core/ops/add.cpp
Var add_relu(Var a, Var b);     // max(a + b, 0), core/ops/add_relu.cpp
Var sub(Var a, Var b);          // core/ops/sub.cpp
Var mul(Var a, Var b);          // core/ops/mul.cpp
Var div(Var a, Var b);          // core/ops/div.cpp
Var add_scalar(Var x, float c); // core/ops/add_scalar.cpp
Var mul_scalar(Var x, float c); // core/ops/mul_scalar.cpp

// C = op(A) op(B) for 2-D A, B; op transposes when asked   core/ops/matmul.cpp
Var matmul(Var a, Var b, bool trans_a = false, bool trans_b = false);

// elementwise functions
Var relu(Var x);
Var leaky_relu(Var x, float slope = 0.01f);
Var sigmoid(Var x);
Var tanh(Var x);
Var exp(Var x);
Var log(Var x);
Var softplus(Var x);   // log(1 + e^x), computed stably
Var abs(Var x);
Var square(Var x);

// reductions: all elements -> scalar, or along `axis` (kept with size 1)
Var sum(Var x);
Var sum(Var x, int axis);
Var mean(Var x);
Var mean(Var x, int axis);

// along the last axis
Var logsumexp(Var x);     // [...,K] -> [...,1]
Var softmax(Var x);       // [...,K] -> [...,K]
Var log_softmax(Var x);   // [...,K] -> [...,K]
Var cumsum(Var x);        // y_k = sum_{j<=k} x_j
Var gather(Var x, const std::vector<int>& index);  // [R,K] -> [R]: y_r = x[r, index_r]
Var concat(const std::vector<Var>& xs);            // along the last axis
Var slice(Var x, int64_t begin, int64_t end);      // x[..., begin:end]

// shape
Var reshape(Var x, const Shape& s);
Var flatten(Var x);       // [N, ...] -> [N, rest]

// operator sugar for writing losses as formulas
inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }
inline Var operator/(Var a, Var b) { return div(a, b); }
inline Var operator+(Var a, float c) { return add_scalar(a, c); }
inline Var operator+(float c, Var a) { return add_scalar(a, c); }
inline Var operator-(Var a, float c) { return add_scalar(a, -c); }
inline Var operator-(float c, Var a) { return add_scalar(mul_scalar(a, -1.0f), c); }
inline Var operator*(Var a, float c) { return mul_scalar(a, c); }
inline Var operator*(float c, Var a) { return mul_scalar(a, c); }
inline Var operator-(Var a) { return mul_scalar(a, -1.0f); }

}  // namespace og
