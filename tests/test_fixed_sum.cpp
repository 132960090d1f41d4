// FixedSum (core/fixed_sum.h): the same bits for any order and split of the terms,
// within float rounding of the exact sum, and clear errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "core/fixed_sum.h"
#include "core/rng.h"
#include "tests/helpers.h"

using namespace og;

namespace {
// `terms` arrays of n floats spanning magnitudes 2^-20 .. 2^6, either sign.
std::vector<std::vector<float>> random_terms(int terms, int n, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<float>> t(static_cast<size_t>(terms), std::vector<float>(static_cast<size_t>(n)));
  for (auto& a : t)
    for (float& v : a) v = float(rng.normal() * std::ldexp(1.0, int(rng.below(27)) - 20));
  return t;
}

int max_exponent(const std::vector<std::vector<float>>& t) {
  int e = FixedSum::kAllZero;
  for (const auto& a : t) e = std::max(e, FixedSum::exponent(a.data(), int64_t(a.size())));
  return e;
}

// The terms in `order`, split into `parts` partial sums whose raw integers are then added.
std::vector<float> fixed_total(const std::vector<std::vector<float>>& t, const std::vector<int>& order, int parts) {
  const int n = int(t[0].size()), e = max_exponent(t);
  std::vector<FixedSum> partial;
  for (int p = 0; p < parts; ++p) partial.emplace_back(n, int(t.size()), e);
  for (size_t i = 0; i < order.size(); ++i) partial[i * parts / order.size()].add(t[size_t(order[i])].data());
  for (int p = 1; p < parts; ++p)
    for (int i = 0; i < n; ++i) partial[0].raw()[size_t(i)] += partial[size_t(p)].raw()[size_t(i)];
  std::vector<float> out(static_cast<size_t>(n));
  partial[0].result(out.data());
  return out;
}
}  // namespace

TEST_CASE("FixedSum: any order and any split of the terms give the same bits; a float sum does not") {
  const auto t = random_terms(16, 2000, 3);
  std::vector<int> order(16);
  std::iota(order.begin(), order.end(), 0);
  const std::vector<float> ref = fixed_total(t, order, 1);
  Rng rng(9);
  bool float_differs = false;
  for (int trial = 0; trial < 6; ++trial) {
    for (int i = 15; i > 0; --i) std::swap(order[size_t(i)], order[rng.below(uint64_t(i) + 1)]);
    for (int parts : {1, 2, 4, 16}) {
      const std::vector<float> got = fixed_total(t, order, parts);
      CHECK(std::memcmp(got.data(), ref.data(), ref.size() * sizeof(float)) == 0);
    }
    for (int i = 0; i < 2000 && !float_differs; ++i) {
      float a = 0, b = 0;
      for (int k = 0; k < 16; ++k) a += t[size_t(k)][size_t(i)], b += t[size_t(order[size_t(k)])][size_t(i)];
      float_differs = a != b;
    }
  }
  CHECK(float_differs);  // the property is not free: plain float sums depend on the order
}

TEST_CASE("FixedSum: within float rounding of the exact sum; small dyadic values exactly") {
  const auto t = random_terms(64, 500, 5);
  std::vector<int> order(64);
  std::iota(order.begin(), order.end(), 0);
  const std::vector<float> got = fixed_total(t, order, 1);
  const double grid = std::ldexp(1.0, max_exponent(t) - 62 + 6);
  for (int i = 0; i < 500; ++i) {
    long double exact = 0;
    for (const auto& a : t) exact += a[size_t(i)];
    // one float rounding of the total, plus half a grid step per term
    const double tol = std::fabs(double(exact)) * 0x1p-24 + 64 * grid;
    CHECK(std::fabs(double(got[size_t(i)]) - double(exact)) <= tol);
  }
  const std::vector<float> a = {0.5f, -0.25f, 3.0f, 0.0f}, b = {0.125f, 0.25f, -1.0f, 0.0f};
  FixedSum s(4, 2, std::max(FixedSum::exponent(a.data(), 4), FixedSum::exponent(b.data(), 4)));
  s.add(a.data());
  s.add(b.data());
  std::vector<float> out(4);
  s.result(out.data());
  CHECK(out == std::vector<float>{0.625f, 0.0f, 2.0f, 0.0f});
}

TEST_CASE("FixedSum: zeros, non-finite terms, too many terms, a term past the exponent") {
  const std::vector<float> z(3, 0.0f), nan = {1.0f, std::nanf(""), 0.0f}, big = {8.0f, 0.0f, 0.0f};
  CHECK(FixedSum::exponent(z.data(), 3) == FixedSum::kAllZero);
  CHECK(FixedSum::exponent(nan.data(), 3) == FixedSum::kNonFinite);
  CHECK(FixedSum::exponent(big.data(), 3) == 4);
  FixedSum zeros(3, 1, FixedSum::kAllZero);
  zeros.add(z.data());
  std::vector<float> out(3, 1.0f);
  zeros.result(out.data());
  CHECK(out == z);
  CHECK(test::error_of([&] { FixedSum(3, 1, FixedSum::kNonFinite); }) == "FixedSum: a term holds NaN or infinity");
  CHECK(test::error_of([&] { zeros.add(z.data()); }) == "FixedSum: more than the 1 terms planned");
  FixedSum small(3, 2, 1);  // planned for |x| < 2
  CHECK(test::error_of([&] { small.add(big.data()); }) == "FixedSum: element 0 = 8 is past the grid's exponent");
}
