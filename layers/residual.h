// residual.h — a skip connection around a sequence of modules (He et al. 2016):
//
//   y = body(x) + x            when body keeps the shape of x
//   y = body(x) + proj(x)      otherwise: proj is a 1x1 convolution with stride S
//                              ([C,H,W] -> [C',H',W'], H' = (H-1)/S + 1) or, for flat
//                              inputs, a dense layer [F] -> [F']
// backward: the add node (core/ops/add.cpp) sends g to both branches, so
//           dx = d body/dx^T g + g (or + d proj/dx^T g): no node of its own.
// The activation that usually follows a block is written after it, outside; with
// fuse_relu (set by the architecture builder for "res(...), relu") the block records
// add_relu, y = max(body(x) + shortcut, 0), instead of add and a separate relu.
// Names: "body.<i>.<name>" for the body's parameters, "proj.<name>" for the projection's.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/module.h"
#include "layers/sequential.h"

namespace og {

class Residual : public Module {
 public:
  // proj may be null (identity shortcut).
  Residual(std::unique_ptr<Sequential> body, std::unique_ptr<Module> proj);
  Var forward(Var x) override;
  std::string describe() const override;  // "residual(sequential(...), proj conv2d(16->32, k1 s2 p0))", + ", relu" when fused
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;
  void visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) override;

  Sequential& body() { return *body_; }
  Module* projection() { return proj_.get(); }
  bool fuse_relu = false;

 private:
  std::unique_ptr<Sequential> body_;
  std::unique_ptr<Module> proj_;
};

}  // namespace og
