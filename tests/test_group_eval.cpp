// Group totals from class probabilities (model/group_eval.h), against a brute-force
// enumeration of the items' joint outcomes.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "helpers.h"
#include "model/group_eval.h"

using namespace og;

namespace {
// P(total = t) for G items of K classes, by enumerating all K^G outcomes.
std::vector<double> brute_total(const float* p, int G, int K) {
  std::vector<double> D(G * (K - 1) + 1, 0.0);
  std::vector<int> c(G, 0);
  for (;;) {
    double pr = 1;
    int t = 0;
    for (int i = 0; i < G; ++i) pr *= p[i * K + c[i]], t += c[i];
    D[t] += pr;
    int i = 0;
    while (i < G && ++c[i] == K) c[i++] = 0;
    if (i == G) return D;
  }
}

Tensor random_probs(int64_t N, int K, Rng& rng) {
  Tensor p = Tensor::empty({N, K});
  for (int64_t i = 0; i < N; ++i) {
    double s = 0;
    for (int k = 0; k < K; ++k) s += p[i * K + k] = 0.05f + rng.uniform();
    for (int k = 0; k < K; ++k) p[i * K + k] = static_cast<float>(p[i * K + k] / s);
  }
  return p;
}
}  // namespace

TEST_CASE("group totals: forecasts and scores match a brute-force enumeration") {
  Rng rng(11);
  const int G = 3, K = 4;
  const Tensor probs = random_probs(7, K, rng);  // 2 groups; the 7th row forms none
  const std::vector<int> labels = {0, 3, 1, 2, 2, 0, 3};
  const GroupScores s = score_totals(probs, labels, G);
  REQUIRE(s.groups == 2);
  CHECK(s.truth == std::vector<int>{4, 4});
  double mae = 0, cov80 = 0;
  for (int g = 0; g < 2; ++g) {
    const std::vector<double> D = brute_total(probs.data() + g * G * K, G, K);
    const TotalPrediction p80 = predict_total(D.data(), int(D.size()), 0.8);
    const TotalPrediction p95 = predict_total(D.data(), int(D.size()), 0.95);
    CHECK(s.forecasts[g].p80.median == p80.median);
    CHECK(s.forecasts[g].p80.lo == p80.lo);
    CHECK(s.forecasts[g].p80.hi == p80.hi);
    CHECK(s.forecasts[g].p95.lo == p95.lo);
    CHECK(s.forecasts[g].p95.hi == p95.hi);
    CHECK(s.forecasts[g].p80.mean == doctest::Approx(p80.mean).epsilon(1e-9));
    mae += std::abs(p80.median - s.truth[g]) / 2.0;
    cov80 += (p80.lo <= s.truth[g] && s.truth[g] <= p80.hi) / 2.0;
  }
  CHECK(s.mae == doctest::Approx(mae));
  CHECK(s.coverage80 == doctest::Approx(cov80));
  // forecast_totals gives the same forecasts without labels
  const std::vector<TotalForecast> f = forecast_totals(probs, G);
  REQUIRE(f.size() == 2);
  CHECK(f[1].p95.hi == s.forecasts[1].p95.hi);
}

TEST_CASE("group totals: bad sizes and a regression head are one clear error") {
  Rng rng(2);
  const Tensor probs = random_probs(5, 3, rng);
  CHECK_THROWS_WITH_AS(forecast_totals(probs, 6), doctest::Contains("a group of 6 is more than the 5 examples"), Error);
  CHECK_THROWS_WITH_AS(forecast_totals(probs, 0), doctest::Contains("must be >= 1"), Error);
  CHECK_THROWS_WITH_AS(score_totals(probs, {0, 1}, 2), doctest::Contains("2 labels for 5 rows"), Error);
  ModelInfo info{"linear", Shape{4}, "reg_l1", 5, 0, 1, {}, {}, 0};
  CHECK_THROWS_WITH_AS(require_total_head(info, "eval --group"), doctest::Contains("regression head"), Error);
  info.loss = "coral";
  CHECK_NOTHROW(require_total_head(info, "eval --group"));
}
