// The training loop: determinism, exact resume, save/load, errors.
#include <doctest/doctest.h>

#include <cstdio>
#include <limits>
#include <string>

#include "core/parallel.h"
#include "blobs.h"
#include "helpers.h"
#include "losses/ce.h"
#include "model/trainer.h"

using namespace og;

namespace {

Model small_cnn(uint64_t seed, const char* loss = "ce") {
  return make_model({"fashion-cnn", Shape{1, 8, 8}, loss, 4, 0, 1, {}, {}, 0}, seed);
}

TrainOptions small_opts(int epochs) {
  TrainOptions o;
  o.batch = 8;
  o.epochs = epochs;
  o.lr = 0.02f;
  return o;
}

std::vector<Tensor> weights(Model& m) {
  std::vector<Tensor> out;
  for (NamedParam& p : m.net->parameters()) out.push_back(p.param->value.clone());
  return out;
}

bool same_weights(Model& a, Model& b) {
  auto wa = weights(a), wb = weights(b);
  if (wa.size() != wb.size()) return false;
  for (size_t i = 0; i < wa.size(); ++i)
    if (!test::bit_equal(wa[i], wb[i])) return false;
  return true;
}
// One epoch over n random images of info's input shape (labels random), trained at 1
// thread and at 2 from the same seed: the weights must agree bit for bit.
void same_for_1_and_2_threads(const ModelInfo& info, uint64_t seed, int64_t n, const TrainOptions& o,
                              uint64_t data_seed) {
  Rng rng(data_seed);
  const Shape& in = info.input;
  Dataset train{test::randn({n, in[0], in[1], in[2]}, rng), std::vector<int>(size_t(n)), {}};
  for (int& y : train.y) y = static_cast<int>(rng.below(uint64_t(info.classes)));
  const int keep = num_threads();
  Model a = make_model(info, seed), b = make_model(info, seed);
  set_num_threads(1);
  Trainer(a, o).train_epoch(train);
  set_num_threads(2);
  Trainer tb(b, o);
  tb.train_epoch(train);
  set_num_threads(keep);
  CHECK(tb.step() == n / o.batch);
  CHECK(same_weights(a, b));
}
}  // namespace

TEST_CASE("a small CNN learns the blob task") {
  Dataset train = test::blob_images(400, 1), test = test::blob_images(200, 2);
  Model m = small_cnn(0);
  Trainer t(m, small_opts(3));
  double first = 0, last = 0;
  for (int e = 0; e < 3; ++e) {
    EpochStats st = t.train_epoch(train);
    (e == 0 ? first : last) = st.loss;
  }
  CHECK(last < 0.5 * first);
  CHECK(evaluate(m, test).accuracy > 0.9);
}

TEST_CASE("the same seed gives bit-identical weights after 200 steps, for 1 and 2 threads") {
  Dataset train = test::blob_images(1600, 3);  // 200 steps of 8
  const int keep = num_threads();
  Model a = small_cnn(5), b = small_cnn(5), c = small_cnn(6);
  set_num_threads(1);
  Trainer(a, small_opts(1)).train_epoch(train);
  set_num_threads(2);
  Trainer tb(b, small_opts(1));
  tb.train_epoch(train);
  Trainer(c, small_opts(1)).train_epoch(train);
  set_num_threads(keep);
  CHECK(tb.step() == 200);
  CHECK(same_weights(a, b));
  CHECK_FALSE(same_weights(a, c));
}

TEST_CASE("count-cnn with a group-total loss: bit-identical weights after 50 steps, 1 and 2 threads") {
  // Batches of 32 16x16 images: the Winograd convolutions run in 2 chunks of images, so
  // the two threads really split them; ce + total_nll over groups of 8, K = 30. (The
  // 200-step test above runs the small CNN; 50 steps here keep the suite quick.)
  TrainOptions o;
  o.batch = 32;
  o.lr = 0.01f;
  same_for_1_and_2_threads({"count-cnn", Shape{1, 16, 16}, "ce+total_nll:group=8", 30, 0, 1, {}, {}, 0}, 3, 1600,
                           o, 21);
}

TEST_CASE("resuming from a checkpoint continues the same run bit for bit") {
  Dataset train = test::blob_images(160, 4);
  test::TempDir dir;
  const std::string path = dir.file("resume.ogm");
  Model straight = small_cnn(9);
  Trainer ts(straight, small_opts(2));
  ts.train_epoch(train);
  ts.train_epoch(train);

  Model first = small_cnn(9);
  Trainer t1(first, small_opts(2));
  t1.train_epoch(train);
  t1.save(path);
  Model resumed = small_cnn(123);  // different init: everything must come from the file
  Trainer t2(resumed, small_opts(2));
  t2.resume(path);
  CHECK(t2.epoch() == 1);
  t2.train_epoch(train);
  CHECK(same_weights(straight, resumed));
}

TEST_CASE("save then load gives bit-identical predictions") {
  Dataset train = test::blob_images(80, 5), test = test::blob_images(50, 6);
  test::TempDir dir;
  const std::string path = dir.file("model.ogm");
  Model m = small_cnn(1);
  Trainer t(m, small_opts(1));
  t.train_epoch(train);
  t.save(path);
  Model loaded = load_model(path);
  CHECK(test::bit_equal(predict(m, test.x), predict(loaded, test.x)));
}

TEST_CASE("training errors: unknown optimizer or schedule, too little data, NaN loss") {
  Model m = small_cnn(0);
  TrainOptions o = small_opts(1);
  o.optimizer = "rmsprop";
  CHECK_THROWS_WITH_AS(Trainer(m, o), "unknown optimizer 'rmsprop' (known: sgd, adam, adamw, lbfgs)",
                       Error);
  o = small_opts(1);
  o.schedule = "linear";  // not a schedule
  CHECK_THROWS_AS(Trainer(m, o), Error);
  Trainer t(m, small_opts(1));
  CHECK_THROWS_AS(t.train_epoch(test::blob_images(4, 1)), Error);
  Dataset bad = test::blob_images(16, 1);
  bad.x[3] = std::numeric_limits<float>::quiet_NaN();
  // The NaN input is node 0 of the step's tape (tests/test_nonfinite.cpp has more).
  CHECK_THROWS_WITH_AS(t.train_epoch(bad), doctest::Contains("node 0 (leaf) value holds nan"), Error);
}

TEST_CASE("a total_* loss trains on whole groups of consecutive examples") {
  Dataset train = test::blob_images(160, 8);
  Model m = small_cnn(2, "ce+total_crps:group=4");
  TrainOptions o = small_opts(2);
  Trainer t(m, o);
  const double first = t.train_epoch(train).loss;
  const double second = t.train_epoch(train).loss;
  CHECK(std::isfinite(first));
  CHECK(second < first);
  o.batch = 6;  // not a multiple of 4
  Model m2 = small_cnn(2, "total_nll:group=4");
  Trainer t2(m2, o);
  CHECK_THROWS_WITH_AS(t2.train_epoch(train), doctest::Contains("must be multiples of it"), Error);
}

TEST_CASE("class-balanced sampling trains deterministically and refuses group losses") {
  Dataset train = test::blob_images(400, 9);
  for (size_t i = 0; i < train.y.size(); ++i) train.y[i] = i % 20 == 0 ? 3 : train.y[i] % 3;  // class 3 rare
  Model a = small_cnn(4), b = small_cnn(4);
  TrainOptions o = small_opts(1);
  o.balanced = true;
  Trainer ta(a, o), tb(b, o);
  const EpochStats sa = ta.train_epoch(train), sb = tb.train_epoch(train);
  CHECK(std::isfinite(sa.loss));
  CHECK(sa.loss == sb.loss);  // deterministic for a seed
  CHECK(same_weights(a, b));
  Model c = small_cnn(4, "total_nll:group=4");
  Trainer tc(c, o);
  CHECK_THROWS_WITH_AS(tc.train_epoch(train), doctest::Contains("would break the groups"), Error);
}

TEST_CASE("augmented training is deterministic and resumes bit for bit") {
  Dataset train = test::blob_images(160, 10);
  TrainOptions o = small_opts(2);
  o.augment = Augment{true, true, 1, 0.1f};
  test::TempDir dir;
  Model straight = small_cnn(3), again = small_cnn(3), plain = small_cnn(3);
  Trainer ts(straight, o), ta(again, o);
  TrainOptions no_aug = small_opts(2);
  Trainer tp(plain, no_aug);
  for (int e = 0; e < 2; ++e) ts.train_epoch(train), ta.train_epoch(train), tp.train_epoch(train);
  CHECK(same_weights(straight, again));
  CHECK_FALSE(same_weights(straight, plain));  // the augmentation did something
  Model first = small_cnn(3);
  Trainer t1(first, o);
  t1.train_epoch(train);
  t1.save(dir.file("c.ogm"));
  Model resumed = small_cnn(77);
  Trainer t2(resumed, o);
  t2.resume(dir.file("c.ogm"));
  t2.train_epoch(train);
  CHECK(same_weights(straight, resumed));
}

TEST_CASE("resnet8 (batchnorm, residual blocks, fused relus): bit-identical weights after 20 steps, 1 and 2 threads") {
  // 16 RGB images of 16x16 per batch: the 16-channel activations hold 65,536 values, so
  // batchnorm, add_relu and the convolutions all take their parallel paths.
  TrainOptions o;
  o.batch = 16;
  o.lr = 0.05f;
  o.momentum = 0.9f;
  same_for_1_and_2_threads({"resnet8", Shape{3, 16, 16}, "ce", 10, 0, 1, {}, {}, 0}, 4, 320, o, 22);
}
