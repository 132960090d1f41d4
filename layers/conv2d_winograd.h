// conv2d_winograd — the 3x3 stride-1 convolution by Winograd's F(2x2, 3x3):
// 2.25x fewer multiplications than im2col + sgemm, for the same result up to
// float rounding. conv2d (layers/conv2d.cpp) uses it where it measures faster;
// formulas, saved state and threading are in the header of conv2d_winograd.cpp.
#pragma once
#include <cstdint>

namespace og {

struct WinogradConv {
  int64_t N, C, H, W;  // input [N,C,H,W]
  int64_t O, P;        // weight [O,C,3,3], padding P on every side
  int64_t Ho, Wo;      // output [N,O,Ho,Wo], Ho = H + 2P - 2

  // y = conv(x, w) + b (b may be null), then max(., 0) when relu.
  void forward(const float* x, const float* w, const float* b, bool relu, float* y) const;
  // Given y and gy = d loss / d y: dZ = gy (masked by y > 0 when relu), then ADDS
  // d loss / d x, d loss / d w, d loss / d b into dx, dw, db; a null pointer skips it.
  // assign_dx: dx is a fresh buffer (Node::in_grad_fresh), stored into, not added to.
  void backward(const float* x, const float* w, const float* y, const float* gy, bool relu,
                float* dx, float* dw, float* db, bool assign_dx = false) const;
};

}  // namespace og
