// fuzz_forward.h — what the model-loading targets check on a model that loaded: one
// eval-mode forward pass on a zero input must give [1, outputs] (traps otherwise).
#pragma once
#include <vector>

#include "core/graph.h"
#include "model/model.h"

namespace og::fuzz {

inline void check_forward(Model& m) {
  Graph g;
  g.set_grad_enabled(false);
  g.set_training(false);
  std::vector<int64_t> dims{1};
  for (int i = 0; i < m.info.input.nd; ++i) dims.push_back(m.info.input[i]);
  const Var out = m.net->forward(g.input(Tensor::zeros(Shape::of(dims))));
  if (!(out.shape().nd == 2 && out.shape()[0] == 1 && out.shape()[1] == m.info.outputs())) __builtin_trap();
}

}  // namespace og::fuzz
