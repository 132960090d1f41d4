// The sharded step (model/shards.h): its gradient is the batch's, summed order-free; a
// sharded run is the same bits for any thread count and across --resume, with dropout
// and augmentation; bad shard counts are one clear error.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "model/shards.h"
#include "tests/helpers.h"

using namespace og;

namespace {
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

TEST_CASE("sharded_gradient: 1, 2 and 8 shards give the batch's loss and gradient") {
  for (const char* loss_text : {"ce+0.5*rps", "corn", "total_nll:group=4+ce"}) {
    CAPTURE(loss_text);
    ModelInfo info;
    info.architecture = "mlp:12";
    info.input = Shape{5};
    info.classes = 6;
    info.loss = loss_text;
    Model model = make_model(info, 3);
    const LossSpec spec = LossSpec::parse(loss_text);
    Rng rng(4);
    const Tensor x = test::randn({32, 5}, rng);
    std::vector<int> y(32);
    for (int& v : y) v = int(rng.below(6));
    const LossTarget t = test::target(y, 6);
    Graph g;
    const Var l = spec.build(model.net->forward(g.input(x)), t);
    model.net->zero_grad();
    g.backward(l);
    std::vector<Tensor> whole;
    for (const NamedParam& p : model.net->parameters()) whole.push_back(p.param->grad.clone());
    const auto never = [](const Graph&, float) { FAIL("non-finite"); };
    for (int shards : {1, 2, 8}) {
      CAPTURE(shards);
      const ShardStep r = sharded_gradient(model, spec, x, t, shards, solo(), never);
      CHECK(r.loss == doctest::Approx(l.value().item()).epsilon(1e-5));
      const auto params = model.net->parameters();
      for (size_t p = 0; p < params.size(); ++p) {
        float largest = 0, worst = 0;
        for (int64_t i = 0; i < whole[p].numel(); ++i) {
          largest = std::max(largest, std::fabs(whole[p][i]));
          worst = std::max(worst, std::fabs(whole[p][i] - params[p].param->grad[i]));
        }
        CHECK(worst <= 2e-5f * largest);
      }
    }
  }
}

TEST_CASE("train --shards: same bits for 1 and 2 threads and across --resume, with dropout, batch norm and flips") {
  test::TempDir tmp;
  const std::string data = tmp.file("data");
  REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", data, "--n", "160", "--seed", "3",
                                                  "--quiet"}) == 0);
  const std::vector<std::string> common = {
      "ordgrad", "train", "--data", data, "--model",
      "conv(8,3,pad=1), bn, relu, maxpool(2), flatten, dropout(0.3), dense(16), relu", "--image-size", "16", "--batch", "32",
      "--shards", "4", "--flip", "--schedule", "cosine:total=6", "--seed", "2", "--quiet"};
  REQUIRE(test::run_command(cli::run_train, with(common, {"--epochs", "2", "--threads", "1", "--out", tmp.file("t1")})) == 0);
  REQUIRE(test::run_command(cli::run_train, with(common, {"--epochs", "2", "--threads", "2", "--out", tmp.file("t2")})) == 0);
  const std::string model = test::read_file(tmp.file("t1") + "/model.ogm");
  CHECK(!model.empty());
  CHECK(test::read_file(tmp.file("t2") + "/model.ogm") == model);
  test::train_straight_and_stopped(cli::run_train, common, tmp);
  CHECK(test::read_file(tmp.file("straight") + "/model.ogm") == test::read_file(tmp.file("stopped") + "/model.ogm"));
  // Sharding changes the arithmetic (ghost batch norm, per-shard dropout): another model.
  std::vector<std::string> one = common;
  one[size_t(std::find(one.begin(), one.end(), "--shards") - one.begin()) + 1] = "1";
  REQUIRE(test::run_command(cli::run_train, with(one, {"--epochs", "2", "--threads", "1", "--out", tmp.file("s1")})) == 0);
  CHECK(test::read_file(tmp.file("s1") + "/model.ogm") != model);
  CHECK(test::error_of([&] { test::run_command(cli::run_train, with(common, {"--shards", "5", "--out", tmp.file("x")})); }) ==
        "train: --shards must divide --batch 32, got 5");
  CHECK(test::error_of([&] {
          test::run_command(cli::run_train, with(one, {"--epochs", "3", "--out", tmp.file("t1"), "--resume",
                                                       tmp.file("t1") + "/checkpoint.ogm"}));
        }) == "train: " + tmp.file("t1") + "/checkpoint.ogm was trained with --shards 4; resume with the same "
              "--shards (this run: 1)");
}
