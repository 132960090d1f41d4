// The head table (model/heads.h): widths, probabilities, P(y > k), prediction rules
// and inverse links agree with each other for every head.
#include <doctest/doctest.h>

#include <cmath>

#include "helpers.h"
#include "losses/spec.h"
#include "model/heads.h"

using namespace og;

TEST_CASE("decoding: argmax for softmax, count above one half for cumulative, rounding for regression") {
  const Tensor z = Tensor::from({2, 4}, {0, 3, 1, 0, 5, 0, 0, 6});
  CHECK(predict_classes(LossSpec::parse("ce"), z, 4) == std::vector<int>{1, 3});
  // CORAL logits s_k: P(y>k) = sigmoid(s_k) -> (0.9, 0.7, 0.2) -> 2 above one half
  const Tensor s = Tensor::from({1, 3}, {2.197f, 0.847f, -1.386f});
  CHECK(predict_classes(LossSpec::parse("coral"), s, 4) == std::vector<int>{2});
  const Tensor r = Tensor::from({4, 1}, {-0.7f, 1.4f, 1.6f, 9.0f});
  CHECK(predict_classes(LossSpec::parse("reg_l1"), r, 4) == std::vector<int>{0, 1, 2, 3});
  const Tensor p = class_probs(LossSpec::parse("coral"), s, 4);
  double total = 0;
  for (int k = 0; k < 4; ++k) total += p[k];
  CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(p[0] == doctest::Approx(0.1).epsilon(1e-3));
}

TEST_CASE("prediction rules: mode, median, mean") {
  // p = (0.4, 0.05, 0.05, 0.5): mode 3, median 2 (CDF 0.4, 0.45, 0.5), mean 2.05 -> 2
  const Tensor z = Tensor::from({1, 4}, {std::log(0.4f), std::log(0.05f), std::log(0.05f), std::log(0.5f)});
  const LossSpec s = LossSpec::parse("ce");
  CHECK(predict_classes(s, z, 4, Rule::mode)[0] == 3);
  CHECK(predict_classes(s, z, 4, Rule::median)[0] == 2);
  CHECK(predict_classes(s, z, 4, Rule::mean)[0] == 2);
  CHECK(predict_classes(s, z, 4)[0] == 3);
  CHECK(parse_rule("argmax") == Rule::mode);
  CHECK_THROWS_AS(parse_rule("max"), Error);
}

// For every head: a distribution p goes through the inverse link to outputs, and back
// through probs and greater to the same p and P(y > k); the default rule is that head's.
TEST_CASE("every head: inverse link, probabilities, P(y > k) and its rule agree") {
  const std::vector<double> p = {0.05, 0.1, 0.4, 0.3, 0.15};  // K = 5, median 2, mode 2
  const int K = int(p.size());
  for (const std::string loss : {"ce", "coral", "corn", "clm", "clm:link=probit", "reg_l1"}) {
    INFO(loss);
    const LossSpec spec = LossSpec::parse(loss);
    const HeadDef& h = head_def(spec.head());
    CHECK(h.head == spec.head());
    const std::vector<float> out = h.outputs_for(p, spec.terms()[0]);
    REQUIRE(int(out.size()) == h.width(K));
    const Tensor o = Tensor::from({1, int64_t(out.size())}, out);
    const Tensor probs = h.probs(o, K, spec.terms()[0]);
    const Tensor greater = h.greater(o, K, spec.terms()[0]);
    REQUIRE(probs.shape() == Shape{1, K});
    REQUIRE(greater.shape() == Shape{1, K - 1});
    double F = 0;
    for (int k = 0; k + 1 < K; ++k) {
      F += probs[k];
      CHECK(greater[k] == doctest::Approx(1 - F).epsilon(1e-5));  // P(y > k) = 1 - CDF
    }
    if (spec.head() == Head::regression) {  // all mass on the most probable class
      CHECK(probs[2] == 1.0f);
    } else {
      for (int k = 0; k < K; ++k) CHECK(probs[k] == doctest::Approx(p[k]).epsilon(1e-4));
    }
    CHECK(predict_classes(spec, o, K) == std::vector<int>{2});
    CHECK(std::string(h.rule).size() > 0);
    CHECK(h.parameter_count(7, K) > 0);
  }
}

TEST_CASE("heads build the module their parameter_count promises") {
  for (const HeadDef& h : all_heads()) {
    INFO(head_name(h.head));
    Rng rng(1);
    auto m = h.make(7, 6, rng);
    int64_t n = 0;
    for (const NamedParam& p : m->parameters()) n += p.param->value.numel();
    CHECK(n == h.parameter_count(7, 6));
    Graph g;
    CHECK(m->forward(g.input(Tensor::zeros({3, 7}))).shape() == Shape{3, h.width(6)});
  }
}
