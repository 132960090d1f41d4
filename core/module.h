// module.h — Module: a layer or a network that owns Parameters.
//
// A Module records its computation on the graph of its input (forward(x)), and
// lists its parameters by name ("0.weight", "conv1.bias") for optimisers and
// model files. State that is saved but not trained (batch-norm running
// statistics) is listed as buffers. Train/eval mode is a property of the Graph
// (Graph::training()), not of the module, so one model serves both at once.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/graph.h"

namespace og {

struct NamedParam {
  std::string name;
  Parameter* param;
};

struct NamedTensor {
  std::string name;
  Tensor* tensor;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual Var forward(Var x) = 0;
  virtual std::string describe() const = 0;  // one line, e.g. "conv2d(1->32, k3 s1 p1)"
  // Append this module's parameters / buffers, names prefixed with `prefix`.
  virtual void visit_params(const std::string& prefix, std::vector<NamedParam>& out) {
    (void)prefix, (void)out;
  }
  virtual void visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) {
    (void)prefix, (void)out;
  }

  std::vector<NamedParam> parameters() {
    std::vector<NamedParam> out;
    visit_params("", out);
    return out;
  }
  std::vector<NamedTensor> buffers() {
    std::vector<NamedTensor> out;
    visit_buffers("", out);
    return out;
  }
  void zero_grad() {
    for (NamedParam& p : parameters()) p.param->grad.fill(0.0f);
  }
};

}  // namespace og
