// The loss spec language: parsing, errors, sums of nodes, decoding.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/ops.h"
#include "helpers.h"
#include "losses/ce.h"
#include "losses/rps.h"
#include "losses/spec.h"

using namespace og;

TEST_CASE("specs parse into terms with coefficients and options") {
  LossSpec s = LossSpec::parse("ce + 0.5*rps:normalize=true");
  REQUIRE(s.terms().size() == 2);
  CHECK(s.terms()[0].name == "ce");
  CHECK(s.terms()[0].coef == 1.0f);
  CHECK(s.terms()[1].name == "rps");
  CHECK(s.terms()[1].coef == 0.5f);
  CHECK(s.terms()[1].options.at("normalize") == "true");
  CHECK(s.head() == Head::softmax);
  CHECK(s.width(30) == 30);
  CHECK(LossSpec::parse("coral").width(30) == 29);
  CHECK(LossSpec::parse("clm:link=probit").head() == Head::cumulative);
  CHECK(LossSpec::parse("reg_huber:delta=0.5").width(30) == 1);
  for (const char* ok : {"cdw_ce:alpha=2", "sord:alpha=1", "gauss_ld:sigma=2", "mean_var:l1=0.2,l2=0.05",
                         "clm:link=probit", "ev_l1+ev_l2", "2*corn", "cum_bce+ce:smoothing=0.1"})
    CHECK_NOTHROW(LossSpec::parse(ok));
}

TEST_CASE("bad specs give one clear error listing what exists") {
  CHECK_THROWS_WITH_AS(LossSpec::parse("hinge"), doctest::Contains("unknown loss 'hinge' (known: ce, rps,"), Error);
  CHECK_THROWS_WITH_AS(LossSpec::parse("cdw_ce:beta=2"),
                       "loss 'cdw_ce:beta=2': cdw_ce has no option 'beta' (known: alpha, normalize, weights)", Error);
  CHECK_THROWS_WITH_AS(LossSpec::parse("rps:normalize=2"), doctest::Contains("expects true or false"), Error);
  CHECK_THROWS_WITH_AS(LossSpec::parse("clm:link=cauchit"), doctest::Contains("must be one of logit|probit"), Error);
  CHECK_THROWS_WITH_AS(LossSpec::parse("ce+coral"), doctest::Contains("cannot be added"), Error);
  CHECK_THROWS_WITH_AS(LossSpec::parse("coral+corn"), doctest::Contains("use one of them"), Error);
  CHECK_THROWS_AS(LossSpec::parse(""), Error);
  CHECK_THROWS_AS(LossSpec::parse("ce+"), Error);
  CHECK_THROWS_AS(LossSpec::parse("x*ce"), Error);
  CHECK_THROWS_AS(LossSpec::parse("sord:alpha"), Error);
  CHECK_THROWS_AS(LossSpec::parse("gauss_ld:sigma=abc"), Error);
  CHECK_THROWS_AS(LossSpec::parse("ce:smoothing=inf"), Error);
}

TEST_CASE("a spec is the sum of its terms, in value and gradient") {
  Rng rng(3);
  const Tensor z0 = test::randn({6, 5}, rng, 2.0f);
  const std::vector<int> y = {0, 4, 2, 2, 1, 3};
  LossTarget t{y, 5, {1, 2, 1, 1, 0.5f}, {1, 1, 2, 1, 1, 0.5f}, {}};
  Graph g1;
  Var z1 = g1.leaf(z0.clone());
  Var l1 = LossSpec::parse("ce+0.5*rps").build(z1, t);
  g1.backward(l1);
  Graph g2;
  Var z2 = g2.leaf(z0.clone());
  Var l2 = cross_entropy(z2, y, CeOptions{t.class_weights, t.sample_weights, 0}) + 0.5f * rps(z2, t);
  g2.backward(l2);
  CHECK(l1.value().item() == doctest::Approx(l2.value().item()).epsilon(1e-6));
  for (int64_t i = 0; i < z0.numel(); ++i) CHECK(z1.grad()[i] == doctest::Approx(z2.grad()[i]).epsilon(1e-5));
}

// The table in losses/spec.cpp is the one registry of losses: every loss node in
// losses/ must be reachable from a spec of its own name (docs/adding-a-loss.md).
TEST_CASE("every loss node in losses/ has an entry of its name in the spec table") {
  std::set<std::string> nodes = test::node_names_in({"losses"});
  REQUIRE(nodes.count("ce") == 1);      // the scan ran (from the repository root)
  nodes.erase("total_dist");            // the total's distribution: a node, not a loss
  const int K = 4, N = 8;               // N: one group of the total_* losses' default 8
  std::vector<int> y(N);
  for (int i = 0; i < N; ++i) y[i] = i % K;
  for (const std::string& name : nodes) {
    INFO("loss node without a spec table entry of its name: ", name);
    LossSpec spec = LossSpec::parse(name);
    const int W = spec.width(K);
    Tensor out = Tensor::empty({N, W});
    for (int64_t i = 0; i < out.numel(); ++i) out[i] = float(i % W) - 1;  // increasing: valid for clm
    Graph g;
    CHECK(spec.build(g.leaf(out), LossTarget{y, K, {}, {}, {}}).node->name() == name);
  }
}

TEST_CASE("building checks the output width against the head") {
  Graph g;
  Var z = g.leaf(Tensor::zeros({2, 5}));
  LossTarget t{{0, 1}, 5, {}, {}, {}};
  CHECK_THROWS_WITH_AS(LossSpec::parse("coral").build(z, t),
                       "loss 'coral': needs outputs [N,4] for 5 classes, got [2,5]", Error);
}

TEST_CASE("decoding: argmax for softmax, count above one half for cumulative, rounding for regression") {
  const Tensor z = Tensor::from({2, 4}, {0, 3, 1, 0, 5, 0, 0, 6});
  CHECK(LossSpec::parse("ce").decode(z, 4) == std::vector<int>{1, 3});
  // CORAL logits s_k: P(y>k) = sigmoid(s_k) -> (0.9, 0.7, 0.2) -> 2 above one half
  const Tensor s = Tensor::from({1, 3}, {2.197f, 0.847f, -1.386f});
  CHECK(LossSpec::parse("coral").decode(s, 4) == std::vector<int>{2});
  const Tensor r = Tensor::from({4, 1}, {-0.7f, 1.4f, 1.6f, 9.0f});
  CHECK(LossSpec::parse("reg_l1").decode(r, 4) == std::vector<int>{0, 1, 2, 3});
  const Tensor p = LossSpec::parse("coral").probs(s, 4);
  double total = 0;
  for (int k = 0; k < 4; ++k) total += p[k];
  CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(p[0] == doctest::Approx(0.1).epsilon(1e-3));
}

TEST_CASE("group-total terms: group sizes, defaults and agreement") {
  CHECK(LossSpec::parse("ce").group() == 0);
  CHECK(LossSpec::parse("total_crps:group=8+rps").group() == 8);
  CHECK(LossSpec::parse("total_nll").group() == 8);
  CHECK(LossSpec::parse("total_nll").with_default_group(3).group() == 3);
  CHECK(LossSpec::parse("total_ev_l1:group=4+total_nll:group=4").group() == 4);
  CHECK_THROWS_WITH_AS(LossSpec::parse("total_nll:group=4+total_crps:group=8"),
                       doctest::Contains("different group sizes"), Error);
  CHECK_THROWS_AS(LossSpec::parse("total_nll:group=0"), Error);
  CHECK_THROWS_AS(LossSpec::parse("total_nll:group=2.5"), Error);
}

TEST_CASE("weights= fits class weights to the training labels and changes the loss") {
  LossSpec s = LossSpec::parse("ce:weights=inverse");
  const std::vector<int> y = {0, 0, 0, 1};
  s.fit(y, 2, {});
  REQUIRE(s.terms()[0].class_weights.size() == 2);
  CHECK(s.terms()[0].class_weights[1] == doctest::Approx(3 * s.terms()[0].class_weights[0]));
  Graph g;
  Var z = g.leaf(Tensor::from({4, 2}, {1, 0, 1, 0, 1, 0, 1, 0}));
  const float weighted = s.build(z, LossTarget{y, 2, {}, {}, {}}).value().item();
  const float plain = LossSpec::parse("ce").build(z, LossTarget{y, 2, {}, {}, {}}).value().item();
  CHECK(weighted > plain);  // the rare class's (wrong) row counts three times as much
  CHECK_THROWS_AS(LossSpec::parse("ce:weights=magic"), Error);
}

TEST_CASE("prediction rules: mode, median, mean") {
  // p = (0.4, 0.05, 0.05, 0.5): mode 3, median 2 (CDF 0.4, 0.45, 0.5), mean 2.05 -> 2
  const Tensor z = Tensor::from({1, 4}, {std::log(0.4f), std::log(0.05f), std::log(0.05f), std::log(0.5f)});
  LossSpec s = LossSpec::parse("ce");
  CHECK(s.decode(z, 4, Rule::mode)[0] == 3);
  CHECK(s.decode(z, 4, Rule::median)[0] == 2);
  CHECK(s.decode(z, 4, Rule::mean)[0] == 2);
  CHECK(s.decode(z, 4)[0] == 3);
  CHECK(parse_rule("argmax") == Rule::mode);
  CHECK_THROWS_AS(parse_rule("max"), Error);
}
