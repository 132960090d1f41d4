// pool2d — max and average pooling over K x K windows, and global average pooling.
// No padding: H' = (H - K)/S + 1 (floor), W' likewise; kernel must fit the input.
// Math, saved state and threading are in the header comment of pool2d.cpp.
#pragma once
#include <string>

#include "core/graph.h"
#include "core/module.h"

namespace og {

Var max_pool2d(Var x, int kernel, int stride);  // [N,C,H,W] -> [N,C,H',W'], node "max_pool2d"
Var avg_pool2d(Var x, int kernel, int stride);  // [N,C,H,W] -> [N,C,H',W'], node "avg_pool2d"
Var global_avg_pool(Var x);                     // [N,C,H,W] -> [N,C],       node "global_avg_pool"

class MaxPool2d : public Module {
 public:
  MaxPool2d(int kernel, int stride);
  Var forward(Var x) override { return max_pool2d(x, kernel, stride); }
  std::string describe() const override;  // "max_pool2d(k2 s2)"
  int kernel, stride;
};

class AvgPool2d : public Module {
 public:
  AvgPool2d(int kernel, int stride);
  Var forward(Var x) override { return avg_pool2d(x, kernel, stride); }
  std::string describe() const override;  // "avg_pool2d(k2 s2)"
  int kernel, stride;
};

class GlobalAvgPool : public Module {
 public:
  Var forward(Var x) override { return global_avg_pool(x); }
  std::string describe() const override { return "global_avg_pool"; }
};

}  // namespace og
