// The library's fit loop (model/fit.h): callbacks, run files, best model, early
// stopping, resume.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "apps/commands.h"
#include "helpers.h"
#include "model/data.h"
#include "model/fit.h"

using namespace og;

namespace {
struct Toy {
  Dataset train = demo_dataset(true), val = demo_dataset(false);
  Model model = make_model({"mlp:8", Shape{8}, "ce", 10, 0, 1, {}, {}, 0}, 3);
};

TrainOptions sgd(float lr, int epochs) {
  TrainOptions o;
  o.lr = lr;
  o.batch = 200;
  o.epochs = epochs;
  return o;
}

int log_rows(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  int n = -1;  // the header
  while (std::getline(f, line)) ++n;
  return n;
}
}  // namespace

TEST_CASE("fit: callbacks see every step and epoch; the run files are written") {
  Toy t;
  Trainer trainer(t.model, sgd(0.05f, 3));
  test::TempDir tmp;
  FitOptions o;
  o.out = tmp.file("run");
  int64_t steps = 0, last_total = 0;
  std::vector<int64_t> epochs;
  FitCallbacks cb;
  bool in_range = true;
  cb.on_step = [&](int64_t s, int64_t total, double) {
    ++steps, last_total = total;
    in_range = in_range && s >= 1 && s <= total;
  };
  cb.on_epoch = [&](const EpochReport& r) { epochs.push_back(r.train.epoch); CHECK(r.has_heldout); };
  const FitResult res = fit(trainer, t.train, &t.val, o, cb);
  CHECK(in_range);
  CHECK(last_total == 4000 / 200);
  CHECK(steps == 3 * last_total);
  CHECK(epochs == std::vector<int64_t>{1, 2, 3});
  REQUIRE(res.history.size() == 3);
  CHECK_FALSE(res.stopped_early);
  CHECK(log_rows(o.out + "/log.csv") == 3);
  CHECK(load_checkpoint(o.out + "/model.ogm").meta_int("epoch") == 3);
  CHECK(load_checkpoint(o.out + "/checkpoint.ogm").meta_int("epoch") == 3);
  // best.ogm is the epoch with the lowest held-out MAE, and says so
  double best = 1e300;
  int64_t best_epoch = 0;
  for (const EpochReport& r : res.history)
    if (r.heldout_mae < best) best = r.heldout_mae, best_epoch = r.train.epoch;
  CHECK(res.best_epoch == best_epoch);
  const Checkpoint b = load_checkpoint(o.out + "/best.ogm");
  CHECK(b.meta_int("epoch") == best_epoch);
  CHECK(std::stod(b.meta_at("heldout_mae")) == doctest::Approx(best));
}

TEST_CASE("fit: early stopping ends the run after `patience` epochs without a better value") {
  Toy t;
  // lr 0: the parameters never move, so epoch 1 stays the best and nothing improves.
  Trainer trainer(t.model, sgd(0.0f, 20));
  test::TempDir tmp;
  FitOptions o;
  o.out = tmp.file("run");
  o.patience = 3;
  o.monitor = "loss";
  const FitResult res = fit(trainer, t.train, &t.val, o);
  CHECK(res.stopped_early);
  CHECK(res.history.size() == 4);
  CHECK(res.best_epoch == 1);
  CHECK(load_checkpoint(o.out + "/model.ogm").meta_int("epoch") == 4);
  CHECK(load_checkpoint(o.out + "/best.ogm").meta_at("monitor") == "loss");
  // Without patience the same run goes on to the end.
  Toy u;
  Trainer full(u.model, sgd(0.0f, 6));
  CHECK(fit(full, u.train, &u.val, FitOptions{}).history.size() == 6);
}

TEST_CASE("fit: resuming keeps the log, the best model and the early-stopping count") {
  test::TempDir tmp;
  auto run = [&](const std::string& dir, int epochs, bool resume) {
    Toy t;
    Trainer trainer(t.model, sgd(0.05f, epochs));
    FitOptions o;
    o.out = tmp.file(dir);
    if (resume) {
      trainer.resume(o.out + "/checkpoint.ogm");
      o.resumed = true;
      o.resumed_from = o.out + "/checkpoint.ogm";
    }
    return fit(trainer, t.train, &t.val, o);
  };
  const FitResult straight = run("straight", 4, false);
  run("stopped", 2, false);
  const FitResult resumed = run("stopped", 4, true);
  CHECK(resumed.history.size() == 2);
  CHECK(resumed.best_epoch == straight.best_epoch);
  CHECK(log_rows(tmp.file("stopped/log.csv")) == 4);
  CHECK(test::read_file(tmp.file("stopped/best.ogm")) == test::read_file(tmp.file("straight/best.ogm")));
  CHECK(test::read_file(tmp.file("stopped/model.ogm")) == test::read_file(tmp.file("straight/model.ogm")));
}

TEST_CASE("fit: bad options are one clear error") {
  Toy t;
  Trainer trainer(t.model, sgd(0.05f, 1));
  FitOptions o;
  o.monitor = "accuracy";
  CHECK_THROWS_WITH_AS(fit(trainer, t.train, &t.val, o), doctest::Contains("unknown monitor 'accuracy'"), Error);
  o.monitor = "mae";
  o.patience = 2;
  CHECK_THROWS_WITH_AS(fit(trainer, t.train, nullptr, o), doctest::Contains("needs a held-out set"), Error);
  CHECK(trainer.epoch() == 0);
}

TEST_CASE("ordgrad train --patience and --monitor reach the fit loop") {
  test::TempDir tmp;
  const std::string out = tmp.file("run");
  REQUIRE(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:8", "--lr", "0",
                                             "--epochs", "10", "--patience", "2", "--monitor", "loss", "--quiet",
                                             "--out", out}) == 0);
  CHECK(load_checkpoint(out + "/model.ogm").meta_int("epoch") == 3);
  CHECK(load_checkpoint(out + "/best.ogm").meta_at("monitor") == "loss");
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:8",
                                                          "--monitor", "qwk", "--out", out}),
                       doctest::Contains("unknown monitor 'qwk'"), Error);
}
