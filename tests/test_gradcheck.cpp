// The checker bites: a deliberately wrong backward fails it.
#include <doctest/doctest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "helpers.h"

using namespace og;

namespace {
// y = x^2 elementwise, with a backward that is wrong in a chosen way.
enum class Bug { none, entry_off_2pct, sign_flip, missing_factor_2, assigns };
struct BuggySquare : Node {
  Bug bug;
  int64_t entry;
  BuggySquare(Bug b, int64_t e) : bug(b), entry(e) {}
  const char* name() const override { return "buggy_square"; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty(in(0).shape());
    for (int64_t i = 0; i < value.numel(); ++i) value[i] = in(0)[i] * in(0)[i];
  }
  void backward() override {
    Tensor& dx = in_grad(0);
    for (int64_t i = 0; i < value.numel(); ++i) {
      float d = 2.0f * in(0)[i] * grad[i];
      if (i == entry && bug == Bug::entry_off_2pct) d *= 1.02f;
      if (i == entry && bug == Bug::sign_flip) d = -d;
      if (bug == Bug::missing_factor_2) d *= 0.5f;
      if (bug == Bug::assigns) dx[i] = d;
      else dx[i] += d;
    }
  }
};

GradCheckResult check(Bug bug) {
  Rng rng(99);
  Graph g;
  Var x = g.leaf(test::randn({4, 5}, rng));
  // Corrupt the entry whose true gradient is largest, under the checker's own cotangent.
  Var probe = g.record<BuggySquare>({x}, Bug::none, -1);
  g.backward(probe, Tensor::full(probe.shape(), 1.0f));
  int64_t entry = 0;
  for (int64_t i = 1; i < 20; ++i)
    if (std::fabs(x.value()[i]) > std::fabs(x.value()[entry])) entry = i;
  Graph g2;
  Var x2 = g2.leaf(x.value().clone());
  Var y = g2.record<BuggySquare>({x2}, bug, entry);
  return grad_check(g2, y, {x2});
}
}  // namespace

TEST_CASE("the checker passes the correct backward") {
  GradCheckResult r = check(Bug::none);
  INFO(r.report);
  CHECK(r.ok);
  CHECK(r.worst_ratio < 0.1);  // a wide margin below the tolerance
}

TEST_CASE("the checker fails one entry off by 2%") { CHECK_FALSE(check(Bug::entry_off_2pct).ok); }
TEST_CASE("the checker fails a sign flip in one entry") { CHECK_FALSE(check(Bug::sign_flip).ok); }
TEST_CASE("the checker fails a missing factor of 2") { CHECK_FALSE(check(Bug::missing_factor_2).ok); }
TEST_CASE("the checker fails a backward that assigns instead of accumulating") {
  CHECK_FALSE(check(Bug::assigns).ok);
}

TEST_CASE("the directional check agrees on a small composite and bites on a bug") {
  Rng rng(4);
  Graph g;
  Var x = g.leaf(test::randn({6, 4}, rng)), w = g.leaf(test::randn({4, 3}, rng));
  Var out = sum(log_softmax(tanh(matmul(x, w))));
  CHECK(directional_check(g, out, {x, w}).ok);
  Graph g2;
  Var x2 = g2.leaf(test::randn({4, 5}, rng));
  Var y2 = g2.record<BuggySquare>({x2}, Bug::missing_factor_2, -1);
  CHECK_FALSE(directional_check(g2, sum(y2), {x2}).ok);
}

TEST_CASE("checks can run one after another on the same tape") {
  Rng rng(8);
  Graph g;
  Var x = g.leaf(test::randn({3, 4}, rng));
  Var out = softmax(tanh(x));
  CHECK(directional_check(g, out, {x}).ok);
  CHECK(grad_check(g, out, {x}).ok);
  CHECK(grad_check(g, out, {x}).ok);
}
