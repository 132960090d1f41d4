// The loss spec language: parsing, errors, sums of nodes (decoding: test_heads.cpp).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/ops.h"
#include "helpers.h"
#include "losses/ce.h"
#include "losses/rps.h"
#include "losses/spec.h"
#include "model/heads.h"

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
  CHECK(LossSpec::parse("coral").head() == Head::coral);
  CHECK(LossSpec::parse("clm:link=probit").head() == Head::clm);
  CHECK(LossSpec::parse("reg_huber:delta=0.5").head() == Head::regression);
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
  CHECK_THROWS_WITH_AS(LossSpec::parse("coral+corn"), doctest::Contains("reads a corn head, coral a coral head; they cannot be added"), Error);
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
    const int W = head_width(spec, K);
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
                       doctest::Contains("expected K-1 = 4"), Error);
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

