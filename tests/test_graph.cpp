// The tape: accumulation, deep chains without recursion, errors, determinism, NaN/Inf search.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <functional>
#include <vector>

#include "core/ops.h"
#include "helpers.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"

using namespace og;

TEST_CASE("a value used twice gets the summed gradient: y = x*x + x") {
  Graph g;
  Var x = g.leaf(Tensor::from({3}, {-1.0f, 0.5f, 2.0f}));
  Var y = sum(x * x + x);
  g.backward(y);
  CHECK(y.value().item() == doctest::Approx(1 - 1 + 0.25 + 0.5 + 4 + 2));
  for (int i = 0; i < 3; ++i) CHECK(x.grad()[i] == doctest::Approx(2 * x.value()[i] + 1));
}

TEST_CASE("backward runs a chain of 100,000 nodes without recursion") {
  Graph g;
  Var x = g.leaf(Tensor::from({1}, {1.0f}));
  Var y = x;
  for (int i = 0; i < 100000; ++i) y = add_scalar(y, 1e-5f);
  Var loss = sum(y * 2.0f);
  g.backward(loss);
  CHECK(g.size() == 100003);
  CHECK(x.grad()[0] == doctest::Approx(2.0));
  CHECK(y.value()[0] == doctest::Approx(2.0).epsilon(1e-3));
}

TEST_CASE("parameters accumulate across graphs until zeroed") {
  Parameter p("w", Tensor::from({2}, {1.0f, -2.0f}));
  for (int step = 0; step < 2; ++step) {
    Graph g;
    Var w = g.param(p);
    g.backward(sum(square(w)));
  }
  CHECK(p.grad[0] == doctest::Approx(4.0));   // 2 * (2 * 1)
  CHECK(p.grad[1] == doctest::Approx(-8.0));
}

TEST_CASE("constants get no gradient and cost no backward") {
  Graph g;
  Var c = g.input(Tensor::from({2}, {1, 2}));
  Var x = g.leaf(Tensor::from({2}, {3, 4}));
  Var y = sum(c * x);
  CHECK_FALSE(c.node->needs_grad);
  g.backward(y);
  CHECK_FALSE(c.grad().defined());
  CHECK(x.grad()[1] == 2.0f);
}

TEST_CASE("inference mode records no gradient requirement") {
  Graph g;
  g.set_grad_enabled(false);
  Parameter p("w", Tensor::from({2}, {1, 2}));
  Var y = sum(g.param(p));
  CHECK_FALSE(y.node->needs_grad);
}

TEST_CASE("errors name the op and the shapes") {
  Graph g;
  Var a = g.leaf(Tensor::zeros({2, 3}));
  Var b = g.leaf(Tensor::zeros({3, 2}));
  CHECK_THROWS_WITH_AS(add(a, b), "add: shapes [2,3] and [3,2] do not broadcast", Error);
  CHECK_THROWS_WITH_AS(matmul(a, a), "matmul: inner sizes differ: [2,3] times [2,3]", Error);
  CHECK_THROWS_WITH_AS(g.backward(a), "backward: loss must be a scalar, got shape [2,3] from leaf",
                       Error);
  CHECK_THROWS_WITH_AS(gather(a, {0, 3}), "gather: index 3 out of range [0,3) at row 1 of input [2,3]",
                       Error);
  CHECK_THROWS_WITH_AS(gather(a, {0}), "gather: 1 indices for 2 rows of input [2,3]", Error);
  CHECK_THROWS_AS(slice(a, 2, 5), Error);
  CHECK_THROWS_AS(sum(a, 2), Error);
  Graph other;
  Var c = other.leaf(Tensor::zeros({2, 3}));
  CHECK_THROWS_WITH_AS(add(a, c), "add: input 1 belongs to another graph", Error);
}

TEST_CASE("broadcast patterns: per feature, per channel, per row, scalar") {
  Graph g;
  Var x = g.input(Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6}));
  CHECK(add(x, g.input(Tensor::from({3}, {10, 20, 30}))).value()[4] == 25.0f);
  CHECK(add(x, g.input(Tensor::from({2, 1}, {100, 200}))).value()[4] == 205.0f);
  CHECK(mul(x, g.input(Tensor::from({1}, {2}))).value()[5] == 12.0f);
  Var img = g.input(Tensor::zeros({2, 3, 2, 2}));
  Var per_channel = add(img, g.input(Tensor::from({3}, {1, 2, 3})));
  CHECK(per_channel.value()[4 * 1 + 2] == 2.0f);       // n=0, c=1
  CHECK(per_channel.value()[12 + 4 * 2 + 3] == 3.0f);  // n=1, c=2
  CHECK_THROWS_AS(add(img, g.input(Tensor::zeros({2}))), Error);
  CHECK_THROWS_AS(add(x, g.input(Tensor::zeros({2}))), Error);
}

TEST_CASE("the same computation twice gives bit-identical values and gradients") {
  auto run = [](Tensor& value, Tensor& grad) {
    Rng rng(123);
    Graph g;
    Var x = g.leaf(test::randn({64, 30}, rng));
    Var w = g.leaf(test::randn({30, 30}, rng));
    Var loss = mean(sum(square(softmax(matmul(x, w)) - 0.1f), 1));
    g.backward(loss);
    value = loss.value().clone();
    grad = w.grad().clone();
  };
  Tensor v1, g1, v2, g2;
  run(v1, g1);
  run(v2, g2);
  CHECK(test::bit_equal(v1, v2));
  CHECK(test::bit_equal(g1, g2));
}

TEST_CASE("to_dot lists every node and edge") {
  Graph g;
  Var x = g.leaf(Tensor::zeros({2}));
  sum(relu(x));
  const std::string dot = g.to_dot();
  CHECK(dot.find("relu [2]") != std::string::npos);
  CHECK(dot.find("n1 -> n2") != std::string::npos);
}

TEST_CASE("find_non_finite names the first node whose value holds a NaN or Inf") {
  Graph g;
  Var x = g.leaf(Tensor::from({3}, {1.0f, 2.0f, 3.0f}));       // node 0
  Var shift = g.input(Tensor::from({3}, {0.0f, -5.0f, 0.0f}));  // node 1
  Var y = log(x + shift);                                       // node 2 add, node 3 log
  Var loss = sum(exp(y));                                       // node 4 exp (nan too), node 5
  CHECK_FALSE(std::isfinite(loss.value().item()));
  const NonFiniteSpot spot = g.find_non_finite();
  REQUIRE(spot.found);
  CHECK(spot.node == 3);  // log(-3), not the exp and sum downstream of it
  CHECK_FALSE(spot.in_grad);
  CHECK(spot.element == 1);
  CHECK(std::isnan(spot.bad));
  CHECK(spot.text == "node 3 (log) value holds nan at element 1 of [3]");
}

TEST_CASE("find_non_finite finds a gradient that overflows while every value is finite") {
  Graph g;
  // log of the smallest subnormal is about -103, but its gradient 1/x overflows to inf.
  Var x = g.leaf(Tensor::from({2}, {1.0f, 1e-45f}));
  Var loss = sum(log(x));
  REQUIRE(std::isfinite(loss.value().item()));
  CHECK_FALSE(g.find_non_finite().found);  // nothing yet: backward has not run
  g.backward(loss);
  const NonFiniteSpot spot = g.find_non_finite();
  REQUIRE(spot.found);
  CHECK(spot.node == 0);
  CHECK(spot.in_grad);
  CHECK(spot.element == 1);
  CHECK(std::isinf(spot.bad));
  CHECK(spot.text == "node 0 (leaf) gradient holds inf at element 1 of [2], "
                     "written by the backward of node 1 (log)");
}

TEST_CASE("find_non_finite names a parameter's leaf by the parameter") {
  Parameter w("0.weight", Tensor::from({2}, {1.0f, -std::numeric_limits<float>::infinity()}));
  Graph g;
  Var x = g.input(Tensor::from({2}, {1.0f, 2.0f}));
  Var loss = sum(x * g.param(w));
  const NonFiniteSpot spot = g.find_non_finite();
  REQUIRE(spot.found);
  CHECK(spot.text == "node 1 (leaf, parameter 0.weight) value holds -inf at element 1 of [2]");
  (void)loss;
}

// Nodes that store into a gradient buffer nothing has written yet (Node::in_grad_fresh)
// must give the values that adding into zeros gives: the same backward is run with the
// leaves' gradients unallocated and with them prefilled with zeros. Sizes reach the
// parallel paths (>= 2^15 elements). x also feeds a node recorded before the one under
// test, whose backward runs after it: its term is then added to the stored one.
TEST_CASE("a first gradient stored into a fresh buffer equals one added to zeros") {
  using Build = std::function<Var(Graph&, Var, Var)>;
  const std::vector<std::pair<const char*, Build>> cases = {
      {"relu", [](Graph&, Var x, Var) { return relu(x); }},
      {"add", [](Graph&, Var x, Var b) { return add(x, b); }},
      {"add_relu", [](Graph&, Var x, Var b) { return add_relu(x, b); }},
      {"batchnorm_relu", [](Graph& g, Var x, Var) {
         return batch_norm(x, g.leaf(Tensor::full({8}, 1.5f)), g.leaf(Tensor::full({8}, 0.1f)), 1e-5f, nullptr, true); }},
      {"conv2d (Winograd)", [](Graph& g, Var x, Var) {
         Rng r(3);
         return conv2d(x, g.leaf(test::randn({8, 8, 3, 3}, r, 0.2f)), Var{}, 1, 1); }},
  };
  Rng rng(11);
  const Tensor x0 = test::randn({16, 8, 16, 16}, rng), b0 = test::randn({16, 8, 16, 16}, rng);
  const Tensor seed = test::randn({16, 8, 16, 16}, rng);
  for (const auto& [name, build] : cases) {
    std::vector<Tensor> grads[2];
    for (int prefill = 0; prefill < 2; ++prefill) {
      Graph g;
      Var x = g.leaf(x0), b = g.leaf(b0);
      if (prefill) x.node->grad = Tensor::zeros(x.shape()), b.node->grad = Tensor::zeros(b.shape());
      Var z = mul_scalar(x, 0.5f);
      Var y = add(build(g, x, b), z);
      g.backward(y, seed);
      grads[prefill] = {x.grad(), b.grad()};
    }
    INFO(name);
    for (int k = 0; k < 2; ++k) {
      const Tensor &fresh = grads[0][k], &zeroed = grads[1][k];
      if (!fresh.defined()) {  // b unused by this node
        CHECK(first_non_finite(zeroed) < 0);
        continue;
      }
      int64_t differ = 0;
      for (int64_t i = 0; i < fresh.numel(); ++i) differ += fresh[i] != zeroed[i];
      CHECK(differ == 0);
    }
  }
}
