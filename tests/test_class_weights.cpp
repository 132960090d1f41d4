// Imbalance: class weights from counts (losses/class_weights.h) and the class-balanced
// sampler (optim/sampler.h). Expected weights are hand-computed or from an independent
// numpy computation of the documented formulas, written as literals.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/check.h"
#include "core/rng.h"
#include "losses/class_weights.h"
#include "optim/sampler.h"

using namespace og;

namespace {

// Counts 6, 3, 0, 1, 2 over K = 5: class 2 is absent.
std::vector<int> counts_63012() {
  std::vector<int> y;
  const int counts[5] = {6, 3, 0, 1, 2};
  for (int k = 0; k < 5; ++k)
    for (int i = 0; i < counts[k]; ++i) y.push_back(k);
  // Interleave so that nothing depends on the labels being sorted.
  std::vector<int> mixed;
  for (size_t i = 0; i < y.size(); ++i) mixed.push_back(y[(i * 5) % y.size()]);
  return mixed;
}

void check_weights(const std::vector<float>& got, const std::vector<double>& want,
                   double eps = 1e-6) {
  REQUIRE(got.size() == want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    CAPTURE(k);
    CHECK(got[k] == doctest::Approx(want[k]).epsilon(eps));
  }
}

// sum_k n_k w_k for the labels.
double weighted_total(const std::vector<float>& w, const std::vector<int>& y) {
  double s = 0;
  for (int label : y) s += w[label];
  return s;
}

}  // namespace

TEST_CASE("class_weights: each scheme on counts 6,3,0,1,2") {
  const std::vector<int> y = counts_63012();
  REQUIRE(y.size() == 12);
  // inverse: u = 1/6, 1/3, -, 1, 1/2; sum n u = 4 classes, so c = 12 / 4 = 3.
  check_weights(class_weights("inverse", y, 5), {0.5, 1, 0, 3, 1.5});
  // sqrt: c = 12 / (sqrt 6 + sqrt 3 + 1 + sqrt 2)
  check_weights(class_weights("sqrt", y, 5), {0.74274744, 1.0504035, 0, 1.81935224, 1.2864763});
  // effective, beta 0.9: u = 0.1 / (1 - 0.9^n)
  check_weights(class_weights("effective:0.9", y, 5),
                {0.57679025, 0.99727034, 0, 2.70260262, 1.42242243});
  // lds: Gaussian-smoothed counts, sigma 2 (default; the window +-6 covers all classes),
  // sigma 1 (window +-3: classes 0 and 4 do not see each other) and sigma 0.5 (+-2).
  check_weights(class_weights("lds", y, 5), {0.8404639, 0.81335987, 0, 1.18916962, 1.66398369});
  check_weights(class_weights("lds:2", y, 5), {0.8404639, 0.81335987, 0, 1.18916962, 1.66398369});
  check_weights(class_weights("lds:1", y, 5), {0.65556834, 0.75529765, 0, 1.91142691, 1.94463504});
  check_weights(class_weights("lds:0.5", y, 5),
                {0.54351664, 0.91328796, 0, 2.7379365, 1.63054991});
}

TEST_CASE("class_weights: normalised to mean 1 over the rows; limits of the schemes") {
  const std::vector<int> y = counts_63012();
  for (const char* scheme : {"inverse", "sqrt", "effective:0.5", "effective:0.999", "lds", "lds:0.7"}) {
    CAPTURE(scheme);
    const std::vector<float> w = class_weights(scheme, y, 5);
    CHECK(weighted_total(w, y) == doctest::Approx(12.0).epsilon(1e-6));
    CHECK(w[2] == 0.0f);  // absent class
    CHECK(w[3] >= w[0]);  // rarer class, larger weight
  }
  // beta = 0: every present class weighs 1. beta -> 1: the inverse weights.
  check_weights(class_weights("effective:0", y, 5), {1, 1, 0, 1, 1});
  check_weights(class_weights("effective:0.999999", y, 5), {0.5, 1, 0, 3, 1.5}, 1e-4);
  // A tiny sigma smooths nothing: the inverse weights again.
  check_weights(class_weights("lds:0.01", y, 5), {0.5, 1, 0, 3, 1.5});
  // Balanced labels: all ones for every scheme.
  const std::vector<int> balanced = {0, 1, 2, 0, 1, 2};
  for (const char* scheme : {"inverse", "sqrt", "effective:0.9"})
    check_weights(class_weights(scheme, balanced, 3), {1, 1, 1});
  // One class present out of four: it weighs 1, the rest 0.
  check_weights(class_weights("lds", {2, 2, 2}, 4), {0, 0, 1, 0});
}

TEST_CASE("class_weights: sample weights count as repeated rows") {
  // n = 2 + 1, 0.5, 0, 3.5: inverse u = 1/3, 2, -, 1/3.5; c = 7 / 3.
  const std::vector<int> y = {0, 0, 1, 3};
  const std::vector<float> sw = {2, 1, 0.5f, 3.5f};
  check_weights(class_weights("inverse", y, 4, sw), {7.0 / 9, 14.0 / 3, 0, 2.0 / 3});
  // Integer weights equal repeated rows, for every scheme.
  const std::vector<float> times = {3, 0, 2, 1};
  const std::vector<int> repeated = {0, 0, 0, 1, 1, 3};
  for (const char* scheme : {"inverse", "sqrt", "effective:0.9", "lds:1"}) {
    CAPTURE(scheme);
    const std::vector<float> a = class_weights(scheme, y, 4, times);
    const std::vector<float> b = class_weights(scheme, repeated, 4);
    for (int k = 0; k < 4; ++k) CHECK(a[k] == doctest::Approx(b[k]).epsilon(1e-6));
  }
  // A class whose rows all weigh 0 is absent.
  CHECK(class_weights("inverse", {0, 1, 1}, 2, {0, 1, 1})[0] == 0.0f);
}

TEST_CASE("class_weights: errors") {
  const std::vector<int> y = {0, 1, 2};
  CHECK_THROWS_WITH_AS(class_weights("balanced", y, 3),
                       "class_weights: unknown scheme 'balanced' (known: inverse, sqrt, "
                       "effective:BETA, lds, lds:SIGMA)",
                       Error);
  CHECK_THROWS_WITH_AS(class_weights("effective", y, 3),
                       "class_weights: 'effective' needs a beta in [0,1), e.g. effective:0.99",
                       Error);
  CHECK_THROWS_AS(class_weights("effective:1", y, 3), Error);
  CHECK_THROWS_AS(class_weights("effective:-0.1", y, 3), Error);
  CHECK_THROWS_AS(class_weights("effective:0.9x", y, 3), Error);
  CHECK_THROWS_WITH_AS(class_weights("lds:0", y, 3),
                       "class_weights: 'lds:0' needs a sigma > 0, e.g. lds:2", Error);
  CHECK_THROWS_AS(class_weights("lds:", y, 3), Error);
  CHECK_THROWS_WITH_AS(class_weights("sqrt:2", y, 3),
                       "class_weights: scheme 'sqrt' takes no parameter, got 'sqrt:2'", Error);
  CHECK_THROWS_WITH_AS(class_weights("inverse", {0, 3}, 3),
                       "class_weights: label 3 at row 1 is outside [0,3)", Error);
  CHECK_THROWS_AS(class_weights("inverse", {}, 3), Error);
  CHECK_THROWS_AS(class_weights("inverse", y, 3, {0, 0, 0}), Error);
  CHECK_THROWS_AS(class_weights("inverse", y, 3, {1, 1}), Error);
  CHECK_THROWS_AS(class_weights("inverse", y, 3, {1, -1, 1}), Error);
}

TEST_CASE("balanced_order: near-uniform over present classes, and reproducible") {
  // 900 rows of class 0, 90 of class 1, none of class 2, 10 of class 3.
  std::vector<int> y;
  for (int i = 0; i < 1000; ++i) y.push_back(i % 100 == 0 ? 3 : i % 10 == 0 ? 1 : 0);
  const int64_t n = 30000;
  Rng rng(5);
  const std::vector<int64_t> order = balanced_order(y, 4, n, rng);
  REQUIRE(static_cast<int64_t>(order.size()) == n);
  std::vector<double> per_class(4, 0);
  std::vector<int> per_row(1000, 0);
  int64_t out_of_range = 0;
  for (int64_t i : order) {
    if (i < 0 || i >= 1000) {
      ++out_of_range;
      continue;
    }
    per_class[y[i]] += 1;
    per_row[i] += 1;
  }
  CHECK(out_of_range == 0);
  // Each present class has probability 1/3 (sd of the fraction 0.0027 here).
  CHECK(per_class[0] / n == doctest::Approx(1.0 / 3).epsilon(0.05));
  CHECK(per_class[1] / n == doctest::Approx(1.0 / 3).epsilon(0.05));
  CHECK(per_class[3] / n == doctest::Approx(1.0 / 3).epsilon(0.05));
  CHECK(per_class[2] == 0);
  // Within class 3 every one of its 10 rows is drawn about 1000 times.
  for (int i = 0; i < 1000; i += 100) CHECK(std::abs(per_row[i] - 1000) < 200);

  Rng same(5), other(6);
  CHECK(balanced_order(y, 4, n, same) == order);
  CHECK(balanced_order(y, 4, n, other) != order);
  CHECK(balanced_order(y, 4, 0, other).empty());
}

TEST_CASE("balanced_order: errors") {
  Rng rng(1);
  CHECK_THROWS_WITH_AS(balanced_order({0, 4}, 4, 3, rng),
                       "balanced_order: label 4 at row 1 is outside [0,4)", Error);
  CHECK_THROWS_AS(balanced_order({0, 1}, 4, -1, rng), Error);
  CHECK_THROWS_WITH_AS(balanced_order({}, 4, 3, rng), "balanced_order: no labels to draw 3 indices from",
                       Error);
  CHECK(balanced_order({}, 4, 0, rng).empty());
}
