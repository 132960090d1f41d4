// fixed_sum.cpp — order-free sums on a fixed-point grid (see fixed_sum.h).
#include "core/fixed_sum.h"

#include <cfloat>
#include <cmath>

#include "core/check.h"

namespace og {

int FixedSum::exponent(const float* x, int64_t n) {
  // The exponent of the largest magnitude; the loop is branch-free so that it vectorises.
  float m = 0;
  bool bad = false;
  for (int64_t i = 0; i < n; ++i) {
    const float a = std::fabs(x[i]);
    bad |= !(a <= FLT_MAX);  // NaN or inf
    m = a > m ? a : m;
  }
  if (bad) return kNonFinite;
  if (m == 0.0f) return kAllZero;
  int e = 0;
  std::frexp(m, &e);  // m in [2^(e-1), 2^e)
  return e;
}

int FixedSum::grid(int terms, int exponent) {
  OG_CHECK(terms >= 1 && terms <= (1 << 20), "FixedSum: ", terms, " terms");
  OG_CHECK(exponent != kNonFinite, "FixedSum: a term holds NaN or infinity");
  int head = 0;  // ceil(log2(terms))
  while ((1 << head) < terms) ++head;
  // All zeros: any grid gives zeros; keep the shift finite.
  return (exponent == kAllZero ? -126 : exponent) - 62 + head;
}

void FixedSum::add(const float* x, int64_t n, int q, int64_t* sum) {
  // x * 2^-q is exact in double (a float scaled by a power of two) and < 2^(62-head):
  // rounding it to the nearest integer (ties to even) is the one rounding of the term.
  const double scale = std::ldexp(1.0, -q);
  bool over = false;
  for (int64_t i = 0; i < n; ++i) {
    const double k = std::nearbyint(double(x[i]) * scale);
    over |= !(std::fabs(k) < 0x1p62);
    sum[i] += int64_t(k);
  }
  if (!over) return;
  for (int64_t i = 0; i < n; ++i)
    OG_CHECK(std::fabs(double(x[i]) * scale) < 0x1p62, "FixedSum: element ", i, " = ", x[i],
             " is past the grid's exponent");
}

void FixedSum::result(const int64_t* sum, int64_t n, int q, float* out) {
  const double scale = std::ldexp(1.0, q);  // exact: int64 -> double rounds once, then a power of two
  for (int64_t i = 0; i < n; ++i) out[i] = float(double(sum[i]) * scale);
}

FixedSum::FixedSum(int64_t n, int terms, int exponent)
    : n_(n), terms_(terms), shift_(grid(terms, exponent)), sum_(size_t(n), 0) {
  OG_CHECK(n >= 0, "FixedSum: ", n, " elements");
}

void FixedSum::add(const float* x) {
  OG_CHECK(added_ < terms_, "FixedSum: more than the ", terms_, " terms planned");
  ++added_;
  add(x, n_, shift_, sum_.data());
}

void FixedSum::result(float* out) const { result(sum_.data(), n_, shift_, out); }

}  // namespace og
