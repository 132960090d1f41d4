// gradcheck.h — compare a graph's backward with finite differences.
//
// Given a built graph, an output `out` and leaves `wrt` (g.leaf or g.param):
//  1. draw a random cotangent v ~ N(0,1) of out's shape, so the checked objective
//     f = sum_i v_i out_i weights every output differently (a plain sum hides
//     transposition and permutation bugs);
//  2. analytic: prefill each leaf's grad with random values, run backward seeded
//     with v, subtract the prefill (a node that assigns instead of accumulating
//     loses the prefill and fails);
//  3. numeric: for every leaf element, the 4-point central difference
//       f'(x) ~ (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h,
//     h = step * max(1, |x|), re-running the tape with Graph::replay() and
//     summing f in double. Truncation error is O(h^4), so h can be large enough
//     that float32 rounding of out (~1e-7 relative) stays ~1e-5 of the gradient;
//  4. pass when |analytic - numeric| <= atol * scale + rtol * |numeric| for every
//     element, scale = the largest |numeric| of that leaf (at least 1e-3).
// Defaults (step 1e-2, atol 2e-4, rtol 1e-3) catch one entry off by 2%, a sign
// flip or a missing factor 2 (see tests/test_gradcheck.cpp), while every op passes
// with a wide margin. Inputs must keep 2h away from kinks (relu at 0, ties in max).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/graph.h"

namespace og {

struct GradCheckOptions {
  double step = 1e-2;
  double atol = 2e-4;
  double rtol = 1e-3;
  uint64_t seed = 1;
  bool check_accumulation = true;
};

struct GradCheckResult {
  bool ok = true;
  double worst_ratio = 0;  // max over elements of |a - n| / tolerance; ok <=> <= 1
  std::string report;      // the worst element: which leaf, index, analytic and numeric
};

GradCheckResult grad_check(Graph& g, Var out, const std::vector<Var>& wrt,
                           const GradCheckOptions& opt = {});

// Cheap whole-model check along one random direction d over all `wrt` leaves:
// compares <grad, d> with (f(x + h d) - f(x - h d)) / 2h, f = sum v * out.
GradCheckResult directional_check(Graph& g, Var out, const std::vector<Var>& wrt,
                                  const GradCheckOptions& opt = {});

}  // namespace og
