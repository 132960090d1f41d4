// Temperature scaling (model/calibrate.h): it recovers the sharpening of over-confident
// logits, lowers the held-out NLL, keeps the softmax argmax, travels in the model file
// and is applied by inference.
#include <doctest/doctest.h>

#include <cmath>

#include "apps/commands.h"
#include "core/calibration.h"
#include "core/metrics.h"
#include "model/calibrate.h"
#include "model/heads.h"
#include "model/inference.h"
#include "tests/helpers.h"

using namespace og;

namespace {
// Labels drawn from softmax(z) row by row.
std::vector<int> draw_softmax(const std::vector<double>& z, int64_t N, int K, Rng& rng) {
  std::vector<int> y(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) {
    double m = -1e300, s = 0;
    for (int k = 0; k < K; ++k) m = std::max(m, z[size_t(i * K + k)]);
    for (int k = 0; k < K; ++k) s += std::exp(z[size_t(i * K + k)] - m);
    double u = rng.uniform() * s, c = 0;
    int k = 0;
    for (; k + 1 < K; ++k) {
      c += std::exp(z[size_t(i * K + k)] - m);
      if (u < c) break;
    }
    y[size_t(i)] = k;
  }
  return y;
}
}  // namespace

TEST_CASE("fit_temperature: finds the x3 sharpening of over-confident logits and keeps the argmax") {
  const int64_t N = 6000;
  const int K = 6;
  Rng rng(3);
  std::vector<double> z(size_t(N * K));
  for (double& v : z) v = rng.normal();
  const std::vector<int> y = draw_softmax(z, N, K, rng);
  Tensor sharp = Tensor::empty({N, K});
  for (int64_t i = 0; i < sharp.numel(); ++i) sharp[i] = float(3 * z[size_t(i)]);
  const LossSpec ce = LossSpec::parse("ce");
  const TemperatureFit f = fit_temperature(ce, sharp, y, K);
  CHECK(f.temperature == doctest::Approx(3.0).epsilon(0.1));
  CHECK(f.nll_after < f.nll_before - 0.1);
  ModelInfo info;
  info.loss = "ce";
  info.classes = K;
  info.temperature = float(f.temperature);
  const Tensor scaled = calibrated(info, sharp);
  CHECK(predict_classes(ce, scaled, K) == predict_classes(ce, sharp, K));
  CHECK(ece_top_label(y, class_probs(ce, scaled, K)) < ece_top_label(y, class_probs(ce, sharp, K)));
}

TEST_CASE("temperature: CORAL scores too, regression refused, and the model file carries it") {
  // CORAL: P(y > k) = sigmoid(s_k); labels drawn from s, outputs sharpened x2.
  const int64_t N = 6000;
  const int K = 5;
  Rng rng(4);
  Tensor s = Tensor::empty({N, K - 1});
  std::vector<int> y(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) {
    const double eta = rng.normal() * 2;
    for (int k = 0; k < K - 1; ++k) s[i * (K - 1) + k] = float(eta - (k - 1.5));
    int label = 0;  // one uniform against the decreasing P(y > k): P(label > k) = sigmoid(s_k)
    const double u = rng.uniform();
    for (int k = 0; k < K - 1; ++k) label += u < 1 / (1 + std::exp(-double(s[i * (K - 1) + k])));
    y[size_t(i)] = label;
  }
  Tensor sharp = s.clone();
  for (int64_t i = 0; i < sharp.numel(); ++i) sharp[i] *= 2;
  const TemperatureFit f = fit_temperature(LossSpec::parse("coral"), sharp, y, K);
  CHECK(f.temperature == doctest::Approx(2.0).epsilon(0.15));
  CHECK(f.nll_after < f.nll_before);
  CHECK(test::error_of([&] { fit_temperature(LossSpec::parse("reg_l1"), Tensor::zeros({2, 1}), {0, 1}, K); })
            .find("calibrate: a regression head") == 0);

  test::TempDir tmp;
  test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:8", "--loss", "ce",
                                     "--epochs", "2", "--quiet", "--out", tmp.file("run")});
  test::run_command(cli::run_calibrate, {"ordgrad", "calibrate", "--model", tmp.file("run") + "/model.ogm", "--data",
                                         "demo:train", "--out", tmp.file("cal.ogm"), "--quiet"});
  Model raw = load_model(tmp.file("run") + "/model.ogm"), cal = load_model(tmp.file("cal.ogm"));
  CHECK(raw.info.temperature == 1.0f);
  CHECK(cal.info.temperature != 1.0f);
  Rng r(5);
  const Tensor x = test::randn({16, 8}, r);
  const Predictions a = predict_all(raw, x), b = predict_all(cal, x);
  CHECK(test::bit_equal(a.outputs, b.outputs));  // the same network
  CHECK(!test::bit_equal(a.probs, b.probs));     // read at another temperature
  CHECK(a.classes == b.classes);                 // the argmax kept
}
