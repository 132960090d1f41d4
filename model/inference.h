// inference.h — a model's outputs, class probabilities and predicted classes on
// inputs, in eval mode (batch norm's running statistics, no dropout), in batches.
#pragma once
#include <vector>

#include "io/dataset.h"
#include "model/heads.h"
#include "model/model.h"

namespace og {

struct Evaluation {
  double accuracy = 0;
  double loss = 0;                 // the model's loss on the whole set (weighted)
  std::vector<int> predicted;      // decoded class per example
  Tensor outputs;                  // [N, outputs]
};

// Inference over `data` in batches (no gradients, eval mode).
Evaluation evaluate(Model& model, const Dataset& data, int batch = 256);

// The outputs of the model on inputs x [N, ...], in eval mode.
Tensor predict(Model& model, const Tensor& x, int batch = 256);
// The same on a dataset's inputs, in memory or streamed batch by batch (Dataset::rows).
Tensor predict(Model& model, const Dataset& data, int batch = 256);
// The class probabilities [N, K] of the model on inputs x (model/heads.h: class_probs).
Tensor predict_probs(Model& model, const Tensor& x, int batch = 256);

// Outputs as the head reads them: divided by the model's calibration temperature
// (ModelInfo::temperature; the same outputs when it is 1 or the head is regression).
Tensor calibrated(const ModelInfo& info, const Tensor& outputs);

// All three at once, classes by `rule` (`eval` and `predict` print them), from the
// calibrated outputs.
struct Predictions {
  Tensor outputs;            // [N, outputs]
  Tensor probs;              // [N, K]
  std::vector<int> classes;  // N predicted classes
};
Predictions predict_all(Model& model, const Tensor& x, Rule rule = Rule::default_rule, int batch = 256);
Predictions predict_all(Model& model, const Dataset& data, Rule rule = Rule::default_rule, int batch = 256);

}  // namespace og
