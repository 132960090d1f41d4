// The shared pieces of the loss nodes, tested on their own: the weights and their
// checks (losses/reduce.h), the row softmax / log-sum-exp helpers (losses/row_math.h),
// RowLossNode's weighted reduction and accumulation (losses/row_loss.h) on a toy row
// loss with hand-computed values, the soft-target helpers of sord / gauss_ld, and the
// coral / corn node (losses/cumulative.h).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/graph.h"
#include "helpers.h"
#include "losses/coral.h"
#include "losses/corn.h"
#include "losses/reduce.h"
#include "losses/row_loss.h"
#include "losses/row_math.h"
#include "losses/soft_target.h"

using namespace og;

namespace {

// L_i = sum_k c_k z_k with c_k = k + 1 - y, so dL_i/dz_k = c_k: linear, easy by hand.
struct LinearRowNode : RowLossNode {
  using RowLossNode::RowLossNode;
  const char* name() const override { return "test_linear_row"; }
  double row(const float* z, int64_t K, int y, float* dz) const override {
    double loss = 0;
    for (int64_t k = 0; k < K; ++k) {
      const double c = double(k + 1 - y);
      loss += c * z[k];
      if (dz) dz[k] = static_cast<float>(c);
    }
    return loss;
  }
};

LossTarget toy_target() {
  LossTarget t;
  t.labels = {0, 2};
  t.K = 3;
  t.sample_weights = {1, 3};
  return t;
}

}  // namespace

TEST_CASE("RowLossNode: weighted mean of the rows, gradient accumulates g w_i / sum w dL_i") {
  // Rows: y = 0, c = (1,2,3): L_0 = 1 + 4 + 9 = 14; y = 2, c = (-1,0,1): L_1 = -0.5 + 4 = 3.5.
  // L = (1 * 14 + 3 * 3.5) / 4 = 6.125. With seed g = 2: row 0 gets 2/4 c, row 1 gets 6/4 c.
  Graph g;
  Var z = g.leaf(Tensor::from({2, 3}, {1, 2, 3, 0.5f, -1, 4}));
  const LossTarget t = toy_target();
  Var loss = g.record<LinearRowNode>({z}, t.labels, checked_weights("toy", z, t));
  CHECK(loss.value().item() == 6.125f);
  z.node->grad_buf();
  for (int64_t i = 0; i < 6; ++i) z.node->grad[i] = 1.0f;  // prefilled: backward must add
  g.backward(loss, Tensor::full({}, 2.0f));
  const std::vector<float> expected = {1.5f, 2.0f, 2.5f, -0.5f, 1.0f, 2.5f};
  CHECK(z.grad().to_vector() == expected);

  // replay() re-runs forward on edited inputs: value and saved row gradients follow.
  z.node->value[2] = 5.0f;  // row 0: L_0 = 1 + 4 + 15 = 20 -> L = (20 + 10.5) / 4
  g.replay();
  CHECK(loss.value().item() == 7.625f);
}

TEST_CASE("RowLossNode: no row gradients are computed or kept without a gradient") {
  Graph g;
  g.set_grad_enabled(false);
  Var z = g.leaf(Tensor::from({2, 3}, {1, 2, 3, 0.5f, -1, 4}));
  const LossTarget t = toy_target();
  Var loss = g.record<LinearRowNode>({z}, t.labels, checked_weights("toy", z, t));
  CHECK(loss.value().item() == 6.125f);
  CHECK_FALSE(static_cast<const LinearRowNode*>(loss.node)->dl.defined());
}

TEST_CASE("checked_weights: class x sample weights divided by their sum; errors name the op") {
  Graph g;
  Var z = g.leaf(Tensor::zeros({3, 4}));
  LossTarget t;
  t.labels = {0, 3, 3};
  t.K = 4;
  t.class_weights = {2, 1, 1, 0.5f};
  t.sample_weights = {1, 2, 6};
  // w = (2, 1, 3), sum 6
  const std::vector<double> w = checked_weights("toy", z, t);
  REQUIRE(w.size() == 3);
  CHECK(w[0] == doctest::Approx(2.0 / 6));
  CHECK(w[1] == doctest::Approx(1.0 / 6));
  CHECK(w[2] == doctest::Approx(3.0 / 6));
  t.K = 1;
  Var one = g.leaf(Tensor::zeros({3, 1}));
  CHECK_THROWS_WITH_AS(checked_weights("toy", one, t), "toy: needs at least 2 classes, got K = 1", Error);
}

TEST_CASE("loss_weights, normalised_loss_weights, weighted_sum: hand cases and errors") {
  // w = class weight of the label x sample weight: (2*1, 0.5*4, 2*0.5) = (2, 2, 1), sum 5.
  const std::vector<int> y = {0, 1, 0};
  const std::vector<double> w = loss_weights("toy", y, 2, {2, 0.5f}, {1, 4, 0.5f});
  CHECK(w == std::vector<double>{2, 2, 1});
  const std::vector<double> n = normalised_loss_weights("toy", y, 2, {2, 0.5f}, {1, 4, 0.5f});
  CHECK(n == std::vector<double>{0.4, 0.4, 0.2});
  CHECK(loss_weights("toy", y, 2, {}, {}) == std::vector<double>{1, 1, 1});
  CHECK(normalised_loss_weights("toy", {}, 2, {}, {}).empty());  // an empty batch is no error
  CHECK(weighted_sum(n, {10, 5, -5}) == doctest::Approx(5));     // 4 + 2 - 1

  CHECK_THROWS_WITH_AS(loss_weights("toy", y, 2, {1, 1, 1}, {}), "toy: 3 class weights for 2 classes", Error);
  CHECK_THROWS_WITH_AS(loss_weights("toy", y, 2, {}, {1, 1}), "toy: 2 sample weights for 3 samples", Error);
  CHECK_THROWS_WITH_AS(loss_weights("toy", {0, 2}, 2, {}, {}), "toy: label 2 out of range [0,2) at row 1", Error);
  CHECK_THROWS_WITH_AS(loss_weights("toy", y, 2, {}, {1, -1, 1}),
                       "toy: weight of row 1 is -1 (weights must be finite and >= 0)", Error);
  CHECK_THROWS_WITH_AS(loss_weights("toy", y, 2, {0, 0}, {}), "toy: the weights of the batch sum to zero", Error);
}

TEST_CASE("check_softmax_input: shape, class count and labels; errors name the op") {
  LossTarget t = test::target({0, 2}, 3);
  CHECK_NOTHROW(check_softmax_input("toy", Shape{2, 3}, t));
  CHECK_THROWS_WITH_AS(check_softmax_input("toy", Shape{6}, t), "toy: logits must be [N,K], got [6]", Error);
  CHECK_THROWS_WITH_AS(check_softmax_input("toy", Shape{2, 4}, t),
                       "toy: logits [2,4] have 4 classes, the target has K = 3", Error);
  CHECK_THROWS_WITH_AS(check_softmax_input("toy", Shape{3, 3}, t), "toy: 2 labels for logits [3,3]", Error);
}

TEST_CASE("row_math: softmax, log-softmax and log-sum-exp of a row, also at extreme logits") {
  // z = (0, ln 3): p = (1/4, 3/4), logsumexp = ln 4.
  const float z[2] = {0.0f, float(std::log(3.0))};
  double p[2], lp[2];
  CHECK(softmax_row(z, 2, p) == doctest::Approx(std::log(4.0)));
  CHECK(p[0] == doctest::Approx(0.25));
  CHECK(p[1] == doctest::Approx(0.75));
  CHECK(logsumexp_row(z, 2) == doctest::Approx(std::log(4.0)));
  log_softmax_row(z, 2, lp);
  CHECK(lp[0] == doctest::Approx(std::log(0.25)));
  CHECK(lp[1] == doctest::Approx(std::log(0.75)));

  // Logits far beyond exp's range: the largest exponent is 0, nothing overflows.
  const float big[3] = {1000.0f, -1000.0f, 999.0f};
  double q[3];
  const double lse = softmax_row(big, 3, q);
  CHECK(lse == doctest::Approx(1000 + std::log1p(std::exp(-1.0))));
  CHECK(q[0] == doctest::Approx(1 / (1 + std::exp(-1.0))));
  CHECK(q[1] == 0.0);
  CHECK(q[0] + q[2] == doctest::Approx(1));

  CHECK(log_add_exp(0, 0) == doctest::Approx(std::log(2.0)));
  CHECK(log_add_exp(1000, 1000) == doctest::Approx(1000 + std::log(2.0)));
  CHECK(log_add_exp(-std::numeric_limits<double>::infinity(), 3) == 3);
}

TEST_CASE("prefix_suffix_logsumexp: the log-sum-exp of every prefix and suffix") {
  Rng rng(3);
  const Tensor t = test::randn({7}, rng, 3.0f);
  const int64_t K = 7;
  std::vector<double> A(K), B(K);
  prefix_suffix_logsumexp(t.data(), K, A.data(), B.data());
  for (int64_t k = 0; k < K; ++k) {
    CHECK(A[k] == doctest::Approx(logsumexp_row(t.data(), k + 1)).epsilon(1e-12));
    CHECK(B[k] == doctest::Approx(logsumexp_row(t.data() + k, K - k)).epsilon(1e-12));
  }
  const float big[3] = {800.0f, 0.0f, -800.0f};  // e^800 overflows a double
  double a[3], b[3];
  prefix_suffix_logsumexp(big, 3, a, b);
  CHECK(a[2] == doctest::Approx(800));
  CHECK(b[1] == doctest::Approx(0));
  CHECK(b[2] == -800);
}

TEST_CASE("soft_target_ce and soft_targets: hand-computed values") {
  // z = (0, ln 3): p = (1/4, 3/4); q = (1/2, 1/2):
  // L = -(log(1/4) + log(3/4)) / 2 = 0.836988216...; gradient p - q = (-1/4, 1/4).
  const float z[2] = {0.0f, float(std::log(3.0))};
  const double q[2] = {0.5, 0.5};
  float dz[2];
  CHECK(soft_target_ce(z, 2, q, dz) == doctest::Approx(0.8369882167858358).epsilon(1e-7));
  CHECK(dz[0] == doctest::Approx(-0.25).epsilon(1e-6));
  CHECK(dz[1] == doctest::Approx(0.25).epsilon(1e-6));

  // score -|k - y| for K = 3: row 0 = (1, e^-1, e^-2) / (1 + e^-1 + e^-2), row 1 symmetric.
  const std::vector<double> t = soft_targets(3, [](int y, int k) { return -std::fabs(double(k - y)); });
  REQUIRE(t.size() == 9);
  CHECK(t[0] == doctest::Approx(0.6652409557748219));
  CHECK(t[1] == doctest::Approx(0.24472847105479767));
  CHECK(t[2] == doctest::Approx(0.09003057317038046));
  CHECK(t[3] == doctest::Approx(t[5]));
  CHECK(t[4] == doctest::Approx(1 / (1 + 2 * std::exp(-1.0))));
  CHECK(t[8] == doctest::Approx(t[0]));
}

TEST_CASE("ThresholdBceNode: corn with every task eligible is coral divided by K-1") {
  // Labels all K-1: every task counts for corn, so its sum equals coral's (lambda = 1);
  // corn divides by sum_i w_i (K-1) pairs, coral by sum_i w_i.
  Rng rng(5);
  Graph g;
  Var s = g.leaf(test::randn({6, 4}, rng, 2.0f));
  LossTarget t;
  t.labels = std::vector<int>(6, 4);
  t.K = 5;
  t.sample_weights = {1, 2, 0.5f, 1, 3, 1};
  const float a = coral(s, t).value().item(), b = corn(s, t).value().item();
  CHECK(b * 4 == doctest::Approx(a).epsilon(1e-6));
}
