// conv2d — 2-D convolution (cross-correlation, as in every DL framework), optionally
// fused with the ReLU that follows it. Math, saved state and threading are in
// the header comment of conv2d.cpp.
#pragma once
#include <string>
#include <vector>

#include "core/graph.h"
#include "core/module.h"
#include "core/rng.h"

namespace og {

// How conv2d nodes compute: automatic (the default) takes Winograd F(2x2,3x3)
// (layers/conv2d_winograd.cpp) for 3x3 stride-1 kernels over >= 8 input channels and
// im2col + sgemm otherwise; the others force one path (tests, `ordgrad bench --conv`).
// Read when a node is created; the choice changes float rounding, never the math.
enum class ConvAlgo { automatic, im2col, winograd };
void set_conv_algo(ConvAlgo algo);
ConvAlgo conv_algo();

// y = conv(x, w) + b, or relu of it with fuse_relu (node "conv2d_relu").
// x [N,C,H,W], w [O,C,K,K], b [O] or an undefined Var (b.node == nullptr) for no
// bias; y [N,O,H',W'], H' = (H + 2P - K)/S + 1, W' likewise (P = pad, S = stride).
Var conv2d(Var x, Var w, Var b, int stride, int pad, bool fuse_relu = false);

// Module owning "weight" [O,C,K,K] and "bias" [O] (absent when bias = false),
// both drawn U(-b, b), b = 1/sqrt(C*K*K) (fan_in_uniform, layers/init.h).
class Conv2d : public Module {
 public:
  Conv2d(int in_ch, int out_ch, int kernel, int stride, int pad, Rng& rng, bool bias = true);
  // What the constructor allocates, known before it runs (model files bound it).
  static int64_t parameter_count(int in_ch, int out_ch, int kernel, bool bias) {
    return int64_t(out_ch) * in_ch * kernel * kernel + (bias ? out_ch : 0);
  }
  Var forward(Var x) override;
  std::string describe() const override;  // "conv2d(1->32, k3 s1 p1)"
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;

  int in_ch, out_ch, kernel, stride, pad;
  bool fuse_relu = false;  // forward() records conv2d_relu instead of conv2d
  Parameter weight;
  Parameter bias;          // value undefined when constructed without bias
};

}  // namespace og
