// Exact resume: training N epochs straight equals training with stops and resumes
// from checkpoints, bit for bit — with everything random or stateful in the run at
// once: shuffled or class-balanced data order, augmentation, dropout masks, Adam
// moments, SGD momentum, an lr schedule in steps, gradient clipping; in the library
// (Trainer::save / resume) and through `ordgrad train --resume`.
// (tests/test_trainer.cpp has the plain SGD and augmentation-only variants.)
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "apps/commands.h"
#include "blobs.h"
#include "helpers.h"
#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/dropout.h"
#include "layers/linear.h"
#include "layers/pool2d.h"
#include "model/trainer.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

// A small CNN with dropout before its head; the dropout draws its masks from the
// model's own Rng, as every random choice of training does.
Model dropout_cnn(uint64_t seed) {
  return make_model({"conv(8,3,pad=1), relu, maxpool(2), flatten, dense(32), relu, dropout(0.3)", Shape{1, 8, 8},
                     "ce", 4, 0, 1, {}, {}, 0},
                    seed);
}

// Every tensor (parameters, buffers, optimiser state) and every metadata entry
// (epoch, step, Rng state, optimizer steps) of two checkpoints, bit for bit.
bool same_checkpoint(const Checkpoint& a, const Checkpoint& b) {
  if (a.meta != b.meta || a.tensors.size() != b.tensors.size()) return false;
  for (size_t i = 0; i < a.tensors.size(); ++i)
    if (a.tensors[i].first != b.tensors[i].first || !test::bit_equal(a.tensors[i].second, b.tensors[i].second))
      return false;
  return true;
}

bool same_params(Model& a, Model& b) {
  std::vector<NamedParam> pa = a.net->parameters(), pb = b.net->parameters();
  if (pa.size() != pb.size()) return false;
  for (size_t i = 0; i < pa.size(); ++i)
    if (!test::bit_equal(pa[i].param->value, pb[i].param->value)) return false;
  return true;
}

// Trains dropout_cnn(init_seed) for `epochs` epochs -- after resuming from `from`, unless
// it is empty -- then saves the trainer's state to `to`. A resumed run starts from
// another initialisation, so that only the checkpoint can make it match.
Model train_and_save(uint64_t init_seed, const TrainOptions& o, const Dataset& train, int epochs,
                     const std::string& to, const std::string& from = "") {
  Model m = dropout_cnn(init_seed);
  Trainer t(m, o);
  if (!from.empty()) t.resume(from);
  for (int e = 0; e < epochs; ++e) t.train_epoch(train);
  t.save(to);
  return m;
}

// A file that must exist (two missing files would compare equal).
std::string slurp(const std::string& path) {
  REQUIRE(std::filesystem::exists(path));
  return test::read_file(path);
}

}  // namespace

TEST_CASE("Adam + cosine + warm-up + clipping + dropout + balanced sampler + augmentation: 3 epochs == 1+1+1") {
  const Dataset train = test::blob_images(96, 31, 0.2f);
  TrainOptions o;
  o.optimizer = "adam";
  o.lr = 0.01f;
  o.schedule = "cosine:min=0.001,warmup=4";  // spans o.epochs = 3 epochs of 12 steps
  o.clip_norm = 1.0f;
  o.batch = 8;
  o.epochs = 3;
  o.balanced = true;
  o.augment = Augment{true, true, 1, 0.2f};
  test::TempDir dir;

  Model straight = train_and_save(7, o, train, 3, dir.file("straight.ogm"));

  // Stop after every epoch; each resume starts from a model initialised differently.
  train_and_save(7, o, train, 1, dir.file("e1.ogm"));
  {
    Model probe = dropout_cnn(100);
    Trainer tp(probe, o);
    tp.resume(dir.file("e1.ogm"));
    CHECK(tp.epoch() == 1);
    CHECK(tp.step() == 12);
  }
  train_and_save(100, o, train, 1, dir.file("e2.ogm"), dir.file("e1.ogm"));
  Model third = train_and_save(200, o, train, 1, dir.file("resumed.ogm"), dir.file("e2.ogm"));

  CHECK(same_params(straight, third));
  CHECK(same_checkpoint(load_checkpoint(dir.file("straight.ogm")), load_checkpoint(dir.file("resumed.ogm"))));

  // The comparison has teeth: losing one piece of state breaks it.
  Model no_rng = dropout_cnn(100);  // data order, augmentation and dropout masks differ
  Trainer tr(no_rng, o);
  tr.resume(dir.file("e2.ogm"));
  no_rng.rng->set_state(Rng(5).state());
  tr.train_epoch(train);
  CHECK_FALSE(same_params(straight, no_rng));
  Checkpoint e2 = load_checkpoint(dir.file("e2.ogm"));
  for (auto& [name, t] : e2.tensors)
    if (name.rfind("optim.", 0) == 0) t.fill(0.0f);  // Adam's moments lost
  save_checkpoint(dir.file("e2-no-moments.ogm"), e2);
  Model no_moments = train_and_save(100, o, train, 1, dir.file("no-moments-e3.ogm"), dir.file("e2-no-moments.ogm"));
  CHECK_FALSE(same_params(straight, no_moments));
}

TEST_CASE("SGD with Nesterov momentum, a step schedule and weight decay: 2 epochs == 1+1") {
  const Dataset train = test::blob_images(80, 32, 0.2f);
  TrainOptions o;
  o.optimizer = "sgd";
  o.nesterov = true;
  o.momentum = 0.9f;
  o.weight_decay = 1e-3f;
  o.lr = 0.05f;
  o.schedule = "step:every=7,gamma=0.5";  // decays in the middle of epoch 1 and of epoch 2
  o.batch = 8;
  o.epochs = 2;
  test::TempDir dir;
  Model straight = train_and_save(3, o, train, 2, dir.file("straight.ogm"));
  train_and_save(3, o, train, 1, dir.file("e1.ogm"));
  Model resumed = train_and_save(4, o, train, 1, dir.file("resumed.ogm"), dir.file("e1.ogm"));
  CHECK(same_params(straight, resumed));
  CHECK(same_checkpoint(load_checkpoint(dir.file("straight.ogm")), load_checkpoint(dir.file("resumed.ogm"))));
}

TEST_CASE("ordgrad train --epochs 2 == --epochs 1 then --resume: the same model.ogm, byte for byte") {
  test::TempDir tmp;
  SUBCASE("a table: Adam, step schedule, balanced sampler, class weights") {
    const std::vector<std::string> common = {"ordgrad", "train", "--data", "tests/data/cement_strength.csv",
                                             "--model", "mlp:16,8", "--loss", "ce+0.5*rps", "--optimizer", "adam",
                                             "--lr", "0.01", "--schedule", "step:every=10,gamma=0.7,warmup=5",
                                             "--sampler", "balanced", "--class-weights", "inverse", "--batch",
                                             "32", "--clip", "2", "--quiet", "--seed", "3"};
    test::train_straight_and_stopped(cli::run_train, common, tmp);
    CHECK(slurp(tmp.file("straight") + "/model.ogm") == slurp(tmp.file("stopped") + "/model.ogm"));
    CHECK(slurp(tmp.file("straight") + "/checkpoint.ogm") == slurp(tmp.file("stopped") + "/checkpoint.ogm"));
    CHECK(load_checkpoint(tmp.file("stopped") + "/model.ogm").meta_int("epoch") == 2);
  }
  SUBCASE("counting images: augmentation (flips, shifts, brightness), SGD momentum, explicit cosine") {
    const std::string data = tmp.file("data");
    REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", data, "--n", "160", "--seed", "2",
                                      "--quiet"}) == 0);
    const std::vector<std::string> common = {"ordgrad", "train", "--data", data, "--model", "count-cnn",
                                             "--image-size", "16", "--flip", "--shift", "2", "--brightness",
                                             "0.2", "--optimizer", "sgd", "--lr", "0.02", "--schedule",
                                             "cosine:total=12", "--batch", "16", "--quiet"};
    test::train_straight_and_stopped(cli::run_train, common, tmp);
    CHECK(slurp(tmp.file("straight") + "/model.ogm") == slurp(tmp.file("stopped") + "/model.ogm"));
  }
}

TEST_CASE("resuming a cosine that spans --epochs with another --epochs says the lr curve differs") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  const std::string out = tmp.file("run"), log = tmp.file("stdout");
  const std::string train = std::string(bin) +
                            " train --data tests/data/cement_strength.csv --model linear --optimizer adam --out " + out;
  REQUIRE(std::system((train + " --schedule cosine --epochs 1 --quiet").c_str()) == 0);
  CHECK(load_checkpoint(out + "/checkpoint.ogm").meta_at("run_epochs") == "1");
  const std::string resume = " --resume " + out + "/checkpoint.ogm >" + log;
  REQUIRE(std::system((train + " --schedule cosine --epochs 2" + resume).c_str()) == 0);
  CHECK(slurp(log).rfind("note: --schedule cosine spans --epochs; the checkpoint's run planned 1 epochs, this one 2",
                         0) == 0);
  // With the cosine's length given there is nothing to say.
  REQUIRE(std::system((train + " --schedule cosine:total=30 --epochs 3" + resume).c_str()) == 0);
  CHECK(slurp(log).find("note:") == std::string::npos);
}
