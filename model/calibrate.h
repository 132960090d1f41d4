// calibrate.h — fitting a trained model's confidence to held-out data.
//
// Temperature scaling: one T > 0 divides the outputs before the head reads them
// (ModelInfo::temperature, applied by model/inference.h and the ONNX export). For a
// softmax head it scales the logits; for CORAL and CORN the K-1 scores; for CLM the
// cumulative logits c_k = theta_k - eta, i.e. the latent score and the cut-points
// together. T > 1 softens over-confident distributions, T < 1 sharpens. Positive
// scaling keeps the softmax argmax and the number of P(y > k) > 1/2, so the default
// rule's predictions do not change. T is chosen to minimise the held-out NLL (weighted
// mean of -log p_y) by golden-section search on log T in [log 1/20, log 20].
#pragma once
#include <vector>

#include "core/tensor.h"
#include "losses/spec.h"

namespace og {

struct TemperatureFit {
  double temperature = 1;
  double nll_before = 0, nll_after = 0;  // held-out NLL at T = 1 and at the fitted T
};

// outputs [N, outputs] of a model with loss `spec` on held-out rows with labels y.
TemperatureFit fit_temperature(const LossSpec& spec, const Tensor& outputs, const std::vector<int>& y, int K,
                               const std::vector<float>& weights = {});

}  // namespace og
