// elementwise.h — shared machinery of the elementwise ops (not an op itself).
//
// UnaryNode:  y_i = f(x_i);            dx_i += g_i * df(x_i, y_i)
// BinaryNode: y = f(a, b[broadcast]);  da += g * d_a f;  db[l] += sum over the
//             positions that share b[l] of g * d_b f (serial, fixed order).
// A broadcast views a as [outer, len, inner]; b has `len` elements and a[o,l,i]
// pairs with b[l]. The op files in core/ops/ give f and its derivatives.
#pragma once
#include <algorithm>
#include <cmath>

#include "core/graph.h"
#include "core/parallel.h"

namespace og {

constexpr int64_t kElementwiseGrain = 1 << 15;  // below this, loops stay serial

template <class F, class D>
struct UnaryNode : Node {
  const char* op;
  F f;
  D df;
  UnaryNode(const char* name, F fwd, D der) : op(name), f(fwd), df(der) {}
  const char* name() const override { return op; }
  void forward() override {
    const Tensor& x = in(0);
    if (!value.defined()) value = Tensor::empty(x.shape());
    const float* xp = x.data();
    float* yp = value.data();
    parallel_for(x.numel(), kElementwiseGrain, [&](int64_t i) { yp[i] = f(xp[i]); });
  }
  void backward() override {
    const float *xp = in(0).data(), *yp = value.data(), *gp = grad.data();
    float* dx = in_grad(0).data();
    parallel_for(value.numel(), kElementwiseGrain,
                 [&](int64_t i) { dx[i] += gp[i] * df(xp[i], yp[i]); });
  }
};

// y = f(x) elementwise; df(x, y) is dy/dx, written with whichever of x, y is cheaper.
template <class F, class D>
Var unary(const char* name, Var x, F f, D df) {
  return x.graph->record<UnaryNode<F, D>>({x}, name, f, df);
}

struct Broadcast {
  int64_t outer = 1, len = 1, inner = 1;
  int64_t b_index(int64_t i) const { return (i / inner) % len; }
};
Broadcast broadcast_plan(const char* op, const Shape& a, const Shape& b);  // throws on mismatch

// Op supplies: static float f(a,b); static float da(a,b,y); static float db(a,b,y).
template <class Op>
struct BinaryNode : Node {
  const char* op;
  Broadcast bc;
  BinaryNode(const char* name, Broadcast plan) : op(name), bc(plan) {}
  const char* name() const override { return op; }
  void forward() override {
    const Tensor& a = in(0);
    if (!value.defined()) value = Tensor::empty(a.shape());
    const float *ap = a.data(), *bp = in(1).data();
    float* yp = value.data();
    parallel_for(a.numel(), kElementwiseGrain,
                 [&](int64_t i) { yp[i] = Op::f(ap[i], bp[bc.b_index(i)]); });
  }
  void backward() override {
    const float *ap = in(0).data(), *bp = in(1).data(), *yp = value.data(), *gp = grad.data();
    const int64_t n = value.numel();
    if (wants(0)) {
      float* da = in_grad(0).data();
      parallel_for(n, kElementwiseGrain, [&](int64_t i) {
        da[i] += gp[i] * Op::da(ap[i], bp[bc.b_index(i)], yp[i]);
      });
    }
    if (wants(1)) {
      float* db = in_grad(1).data();
      for (int64_t i = 0; i < n; ++i) {
        const int64_t j = bc.b_index(i);
        db[j] += gp[i] * Op::db(ap[i], bp[j], yp[i]);
      }
    }
  }
};

template <class Op>
Var binary(const char* name, Var a, Var b) {
  return a.graph->record<BinaryNode<Op>>({a, b}, name, broadcast_plan(name, a.shape(), b.shape()));
}

// Sum (or mean) of x over one axis, or over everything with axis = kAllAxes.
constexpr int kAllAxes = -1;
Var reduce_sum(const char* op, Var x, int axis, bool mean);

// y_r = x_r - logsumexp(x_r) for each of R rows of K (log_softmax.cpp; softmax uses it too).
void log_softmax_rows(const float* x, float* y, int64_t R, int64_t K);

// Logistic function without overflow for either sign of x.
inline float stable_sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

// softplus(x) = log(1 + e^x) in double, stable for either sign; log sigma(x) = -softplus(-x).
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

}  // namespace og
