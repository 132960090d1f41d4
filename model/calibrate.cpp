// calibrate.cpp — temperature scaling by the held-out NLL (see calibrate.h).
#include "model/calibrate.h"

#include <cmath>

#include "core/metrics.h"
#include "model/heads.h"

namespace og {

TemperatureFit fit_temperature(const LossSpec& spec, const Tensor& outputs, const std::vector<int>& y, int K,
                               const std::vector<float>& weights) {
  OG_CHECK(spec.head() != Head::regression, "calibrate: a regression head puts all mass on one class; there is "
           "no distribution to calibrate");
  OG_CHECK(!y.empty(), "calibrate: no held-out rows");
  const auto nll_at = [&](double log_t) {
    Tensor scaled = outputs.clone();
    const float t = static_cast<float>(std::exp(log_t));
    for (int64_t i = 0; i < scaled.numel(); ++i) scaled[i] = outputs[i] / t;
    return nll(y, class_probs(spec, scaled, K), weights);
  };
  // Golden-section search: the interval shrinks by 0.618 a step; 60 steps leave ~1e-12.
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = std::log(1.0 / 20), b = std::log(20.0);
  double c = b - g * (b - a), d = a + g * (b - a), fc = nll_at(c), fd = nll_at(d);
  for (int i = 0; i < 60; ++i) {
    if (fc <= fd) b = d, d = c, fd = fc, c = b - g * (b - a), fc = nll_at(c);
    else a = c, c = d, fc = fd, d = a + g * (b - a), fd = nll_at(d);
  }
  TemperatureFit f;
  f.nll_before = nll_at(0);
  const double best = (a + b) / 2, at_best = nll_at(best);
  // Never worse than no calibration (a flat or noisy NLL keeps T = 1).
  f.temperature = at_best < f.nll_before ? static_cast<float>(std::exp(best)) : 1.0;
  f.nll_after = at_best < f.nll_before ? at_best : f.nll_before;
  return f;
}

}  // namespace og
