// Networks written as text, end to end through `ordgrad`: a network of one's own with
// batch norm, dropout, average pooling and a residual block trains, saves, reloads,
// evaluates, predicts and resumes bit for bit; every alias trains the same model as
// the text `inspect` prints for it.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "apps/commands.h"
#include "helpers.h"
#include "model/architecture.h"
#include "model/model.h"
#include "model/trainer.h"

using namespace og;

namespace {

// The counting images, once per process (16x16 training keeps these tests short).
const std::string& counts(const test::TempDir& tmp) {
  static std::string dir;
  if (dir.empty() || !std::filesystem::exists(dir)) {
    dir = tmp.file("counts");
    REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", dir, "--n", "160", "--seed",
                                                    "4", "--quiet"}) == 0);
  }
  return dir;
}

std::string stdout_of(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  REQUIRE(pclose(p) == 0);
  return out;
}

// The "architecture" string of `ordgrad inspect --json` (the text holds no quotes).
std::string inspected_architecture(const char* bin, const std::string& model) {
  const std::string js = stdout_of(std::string(bin) + " inspect --json " + model);
  const std::string key = "{\"architecture\": \"";
  REQUIRE(js.rfind(key, 0) == 0);
  return js.substr(key.size(), js.find('"', key.size()) - key.size());
}

}  // namespace

TEST_CASE("a network of one's own: bn, dropout, avgpool, residual -- train, reload, eval, predict, resume") {
  test::TempDir tmp;
  const std::string data = counts(tmp);
  const std::string arch =
      "conv(12,3,pad=1,bias=0), bn, relu, res(conv(12,3,pad=1), bn, leakyrelu(0.1), conv(12,3,pad=1), bn), relu, "
      "avgpool(2), res(conv(16,3,stride=2,pad=1), bn, tanh), gap, dropout(0.2), dense(24), sigmoid";
  const std::vector<std::string> common = {"ordgrad", "train", "--data", data, "--model", arch, "--image-size", "16",
                                           "--loss", "ce+0.5*rps", "--optimizer", "adam", "--lr", "0.01",
                                           "--batch", "16", "--flip", "--seed", "5", "--quiet"};
  test::train_straight_and_stopped(cli::run_train, common, tmp);
  const std::string a = test::read_file(tmp.file("straight") + "/model.ogm");
  REQUIRE(!a.empty());
  CHECK(a == test::read_file(tmp.file("stopped") + "/model.ogm"));  // resumed: the same bytes

  // The file alone rebuilds the network: text, running statistics, parameters.
  const Checkpoint ck = load_checkpoint(tmp.file("straight") + "/model.ogm");
  CHECK(ck.meta_at("architecture") == canonical_architecture(arch));
  Model m = load_model(tmp.file("straight") + "/model.ogm");
  CHECK(m.info.architecture == canonical_architecture(arch));
  const std::vector<NamedTensor> buffers = m.net->buffers();
  REQUIRE(buffers.size() == 8);  // 4 batch norms
  for (const NamedTensor& b : buffers) {
    INFO(b.name);
    CHECK(test::bit_equal(*b.tensor, *ck.find("buffer." + b.name)));
  }
  bool trained_stats = false;  // training moved the running statistics off their start
  for (const NamedTensor& b : buffers)
    for (int64_t i = 0; i < b.tensor->numel(); ++i) trained_stats |= (*b.tensor)[i] != 0.0f && (*b.tensor)[i] != 1.0f;
  CHECK(trained_stats);

  // Eval and predict: inference behaviour (running statistics, no dropout) gives the
  // same outputs every time and leaves the statistics alone.
  Rng rng(9);
  const Tensor x = test::randn(Shape{6, 1, 16, 16}, rng);
  const Tensor y1 = predict(m, x), y2 = predict(m, x);
  CHECK(test::bit_equal(y1, y2));
  for (const NamedTensor& b : m.net->buffers()) CHECK(test::bit_equal(*b.tensor, *ck.find("buffer." + b.name)));
  const std::string model = tmp.file("straight") + "/model.ogm";
  CHECK(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", model, "--data", data + ":test", "--json"}) == 0);
  CHECK(test::run_command(cli::run_predict, {"ordgrad", "predict", "--model", model, "--data", data + ":test", "--csv",
                                             tmp.file("pred.csv")}) == 0);
  CHECK(test::read_file(tmp.file("pred.csv")).size() > 100);
}

TEST_CASE("every alias trains the same model as the text inspect prints for it") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  const std::string data = counts(tmp);
  for (const std::string alias : {"fashion-cnn", "count-cnn", "mlp:16,8", "linear", "resnet8"}) {
    INFO(alias);
    auto train = [&](const std::string& model, const std::string& out) {
      return test::run_command(cli::run_train, {"ordgrad", "train", "--data", data, "--model", model, "--image-size",
                                                "16", "--epochs", "1", "--batch", "32", "--seed", "11", "--lr",
                                                "0.01", "--out", tmp.file(out), "--quiet"});
    };
    REQUIRE(train(alias, "alias") == 0);
    const std::string text = inspected_architecture(bin, tmp.file("alias") + "/model.ogm");
    CHECK(text == canonical_architecture(alias));
    CHECK(text != alias);  // expanded, not the alias
    REQUIRE(train(text, "text") == 0);
    Model a = load_model(tmp.file("alias") + "/model.ogm"), t = load_model(tmp.file("text") + "/model.ogm");
    const auto pa = a.net->parameters(), pt = t.net->parameters();
    REQUIRE(pa.size() == pt.size());
    for (size_t i = 0; i < pa.size(); ++i) CHECK(test::bit_equal(pa[i].param->value, pt[i].param->value));
    CHECK(test::read_file(tmp.file("alias") + "/model.ogm") == test::read_file(tmp.file("text") + "/model.ogm"));
    // And training moved them: a second seed gives other weights.
    REQUIRE(test::run_command(cli::run_train, {"ordgrad", "train", "--data", data, "--model", text, "--image-size",
                                               "16", "--epochs", "1", "--batch", "32", "--seed", "12", "--out",
                                               tmp.file("other"), "--quiet"}) == 0);
    CHECK_FALSE(test::bit_equal(load_model(tmp.file("other") + "/model.ogm").net->parameters()[0].param->value,
                                pa[0].param->value));
  }
}
