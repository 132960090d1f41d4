// fixed_sum.cpp — order-free sums on a fixed-point grid (see fixed_sum.h).
#include "core/fixed_sum.h"

#include <cmath>

#include "core/check.h"

namespace og {

int FixedSum::exponent(const float* x, int64_t n) {
  int e = kAllZero;
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return kNonFinite;
    if (x[i] == 0.0f) continue;
    int ex = 0;
    std::frexp(x[i], &ex);  // |x| in [2^(ex-1), 2^ex)
    if (ex > e) e = ex;
  }
  return e;
}

FixedSum::FixedSum(int64_t n, int terms, int exponent) : n_(n), terms_(terms), sum_(size_t(n), 0) {
  OG_CHECK(n >= 0 && terms >= 1 && terms <= (1 << 20), "FixedSum: ", n, " elements, ", terms, " terms");
  OG_CHECK(exponent != kNonFinite, "FixedSum: a term holds NaN or infinity");
  int head = 0;  // ceil(log2(terms))
  while ((1 << head) < terms) ++head;
  // All zeros: any grid gives zeros; keep the shift finite.
  shift_ = (exponent == kAllZero ? -126 : exponent) - 62 + head;
}

void FixedSum::add(const float* x) {
  OG_CHECK(added_ < terms_, "FixedSum: more than the ", terms_, " terms planned");
  ++added_;
  for (int64_t i = 0; i < n_; ++i) {
    // x * 2^-q is exact in double (a float scaled by a power of two) and < 2^(62-head):
    // rounding it to the nearest integer is the one rounding of the term.
    const double k = std::nearbyint(std::ldexp(double(x[i]), -shift_));
    OG_CHECK(std::fabs(k) < 0x1p62, "FixedSum: element ", i, " = ", x[i], " is past the grid's exponent");
    sum_[size_t(i)] += int64_t(k);
  }
}

void FixedSum::result(float* out) const {
  for (int64_t i = 0; i < n_; ++i) out[i] = float(std::ldexp(double(sum_[size_t(i)]), shift_));
}

}  // namespace og
