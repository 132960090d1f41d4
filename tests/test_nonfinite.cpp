// The non-finite guard of training: the first NaN/Inf names its node and step, stops
// before the update, and leaves the last finished epoch's checkpoint as it was.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>

#include "blobs.h"
#include "helpers.h"
#include "model/trainer.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

Model cnn(uint64_t seed) { return make_model({"fashion-cnn", Shape{1, 8, 8}, "ce", 4, 0, 1, {}, {}, 0}, seed); }

Parameter& param(Model& m, const std::string& name) {
  for (NamedParam& p : m.net->parameters())
    if (p.name == name) return *p.param;
  throw Error("no parameter " + name);
}

std::vector<Tensor> snapshot(Model& m) {
  std::vector<Tensor> out;
  for (NamedParam& p : m.net->parameters()) out.push_back(p.param->value.clone());
  return out;
}

bool unchanged(Model& m, const std::vector<Tensor>& before) {
  std::vector<Tensor> now = snapshot(m);
  for (size_t i = 0; i < now.size(); ++i)
    if (!test::bit_equal(now[i], before[i])) return false;
  return true;
}

}  // namespace

TEST_CASE("an overflowing convolution is named with its step, and no update happens") {
  Model m = cnn(0);
  // Every first-layer weight at 3e38: a blob pixel (about 1.5) times it exceeds FLT_MAX.
  param(m, "0.weight").value.fill(3e38f);
  const std::vector<Tensor> before = snapshot(m);
  TrainOptions o;
  o.batch = 8;
  Trainer t(m, o);
  const std::string err = test::error_of([&] { t.train_epoch(test::blob_images(16, 1)); });
  CHECK(err.rfind("train: NaN/Inf at epoch 1 step 1 (loss ", 0) == 0);
  CHECK(err.find(" (conv2d_relu) value holds ") != std::string::npos);
  CHECK(err.find("stopping before the update") != std::string::npos);
  CHECK(err.find('\n') == std::string::npos);
  CHECK(unchanged(m, before));  // the guard fired before the optimiser touched anything
  CHECK(t.epoch() == 0);
  CHECK(t.step() == 0);
}

TEST_CASE("a NaN in the data is named as the input leaf, at the step whose batch holds it") {
  Model m = cnn(1);
  TrainOptions o;
  o.batch = 4;
  Trainer t(m, o);
  Dataset d = test::blob_images(16, 2);  // four steps; the shuffle decides which batch holds row 5
  d.x[5 * 64 + 10] = std::numeric_limits<float>::quiet_NaN();
  const std::string err = test::error_of([&] { t.train_epoch(d); });
  CHECK(err.find("node 0 (leaf) value holds nan at element ") != std::string::npos);
  // The steps before the bad batch ran: the message names the step that failed.
  const std::string step = "step " + std::to_string(t.step() + 1) + " (loss nan)";
  CHECK(err.find(step) != std::string::npos);
}

TEST_CASE("an update that overflows a parameter is caught at the end of the epoch, before any save") {
  Model m = cnn(2);
  // Weight decay 3e37 times a bias of 100 overflows the update of that bias only;
  // every other parameter is below 11 and stays finite.
  param(m, "0.bias").value[0] = 100.0f;
  TrainOptions o;
  o.batch = 8;
  o.lr = 1.0f;
  o.weight_decay = 3e37f;
  Trainer t(m, o);
  CHECK(test::error_of([&] { t.train_epoch(test::blob_images(8, 3)); }) ==
        "train: NaN/Inf after the last update of epoch 1 (step 1): parameter '0.bias' holds -inf at "
        "element 0 of [32]; stopping");
  CHECK(t.epoch() == 0);  // the epoch did not finish
}

TEST_CASE("ordgrad train with --lr 1e30 stops with one line naming node and step; the checkpoint stays") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  const std::string out = tmp.file("run");
  auto train = [&](const std::string& extra, std::string& err) {
    const std::string args = "train --data tests/data/cement_strength.csv --model mlp:16 --optimizer sgd"
                             " --batch 32 --quiet --out " + out + " " + extra;
    return test::run_binary(bin, args, tmp.file("err"), err);
  };
  std::string err;
  // Diverging from the first epoch: nothing is written.
  CHECK(train("--epochs 2 --lr 1e30", err) == 1);
  CHECK(err.rfind("ordgrad: train: NaN/Inf at epoch 1 step ", 0) == 0);
  CHECK(err.find(" value holds ") != std::string::npos);
  CHECK(err.find("; no checkpoint was written by this run\n") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(out + "/model.ogm"));
  CHECK_FALSE(fs::exists(out + "/checkpoint.ogm"));

  // One good epoch, then the run is resumed with --lr 1e30 and diverges in epoch 2.
  fs::remove_all(out);
  REQUIRE(train("--epochs 1 --lr 0.01", err) == 0);
  CHECK(err.empty());
  const std::string checkpoint = test::read_file(out + "/checkpoint.ogm"), model = test::read_file(out + "/model.ogm");
  CHECK(train("--epochs 3 --lr 1e30 --resume " + out + "/checkpoint.ogm", err) == 1);
  CHECK(err.rfind("ordgrad: train: NaN/Inf at epoch 2 step ", 0) == 0);
  CHECK(err.find(" value holds ") != std::string::npos);
  CHECK(err.find("checkpoint.ogm (epoch 1) is untouched\n") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(test::read_file(out + "/checkpoint.ogm") == checkpoint);  // epoch 1's checkpoint, untouched
  CHECK(test::read_file(out + "/model.ogm") == model);            // no new (partial) model file
  CHECK(load_checkpoint(out + "/checkpoint.ogm").meta_int("epoch") == 1);
  for (const auto& e : fs::directory_iterator(out))
    CHECK(e.path().string().find(".tmp") == std::string::npos);

  // In one run: an lr that jumps to 1e28 when epoch 2 starts (a step schedule with
  // gamma 1e30 every epoch's worth of steps, read from epoch 1's checkpoint).
  const int64_t steps = load_checkpoint(out + "/checkpoint.ogm").meta_int("step");
  fs::remove_all(out);
  CHECK(train("--epochs 3 --lr 0.01 --schedule step:every=" + std::to_string(steps) + ",gamma=1e30", err) == 1);
  CHECK(err.rfind("ordgrad: train: NaN/Inf at epoch 2 step ", 0) == 0);
  CHECK(err.find("; " + out + "/checkpoint.ogm holds epoch 1\n") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(load_checkpoint(out + "/checkpoint.ogm").meta_int("epoch") == 1);
  CHECK_FALSE(fs::exists(out + "/model.ogm"));
}
