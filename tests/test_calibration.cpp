// Calibration metrics (core/calibration.h): hand values, a calibrated forecaster that
// scores near zero, and an over-confident one (logits sharpened x3) whose PIT turns
// U-shaped and whose errors grow.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/calibration.h"
#include "core/rng.h"

using namespace og;

namespace {
// Draws y from each row of probs.
std::vector<int> draw(const Tensor& probs, Rng& rng) {
  const int64_t N = probs.shape()[0], K = probs.shape()[1];
  std::vector<int> y(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) {
    double u = rng.uniform(), c = 0;
    int k = 0;
    for (; k + 1 < K; ++k) {
      c += probs[i * K + k];
      if (u < c) break;
    }
    y[size_t(i)] = k;
  }
  return y;
}

Tensor softmax_rows(const std::vector<double>& z, int64_t N, int64_t K, double scale) {
  Tensor p = Tensor::empty({N, K});
  for (int64_t i = 0; i < N; ++i) {
    double m = -1e300, s = 0;
    for (int64_t k = 0; k < K; ++k) m = std::max(m, scale * z[size_t(i * K + k)]);
    for (int64_t k = 0; k < K; ++k) s += std::exp(scale * z[size_t(i * K + k)] - m);
    for (int64_t k = 0; k < K; ++k) p[i * K + k] = float(std::exp(scale * z[size_t(i * K + k)] - m) / s);
  }
  return p;
}
}  // namespace

TEST_CASE("calibration: hand values") {
  const Tensor p = Tensor::from({2, 2}, {0.8f, 0.2f, 0.6f, 0.4f});
  ReliabilityBins bins;
  CHECK(ece_top_label({0, 1}, p, 10, {}, &bins) == doctest::Approx(0.5 * 0.2 + 0.5 * 0.6));
  CHECK(bins.weight[8] == 1);
  CHECK(bins.frequency[6] == 0);
  CHECK(std::isnan(bins.confidence[0]));
  // Weights count as copies: the first row three times.
  CHECK(ece_top_label({0, 1}, p, 10, {3, 1}) == doctest::Approx(0.75 * 0.2 + 0.25 * 0.6));
  // Cumulative: P(y > 0) = 0.2 (y = 0: no) and 0.4 (y = 1: yes): bins 2 and 4.
  CHECK(ece_cumulative({0, 1}, p, 10) == doctest::Approx(0.5 * 0.2 + 0.5 * 0.6));

  // PIT of y = 1 under (0.2, 0.3, 0.5): uniform on [0.2, 0.5].
  const std::vector<double> h = pit_histogram({1}, Tensor::from({1, 3}, {0.2f, 0.3f, 0.5f}), 10);
  for (int j = 0; j < 10; ++j) CHECK(h[size_t(j)] == doctest::Approx(j >= 2 && j < 5 ? 1.0 / 3 : 0.0).epsilon(1e-6));
  // A total past the support: all PIT mass at 1, in the last bin.
  const std::vector<double> past = pit_histogram({5}, Tensor::from({1, 3}, {0.2f, 0.3f, 0.5f}), 10);
  CHECK(past[9] == doctest::Approx(1.0));
  CHECK(pit_uniformity(std::vector<double>(10, 0.1)) == doctest::Approx(0.0));
  CHECK(pit_uniformity(past) == doctest::Approx(10 * (0.81 + 9 * 0.01)));
}

TEST_CASE("calibration: calibrated forecasts score near zero; logits sharpened x3 give a U-shaped PIT") {
  const int64_t N = 20000, K = 8;
  Rng rng(7);
  std::vector<double> z(size_t(N * K));
  for (double& v : z) v = rng.normal();
  const Tensor honest = softmax_rows(z, N, K, 1.0), sharp = softmax_rows(z, N, K, 3.0);
  const std::vector<int> y = draw(honest, rng);

  const std::vector<double> h = pit_histogram(y, honest);
  for (double f : h) CHECK(f == doctest::Approx(0.1).epsilon(0.08));
  const double u_honest = pit_uniformity(h);
  CHECK(u_honest < 0.005);
  CHECK(ece_top_label(y, honest) < 0.02);
  CHECK(ece_cumulative(y, honest) < 0.02);

  const std::vector<double> hs = pit_histogram(y, sharp);
  CHECK(hs[0] > 0.13);  // U-shaped: the observed value falls in the tails too often
  CHECK(hs[9] > 0.13);
  CHECK(hs[4] < 0.08);
  CHECK(hs[5] < 0.08);
  CHECK(pit_uniformity(hs) > 20 * u_honest);
  CHECK(ece_top_label(y, sharp) > 0.1);
  CHECK(ece_cumulative(y, sharp) > 3 * ece_cumulative(y, honest));
}

TEST_CASE("calibration: bad inputs are one line") {
  const Tensor p = Tensor::from({1, 2}, {0.5f, 0.5f});
  CHECK_THROWS_WITH(ece_top_label({0, 1}, p), "ece_top_label: probabilities [1,2] for 2 observations");
  CHECK_THROWS_WITH(pit_histogram({-1}, p), "pit_histogram: observed value -1 is negative");
  CHECK_THROWS_WITH(ece_cumulative({0}, p, 0), "ece_cumulative: bins must be in 1..1000, got 0");
}
