// elementwise.h — shared machinery of the elementwise ops (not an op itself).
//
// UnaryNode:  y_i = f(x_i);            dx_i += g_i * df(x_i, y_i)
// (a gradient buffer that nothing has written yet is stored into instead of added
// to: Node::in_grad_fresh)
// BinaryNode: y = f(a, b[broadcast]);  da += g * d_a f;  db[l] += sum over the
//             positions that share b[l] of g * d_b f, each entry's terms added in
//             the flat order (entries in parallel where b is per channel).
// A broadcast views a as [outer, len, inner]; b has `len` elements and a[o,l,i]
// pairs with b[l]. The op files in core/ops/ give f and its derivatives.
#pragma once
#include <algorithm>
#include <cmath>

#include "core/graph.h"
#include "core/parallel.h"

namespace og {

constexpr int64_t kElementwiseGrain = 1 << 15;  // below this, loops stay serial
constexpr int64_t kElementwiseBlock = 1 << 14;  // elements per parallel block (64 KiB of floats)

// The loops of one block. __restrict parameters let the compiler vectorise them
// (with the pointers captured by a lambda it kept them scalar: relu's backward ran
// at a quarter of memory bandwidth).
namespace ew {
template <class F>
inline void map(const float* __restrict x, float* __restrict y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}
// Assign: dx is a fresh gradient buffer (Node::in_grad_fresh): store, do not add.
template <bool Assign, class D>
inline void map_grad(const float* __restrict x, const float* __restrict y, const float* __restrict g,
                     float* __restrict dx, int64_t n, D df) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = df(x[i], y[i]);
    const float term = g[i] * d;
    dx[i] = Assign ? term : dx[i] + term;  // as `dx[i] += g[i] * df(..)` GCC 12 kept relu's select as a branch
  }
}
}  // namespace ew

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
    parallel_blocks(x.numel(), kElementwiseBlock, kElementwiseGrain,
                    [&](int64_t b, int64_t e) { ew::map(xp + b, yp + b, e - b, f); });
  }
  void backward() override {
    const float *xp = in(0).data(), *yp = value.data(), *gp = grad.data();
    bool fresh;
    float* dx = in_grad_fresh(0, fresh);
    parallel_blocks(value.numel(), kElementwiseBlock, kElementwiseGrain, [&](int64_t b, int64_t e) {
      if (fresh) ew::map_grad<true>(xp + b, yp + b, gp + b, dx + b, e - b, df);
      else ew::map_grad<false>(xp + b, yp + b, gp + b, dx + b, e - b, df);
    });
  }
};

// y = f(x) elementwise; df(x, y) is dy/dx, written with whichever of x, y is cheaper.
template <class F, class D>
Var unary(const char* name, Var x, F f, D df) {
  return x.graph->record<UnaryNode<F, D>>({x}, name, f, df);
}

struct Broadcast {
  int64_t outer = 1, len = 1, inner = 1;
};
Broadcast broadcast_plan(const char* op, const Shape& a, const Shape& b);  // throws on mismatch

// Visits a's n elements in parallel blocks, cut into segments that pair with b in one
// of two ways: seg(i, count, j, true) pairs a[i + k] with b[j + k]; seg(i, count, j,
// false) pairs all of them with b[j]. No division per element.
template <class S>
void broadcast_segments(const Broadcast& bc, int64_t n, S seg) {
  const bool vec = bc.inner == 1 && bc.len > 1;  // consecutive a entries pair with consecutive b entries
  const int64_t run = vec ? bc.len : bc.len == 1 ? n : bc.inner;  // entries before the pairing restarts
  parallel_blocks(n, kElementwiseBlock, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e;) {
      const int64_t r = i / run, count = std::min(e, (r + 1) * run) - i;
      seg(i, count, vec ? i - r * run : r % bc.len, vec);
      i += count;
    }
  });
}

namespace ew {
template <class Op>
inline void binary_vec(const float* __restrict a, const float* __restrict b, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = Op::f(a[i], b[i]);
}
template <class Op>
inline void binary_one(const float* __restrict a, float b, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = Op::f(a[i], b);
}
// out += g * deriv(a, b, y) (= with Assign), b paired element by element; deriv is
// Op::da or Op::db.
template <bool Assign, class D>
inline void binary_grad_vec(const float* __restrict a, const float* __restrict b, const float* __restrict y,
                            const float* __restrict g, float* __restrict out, int64_t n, D deriv) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = deriv(a[i], b[i], y[i]);
    const float term = g[i] * d;
    out[i] = Assign ? term : out[i] + term;
  }
}
template <class Op, bool Assign>
inline void binary_da_one(const float* __restrict a, float b, const float* __restrict y,
                          const float* __restrict g, float* __restrict da, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = Op::da(a[i], b, y[i]);
    const float term = g[i] * d;
    da[i] = Assign ? term : da[i] + term;
  }
}
// db += sum of n terms, added one by one in index order (the order of the flat loop).
template <class Op>
inline float binary_db_one(const float* __restrict a, float b, const float* __restrict y,
                           const float* __restrict g, float db, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = Op::db(a[i], b, y[i]);
    const float term = g[i] * d;
    db = db + term;
  }
  return db;
}
}  // namespace ew

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
    broadcast_segments(bc, a.numel(), [&](int64_t i, int64_t n, int64_t j, bool vec) {
      if (vec) ew::binary_vec<Op>(ap + i, bp + j, yp + i, n);
      else ew::binary_one<Op>(ap + i, bp[j], yp + i, n);
    });
  }
  void backward() override {
    const float *ap = in(0).data(), *bp = in(1).data(), *yp = value.data(), *gp = grad.data();
    const int64_t n = value.numel();
    const auto d_a = [](float a, float b, float y) { return Op::da(a, b, y); };
    const auto d_b = [](float a, float b, float y) { return Op::db(a, b, y); };
    if (wants(0)) {  // every element of da gets its term: a fresh buffer is stored into
      bool fresh;
      float* da = in_grad_fresh(0, fresh);
      broadcast_segments(bc, n, [&](int64_t i, int64_t m, int64_t j, bool vec) {
        if (vec) fresh ? ew::binary_grad_vec<true>(ap + i, bp + j, yp + i, gp + i, da + i, m, d_a)
                       : ew::binary_grad_vec<false>(ap + i, bp + j, yp + i, gp + i, da + i, m, d_a);
        else fresh ? ew::binary_da_one<Op, true>(ap + i, bp[j], yp + i, gp + i, da + i, m)
                   : ew::binary_da_one<Op, false>(ap + i, bp[j], yp + i, gp + i, da + i, m);
      });
    }
    if (!wants(1)) return;
    if (bc.outer == 1 && bc.inner == 1) {  // same shape: every db entry has one term
      bool fresh;
      float* db = in_grad_fresh(1, fresh);
      parallel_blocks(n, kElementwiseBlock, kElementwiseGrain, [&](int64_t b, int64_t e) {
        if (fresh) ew::binary_grad_vec<true>(ap + b, bp + b, yp + b, gp + b, db + b, e - b, d_b);
        else ew::binary_grad_vec<false>(ap + b, bp + b, yp + b, gp + b, db + b, e - b, d_b);
      });
      return;
    }
    float* db = in_grad(1).data();
    if (bc.len == 1) {  // one b entry: every term in flat order
      db[0] = ew::binary_db_one<Op>(ap, bp[0], yp, gp, db[0], n);
    } else if (bc.inner == 1) {  // per feature: rows in order, serial
      for (int64_t o = 0; o < bc.outer; ++o) {
        const int64_t at = o * bc.len;
        ew::binary_grad_vec<false>(ap + at, bp, yp + at, gp + at, db, bc.len, d_b);
      }
    } else {  // runs of `inner` per b entry: each entry's terms in flat order, entries in parallel
      parallel_for(bc.len, bc.outer * bc.inner * bc.len >= kElementwiseGrain ? 1 : bc.len + 1, [&](int64_t l) {
        float s = db[l];
        for (int64_t o = 0; o < bc.outer; ++o) {
          const int64_t at = (o * bc.len + l) * bc.inner;
          s = ew::binary_db_one<Op>(ap + at, bp[l], yp + at, gp + at, s, bc.inner);
        }
        db[l] = s;
      });
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
