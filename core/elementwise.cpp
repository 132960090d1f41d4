// elementwise.cpp — which broadcasts are allowed (see ops.h) and their plans.
#include "core/elementwise.h"

namespace og {

Broadcast broadcast_plan(const char* op, const Shape& a, const Shape& b) {
  const int64_t n = a.numel();
  if (b == a) return {1, n, 1};
  if (b.numel() == 1) return {n, 1, 1};
  if (b.nd == 1) {
    if (a.nd == 4) {  // NCHW image batch: a vector is per channel
      OG_CHECK(b[0] == a[1], op, ": shapes ", a, " and ", b, " do not broadcast (per-channel vector needs ",
               a[1], " entries)");
      return {a[0], a[1], a[2] * a[3]};
    }
    OG_CHECK(b[0] == a.last(), op, ": shapes ", a, " and ", b,
             " do not broadcast (per-feature vector needs ", a.last(), " entries)");
    return {a.rows(), a.last(), 1};
  }
  // Same rank: b has a's size on one contiguous run of axes and 1 elsewhere.
  OG_CHECK(b.nd == a.nd, op, ": shapes ", a, " and ", b, " do not broadcast");
  int lo = -1, hi = -1;
  bool closed = false;  // a broadcast axis came after the kept run
  for (int i = 0; i < a.nd; ++i) {
    OG_CHECK(b[i] == a[i] || b[i] == 1, op, ": shapes ", a, " and ", b, " do not broadcast");
    if (a[i] == 1) continue;  // size-1 axes are neither kept nor broadcast
    if (b[i] == a[i]) {
      OG_CHECK(!closed, op, ": shapes ", a, " and ", b,
               " do not broadcast (kept axes must be contiguous)");
      if (lo < 0) lo = i;
      hi = i + 1;
    } else if (lo >= 0) {
      closed = true;
    }
  }
  Broadcast p;
  for (int i = 0; i < a.nd; ++i) {
    if (i < lo) p.outer *= a[i];
    else if (i < hi) p.len *= a[i];
    else p.inner *= a[i];
  }
  return p;
}

}  // namespace og
