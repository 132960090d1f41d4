// inference.cpp — a model on inputs, in eval mode (see inference.h).
#include "model/inference.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/metrics.h"

namespace og {

Tensor predict(Model& model, const Dataset& data, int batch) {
  const int64_t N = data.size();
  Tensor out;
  std::vector<int64_t> idx(N);
  std::iota(idx.begin(), idx.end(), 0);
  for (int64_t b0 = 0; b0 < N; b0 += batch) {
    const int64_t b1 = std::min<int64_t>(N, b0 + batch);
    Graph g;
    g.set_grad_enabled(false);
    g.set_training(false);
    Var o = model.net->forward(g.input(data.rows(idx, b0, b1)));
    const int64_t K = o.shape()[1];
    if (!out.defined()) out = Tensor::empty({N, K});
    std::memcpy(out.data() + b0 * K, o.value().data(), sizeof(float) * (b1 - b0) * K);
  }
  if (!out.defined()) out = Tensor::empty({0, model.info.outputs()});
  return out;
}

namespace {
// x as a dataset of inputs only (its rows are counted by the labels' length).
Dataset inputs_only(const Tensor& x) { return Dataset{x, std::vector<int>(size_t(x.shape()[0])), {}, nullptr}; }
}  // namespace

Tensor predict(Model& model, const Tensor& x, int batch) { return predict(model, inputs_only(x), batch); }

Tensor calibrated(const ModelInfo& info, const Tensor& outputs) {
  if (info.temperature == 1.0f || info.head() == Head::regression) return outputs;
  Tensor out = outputs.clone();
  for (int64_t i = 0; i < out.numel(); ++i) out[i] = outputs[i] / info.temperature;
  return out;
}

Tensor predict_probs(Model& model, const Tensor& x, int batch) {
  return class_probs(LossSpec::parse(model.info.loss), calibrated(model.info, predict(model, x, batch)),
                     model.info.classes);
}

Predictions predict_all(Model& model, const Tensor& x, Rule rule, int batch) {
  return predict_all(model, inputs_only(x), rule, batch);
}

Predictions predict_all(Model& model, const Dataset& data, Rule rule, int batch) {
  Predictions p;
  const LossSpec spec = LossSpec::parse(model.info.loss);
  p.outputs = predict(model, data, batch);
  const Tensor scaled = calibrated(model.info, p.outputs);
  p.probs = class_probs(spec, scaled, model.info.classes);
  p.classes = predict_classes(spec, scaled, model.info.classes, rule);
  return p;
}

Evaluation evaluate(Model& model, const Dataset& data, int batch) {
  Evaluation ev;
  ev.outputs = predict(model, data, batch);
  const LossSpec spec = LossSpec::parse(model.info.loss);
  ev.predicted = predict_classes(spec, ev.outputs, model.info.classes);
  const int64_t N = data.size();
  ev.accuracy = N ? og::accuracy(data.y, ev.predicted) : 0.0;
  if (N > 0) {
    Graph g;
    g.set_grad_enabled(false);
    LossTarget t{data.y, model.info.classes, {}, data.weights, {}};
    ev.loss = spec.build(g.input(ev.outputs), t).value().item();
  }
  return ev;
}

}  // namespace og
