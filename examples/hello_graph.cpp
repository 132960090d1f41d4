// hello_graph — a program outside the tree, built against an installed ordgrad:
//   g++ -O2 hello_graph.cpp $(pkg-config --cflags --libs ordgrad) -o hello_graph
// 1. records f = sum((x * w + 1)^2) on a graph, runs backward() and compares df/dx
//    with the hand derivation df/dx_i = 2 (x_i w_i + 1) w_i;
// 2. trains a 2-layer MLP on y = sin(2 x1) + x2^2 with Adam and requires the loss to
//    fall to a tenth of its start.
// Exits 1 when either fails.
#include <ordgrad/ordgrad.h>

#include <cmath>
#include <cstdio>

namespace {

bool gradient_by_hand() {
  og::Graph g;
  const og::Tensor xv = og::Tensor::from({3}, {1.0f, 2.0f, 3.0f});
  const og::Tensor wv = og::Tensor::from({3}, {0.5f, -1.0f, 2.0f});
  og::Var x = g.leaf(xv);   // wants a gradient
  og::Var w = g.input(wv);  // a constant
  og::Var f = og::sum(og::square(x * w + 1.0f));
  g.backward(f);
  bool ok = true;
  for (int i = 0; i < 3; ++i) {
    const double expect = 2.0 * (xv[i] * wv[i] + 1.0) * wv[i];
    const double got = x.grad()[i];
    std::printf("df/dx[%d] = %g (by hand %g)\n", i, got, expect);
    ok = ok && std::fabs(got - expect) <= 1e-5 * (1.0 + std::fabs(expect));
  }
  return ok;
}

bool mlp_learns() {
  og::Rng rng(7);
  const int n = 256;
  og::Tensor X = og::Tensor::empty({n, 2}), Y = og::Tensor::empty({n, 1});
  for (int i = 0; i < n; ++i) {
    const float a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
    X[2 * i] = a, X[2 * i + 1] = b;
    Y[i] = std::sin(2 * a) + b * b;
  }
  og::Sequential net;
  net.emplace<og::Linear>(2, 32, rng);
  net.emplace<og::Tanh>();
  net.emplace<og::Linear>(32, 1, rng);
  og::Adam opt(net.parameters(), 0.01f);
  float first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    og::Graph g;  // one tape per step; destroying it frees the step's activations
    og::Var loss = og::mean(og::square(net.forward(g.input(X)) - g.input(Y)));
    opt.zero_grad();
    g.backward(loss);
    opt.step();
    last = loss.value().item();
    if (step == 0) first = last;
    if (step % 100 == 0) std::printf("step %3d  mse %.4f\n", step, last);
  }
  std::printf("mse %.4f -> %.4f\n", first, last);
  return std::isfinite(last) && last < 0.1f * first;
}

}  // namespace

int main() {
  try {
    const bool grad_ok = gradient_by_hand();
    if (!grad_ok) std::printf("FAIL: backward() disagrees with the hand-computed gradient\n");
    const bool fit_ok = mlp_learns();
    if (!fit_ok) std::printf("FAIL: the MLP's loss did not fall below a tenth of its start\n");
    return grad_ok && fit_ok ? 0 : 1;
  } catch (const og::Error& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
