// linear.h — fully connected layer, optionally fused with ReLU.
//
// forward : y = x W^T + b                        (node "linear")
//           y = max(0, x W^T + b)                 (node "linear_relu", fuse_relu)
// backward: with G = dL/dy (masked by y > 0 when fused, since y > 0 <=> x W^T + b > 0):
//           dX += G W,  dW += G^T X,  db += sum over rows of G
// shapes  : x [N,in], W [out,in], b [out] or none (an undefined Var), y [N,out].
//           A 4-D x must be flattened first (og::flatten or the Flatten module).
// saves   : nothing beyond the inputs and y (y gives the ReLU mask).
// parallel: one og::gemm forward and two backward (each blocked over the threads
//           with a fixed partition); the bias + ReLU epilogue is parallel over rows;
//           the bias gradient is a serial column sum in a fixed order (in double).
#pragma once
#include <string>
#include <vector>

#include "core/module.h"
#include "core/rng.h"

namespace og {

Var linear(Var x, Var w, Var b, bool fuse_relu = false);

// Weight [out,in] and bias [out] drawn U(-1/sqrt(in), 1/sqrt(in)) (fan_in_uniform,
// layers/init.h: the default the reference recipes were tuned with).
class Linear : public Module {
 public:
  Linear(int in, int out, Rng& rng, bool bias = true);
  static int64_t parameter_count(int in, int out, bool bias) {  // before construction
    return int64_t(in) * out + (bias ? out : 0);
  }
  Var forward(Var x) override;
  std::string describe() const override;  // "linear(3136->128)"
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;

  int in_features, out_features;
  bool has_bias;
  bool fuse_relu = false;  // record "linear_relu" instead of "linear" (+ a separate relu)
  Parameter weight;        // "weight" [out,in]
  Parameter bias;          // "bias" [out]; empty when has_bias is false
};

}  // namespace og
