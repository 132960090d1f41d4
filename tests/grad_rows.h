// grad_rows.h — the rows of the one gradient-check table (test_ops_grad.cpp runs
// them all). Each row builds a node on random inputs and names the leaves to
// check. Row lists live beside their suites: core ops in test_ops_grad.cpp,
// layers in grad_rows_layers.cpp, losses in grad_rows_losses.cpp.
#pragma once
#include <functional>
#include <vector>

#include "core/gradcheck.h"
#include "core/rng.h"

namespace og::test {

struct Built {
  Var out;               // the node under test (its name must equal GradRow::op)
  std::vector<Var> wrt;  // leaves (g.leaf / g.param) whose gradients are checked
};

struct GradRow {
  const char* op;
  std::function<Built(Graph&, Rng&)> build;
  GradCheckOptions opt = {};
};

std::vector<GradRow> op_rows();      // test_ops_grad.cpp
std::vector<GradRow> layer_rows();   // grad_rows_layers.cpp (linear, batchnorm, dropout, ...)
std::vector<GradRow> conv_rows();    // grad_rows_conv.cpp (conv2d, pooling)
std::vector<GradRow> loss_rows();    // grad_rows_losses.cpp (softmax-head losses)
std::vector<GradRow> ordinal_rows(); // grad_rows_ordinal.cpp (cumulative and regression heads and losses)
std::vector<GradRow> group_rows();   // grad_rows_group.cpp (totals of groups)

}  // namespace og::test
