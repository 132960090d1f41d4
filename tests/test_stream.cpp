// test_stream.cpp — streamed image datasets (io/stream.h): the same values and models as
// the in-memory path, for any number of batch workers, across --resume; the cache's
// byte bound; a bad file met while streaming.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "helpers.h"
#include "io/prefetch.h"
#include "io/stream.h"
#include "model/data.h"

using namespace og;

namespace {
// A small RGB counting set (DIR/train.csv, val.csv, test.csv); 32x32 files read at 24x24,
// so the streamed decode also goes through the resize.
std::string make_counts(const test::TempDir& tmp) {
  const std::string data = tmp.file("data");
  REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", data, "--n", "120", "--size",
                                                  "32", "--channels", "3", "--seed", "5", "--quiet"}) == 0);
  return data;
}

DataOptions rgb24(bool stream) {
  DataOptions o;
  o.channels = 3, o.height = 24, o.width = 24;
  o.stream = stream;
  return o;
}

ModelInfo image_info(const NamedData& d) {
  ModelInfo info;
  info.input = d.input;
  info.classes = d.classes;
  info.norm_mean = d.norm_mean;
  info.norm_std = d.norm_std;
  return info;
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

TEST_CASE("streamed rows are the decoded, normalised rows of the in-memory path, bit for bit, cached or not") {
  test::TempDir tmp;
  const std::string data = make_counts(tmp);
  NamedData mem = load_named(data, "train", rgb24(false));
  NamedData str = load_named(data, "train", rgb24(true));
  REQUIRE(str.data.streamed());
  CHECK_FALSE(str.data.x.defined());   // nothing decoded up front
  REQUIRE(mem.data.size() == str.data.size());
  CHECK(mem.data.y == str.data.y);
  const ModelInfo info = image_info(mem);
  prepare_data(mem.data, info);
  const int64_t row_bytes = 3 * 24 * 24 * int64_t(sizeof(float));
  prepare_data(str.data, info, 5 * row_bytes + 7);   // room for 5 rows, not 6
  // A scrambled order, as an epoch's shuffle gives.
  std::vector<int64_t> idx(size_t(mem.data.size()));
  std::iota(idx.begin(), idx.end(), 0);
  Rng rng(9);
  rng.shuffle(idx);
  for (int pass = 0; pass < 2; ++pass) {   // the second pass reads the cached rows
    CHECK(test::bit_equal(str.data.rows(idx, 3, 40), mem.data.rows(idx, 3, 40)));
    CHECK(test::bit_equal(str.data.all_rows(), mem.data.x));
  }
  CHECK(str.data.source->cache->bytes_used() == 5 * row_bytes);
}

TEST_CASE("RowCache holds the first N rows that fit in its bytes, never more") {
  const int64_t F = 10, row_bytes = F * int64_t(sizeof(float));
  RowCache cache(3 * row_bytes + row_bytes / 2, F, 100);
  CHECK(cache.capacity_rows() == 3);
  std::vector<float> row(F), back(F);
  for (int64_t i = 9; i >= 0; --i) {   // any order: the set is rows 0..2
    std::iota(row.begin(), row.end(), float(i * 100));
    cache.put(i, row.data());
    CHECK(cache.bytes_used() <= 3 * row_bytes + row_bytes / 2);
  }
  CHECK(cache.bytes_used() == 3 * row_bytes);
  CHECK_FALSE(cache.get(3, back.data()));
  REQUIRE(cache.get(2, back.data()));
  CHECK(back[0] == 200.0f);
  CHECK(back[F - 1] == float(200 + F - 1));
  CHECK(RowCache(0, F, 100).capacity_rows() == 0);
  CHECK(RowCache(1000 * row_bytes, F, 7).capacity_rows() == 7);   // never more rows than the source
}

TEST_CASE("Prefetcher: any number of workers (0: made in next()) hands out the same batches in step order, and a failure in order") {
  const auto make = [](int64_t s) {
    if (s == 11) throw Error("batch 11 is bad");
    return Dataset{Tensor::full({1}, float(s * s)), {int(s)}, {}, nullptr};
  };
  for (int workers : {0, 1, 2, 3, 5}) {
    CAPTURE(workers);
    Prefetcher p(make, 11, 2, 1, workers);
    for (int64_t s = 0; s < 11; ++s) {
      const Dataset b = p.next();
      CHECK(b.y.at(0) == s);
      CHECK(b.x[0] == float(s * s));
    }
    CHECK(p.done());
    Prefetcher q(make, 20, 2, 1, workers);
    for (int64_t s = 0; s < 11; ++s) CHECK(q.next().y.at(0) == s);
    CHECK(test::error_of([&] { q.next(); }) == "batch 11 is bad");
    CHECK(test::error_of([&] { q.next(); }) == "Prefetcher: next() after make_batch failed at step 11");
  }
  Prefetcher early(make, 50, 1, 1, 4);   // destroyed with batches in flight: no hang
  CHECK(early.next().y.at(0) == 0);
}

TEST_CASE("train --stream: the same model.ogm as in memory, with flips and shifts, for 0, 1 and 3 workers and a cache") {
  test::TempDir tmp;
  const std::string data = make_counts(tmp);
  const std::vector<std::string> common = {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--channels",
                                           "3", "--image-size", "24", "--flip", "--shift", "2", "--batch", "16",
                                           "--epochs", "2", "--seed", "4", "--quiet"};
  REQUIRE(test::run_command(cli::run_train, with(common, {"--out", tmp.file("mem"), "--workers", "1"})) == 0);
  REQUIRE(test::run_command(cli::run_train, with(common, {"--out", tmp.file("s1"), "--stream", "--workers", "1"})) == 0);
  REQUIRE(test::run_command(cli::run_train, with(common, {"--out", tmp.file("s0"), "--stream", "--workers", "0"})) == 0);
  REQUIRE(test::run_command(cli::run_train, with(common, {"--out", tmp.file("s3"), "--stream", "--workers", "3",
                                                          "--cache-mb", "1"})) == 0);
  // --stream-above-mb 1: the decoded set (~0.6 MB at 3x24x24) stays in memory; 0 never streams.
  REQUIRE(test::run_command(cli::run_train, with(common, {"--out", tmp.file("auto"), "--stream-above-mb", "1"})) == 0);
  const std::string mem = test::read_file(tmp.file("mem") + "/model.ogm");
  CHECK(!mem.empty());
  CHECK(test::read_file(tmp.file("s1") + "/model.ogm") == mem);
  CHECK(test::read_file(tmp.file("s0") + "/model.ogm") == mem);
  CHECK(test::read_file(tmp.file("s3") + "/model.ogm") == mem);
  CHECK(test::read_file(tmp.file("auto") + "/model.ogm") == mem);
  // Another seed gives another model, so the comparison above can fail.
  REQUIRE(test::run_command(cli::run_train, with(common, {"--out", tmp.file("other"), "--stream", "--seed", "5"})) == 0);
  CHECK(test::read_file(tmp.file("other") + "/model.ogm") != mem);
}

TEST_CASE("train --stream with augmentation and 2 workers: 2 epochs == 1 epoch + --resume") {
  test::TempDir tmp;
  const std::string data = make_counts(tmp);
  const std::vector<std::string> common = {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--channels",
                                           "3", "--image-size", "24", "--flip", "--shift", "2", "--brightness",
                                           "0.2", "--schedule", "cosine:total=14", "--batch", "16", "--stream",
                                           "--workers", "2", "--cache-mb", "1", "--quiet"};
  test::train_straight_and_stopped(cli::run_train, common, tmp);
  CHECK(test::read_file(tmp.file("straight") + "/model.ogm") == test::read_file(tmp.file("stopped") + "/model.ogm"));
  CHECK(test::read_file(tmp.file("straight") + "/checkpoint.ogm") ==
        test::read_file(tmp.file("stopped") + "/checkpoint.ogm"));
}

TEST_CASE("train --stream: a corrupt image is one line naming the file; with --skip-bad it is left out as in memory") {
  test::TempDir tmp;
  const std::string data = make_counts(tmp);
  // The manifest's first training image, overwritten with bytes that are no image.
  std::ifstream manifest(data + "/train.csv");
  std::string line;
  std::getline(manifest, line);
  std::getline(manifest, line);
  const std::string bad = data + "/" + line.substr(0, line.find(','));
  { std::ofstream(bad, std::ios::binary) << "GIF89a not really"; }
  const std::vector<std::string> common = {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--channels",
                                           "3", "--image-size", "24", "--batch", "16", "--epochs", "1", "--quiet"};
  const std::string err = test::error_of(
      [&] { test::run_command(cli::run_train, with(common, {"--stream", "--out", tmp.file("run")})); });
  CHECK(err.find("'" + bad + "'") != std::string::npos);
  CHECK(err.find("not a PNG, JPEG or BMP file") != std::string::npos);
  CHECK(err.find('\n') == std::string::npos);
  // --skip-bad decodes every image once before streaming: the same images are left out,
  // the same skipped.txt written and the same model trained as in memory.
  REQUIRE(test::run_command(cli::run_train, with(common, {"--skip-bad", "--out", tmp.file("mem")})) == 0);
  REQUIRE(test::run_command(cli::run_train, with(common, {"--skip-bad", "--stream", "--out", tmp.file("s")})) == 0);
  const std::string skipped = test::read_file(tmp.file("mem") + "/skipped.txt");
  CHECK(skipped.find("'" + bad + "'") != std::string::npos);
  CHECK(test::read_file(tmp.file("s") + "/skipped.txt") == skipped);
  CHECK(test::read_file(tmp.file("s") + "/model.ogm") == test::read_file(tmp.file("mem") + "/model.ogm"));
}

TEST_CASE("load_named: --stream-above-mb streams exactly when the decoded images exceed it") {
  test::TempDir tmp;
  const std::string data = make_counts(tmp);
  DataOptions o = rgb24(false);
  o.stream_above_mb = 1;  // 84 training images of 3x24x24 floats: 0.55 MB
  CHECK(!load_named(data, "train", o).data.streamed());
  o.height = o.width = 40;  // 1.54 MB
  const NamedData big = load_named(data, "train", o);
  CHECK(big.data.streamed());
  CHECK(!big.data.x.defined());
  o.stream_above_mb = 0;
  CHECK(!load_named(data, "train", o).data.streamed());
}

TEST_CASE("eval and predict --stream give what they give in memory") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  const std::string data = make_counts(tmp);
  REQUIRE(test::run_command(cli::run_train, {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--channels",
                                             "3", "--image-size", "24", "--batch", "16", "--epochs", "1", "--quiet",
                                             "--out", tmp.file("run")}) == 0);
  const std::string model = tmp.file("run") + "/model.ogm";
  const std::string eval = std::string(bin) + " eval --json --group 4 --batch 7 --model " + model + " --data " + data;
  REQUIRE(std::system((eval + " > " + tmp.file("mem.json")).c_str()) == 0);
  REQUIRE(std::system((eval + " --stream > " + tmp.file("s.json")).c_str()) == 0);
  const std::string json = test::read_file(tmp.file("mem.json"));
  CHECK(json.find("\"mae\"") != std::string::npos);
  CHECK(test::read_file(tmp.file("s.json")) == json);
  const std::vector<std::string> predict = {"ordgrad", "predict", "--model", model, "--data", data + ":test",
                                            "--group", "4", "--limit", "1"};
  REQUIRE(test::run_command(cli::run_predict, with(predict, {"--csv", tmp.file("mem.csv")})) == 0);
  REQUIRE(test::run_command(cli::run_predict, with(predict, {"--csv", tmp.file("s.csv"), "--stream"})) == 0);
  const std::string csv = test::read_file(tmp.file("mem.csv"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 25);  // a header and the 24 test images
  CHECK(test::read_file(tmp.file("s.csv")) == csv);
}
