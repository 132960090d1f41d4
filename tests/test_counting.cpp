// The counting-images generator: the stated label distribution, determinism (bytes,
// thread count), manifests and splits, groups of 8, PNG decoding, brightness growing
// with the count, the CLI, and errors.
#include <doctest/doctest.h>

#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/parallel.h"
#include "io/counting.h"
#include "tests/helpers.h"

namespace og::cli {
int run_gen_counts(int argc, char** argv);  // apps/gen_counts.cpp
}

using namespace og;
namespace fs = std::filesystem;

namespace {

struct Row {
  std::string path;
  int label = -1;
  int64_t group = -1;
};

// Parses a manifest, checking the header and that every row has exactly its fields.
std::vector<Row> read_manifest(const fs::path& p, bool with_group) {
  std::ifstream in(p);
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line == (with_group ? "path,label,group" : "path,label"));
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    REQUIRE(f.size() == (with_group ? 3u : 2u));
    Row r;
    r.path = f[0];
    r.label = std::stoi(f[1]);
    if (with_group) r.group = std::stoll(f[2]);
    rows.push_back(r);
  }
  return rows;
}

double range_share(const std::vector<double>& p, int lo, int hi) {
  double s = 0;
  for (int k = lo; k <= hi; ++k) s += p[size_t(k)];
  return s;
}

std::string error_of(const std::string& dir, const CountingOptions& opt) {
  try {
    generate_counts(dir, opt);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

int run(std::vector<std::string> words) {
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  return cli::run_gen_counts(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("counting labels: the stated long-tailed distribution") {
  const std::vector<double> p = counting_label_distribution();
  REQUIRE(p.size() == size_t(kCountClasses));
  double z = 0;
  for (int k = 0; k < 30; ++k) z += std::exp(-k / 6.0);
  CHECK(z == doctest::Approx(6.470).epsilon(1e-3));
  CHECK(range_share(p, 0, 29) == doctest::Approx(1.0).epsilon(1e-12));
  for (int k = 1; k < 30; ++k) CHECK(p[size_t(k)] < p[size_t(k - 1)]);
  // The shares in the header: 0.95 * geometric + 0.05 * uniform, worked by hand.
  CHECK(range_share(p, 0, 10) == doctest::Approx(0.8219).epsilon(5e-4));
  CHECK(range_share(p, 11, 24) == doctest::Approx(0.1614).epsilon(5e-4));
  CHECK(range_share(p, 25, 29) == doctest::Approx(0.0167).epsilon(5e-3));
  CHECK(p[0] == doctest::Approx(0.95 / 6.4700 + 0.05 / 30).epsilon(1e-3));
  CHECK(p[29] == doctest::Approx(0.95 * std::exp(-29 / 6.0) / 6.4700 + 0.05 / 30).epsilon(1e-3));
}

TEST_CASE("counting: n = 4000 has every class in train, shares as stated, stratified splits") {
  // The plan is what generate_counts writes (checked on n = 400 below); writing
  // 4000 files would only slow the suite down.
  CountingOptions opt;
  opt.seed = 3;
  const CountingPlan plan = plan_counts(opt);
  const CountingSummary& s = plan.summary;
  CHECK(s.n_train + s.n_val + s.n_test == 4000);
  CHECK(s.n_test == 800);
  CHECK(s.n_val == 400);
  CHECK(s.n_groups == 100);
  std::vector<int64_t> split_counts[3] = {std::vector<int64_t>(30), std::vector<int64_t>(30),
                                          std::vector<int64_t>(30)};
  REQUIRE(plan.label.size() == 4000);
  REQUIRE(plan.split.size() == 4000);
  for (size_t i = 0; i < 4000; ++i) ++split_counts[plan.split[i]][size_t(plan.label[i])];
  CHECK(split_counts[0] == s.train_counts);
  CHECK(split_counts[1] == s.val_counts);
  CHECK(split_counts[2] == s.test_counts);
  // Random order: the first and second halves of the images have similar label means.
  double first = 0, second = 0;
  for (size_t i = 0; i < 2000; ++i) first += plan.label[i], second += plan.label[i + 2000];
  CHECK(std::abs(first - second) / 2000 < 0.5);
  CHECK(plan.label != plan_counts(CountingOptions{}).label);   // seed 3 vs seed 0
  const std::vector<double> p = counting_label_distribution();
  for (int k = 0; k < 30; ++k) {
    const int64_t all = s.train_counts[size_t(k)] + s.val_counts[size_t(k)] + s.test_counts[size_t(k)];
    CHECK(std::abs(double(all) - 4000 * p[size_t(k)]) <= 1.0);   // largest remainders
    CHECK(s.train_counts[size_t(k)] >= 8);                       // as the header promises
    CHECK(std::abs(double(s.test_counts[size_t(k)]) - 0.2 * double(all)) < 1.0);
  }
  int64_t low = 0, top = 0;
  for (int k = 0; k <= 10; ++k) low += s.train_counts[size_t(k)];
  for (int k = 25; k < 30; ++k) top += s.train_counts[size_t(k)];
  CHECK(double(low) / double(s.n_train) == doctest::Approx(0.822).epsilon(0.01));
  CHECK(double(top) / double(s.n_train) == doctest::Approx(0.0167).epsilon(0.1));
  CHECK(s.train_counts[0] > 40 * s.train_counts[29]);
}

TEST_CASE("counting: manifests are well formed, splits disjoint and complete, test in groups of 8") {
  test::TempDir tmp;
  const fs::path dir = tmp.path / "new" / "counts";  // created, parents too
  CountingOptions opt;
  opt.n = 400;
  opt.seed = 11;
  const CountingSummary s = generate_counts(dir.string(), opt);
  CHECK(s.train_csv == (dir / "train.csv").string());
  CHECK(s.files == 403);
  const CountingPlan plan = plan_counts(opt);
  CHECK(plan.summary.test_counts == s.test_counts);
  const std::vector<Row> train = read_manifest(dir / "train.csv", false);
  const std::vector<Row> val = read_manifest(dir / "val.csv", false);
  const std::vector<Row> test = read_manifest(dir / "test.csv", true);
  CHECK(int64_t(train.size()) == s.n_train);
  CHECK(int64_t(val.size()) == s.n_val);
  CHECK(int64_t(test.size()) == s.n_test);
  CHECK(test.size() == 80);
  CHECK(test.size() % 8 == 0);
  CHECK(val.size() == 40);

  std::set<std::string> seen;
  auto take = [&](const std::vector<Row>& rows, const std::vector<int64_t>& counts, int split) {
    std::vector<int64_t> c(30, 0);
    for (const Row& r : rows) {
      CHECK(seen.insert(r.path).second);  // no image in two splits or twice in one
      CHECK(r.path.size() == std::string("images/000000.png").size());
      CHECK(r.path.rfind("images/", 0) == 0);
      CHECK(fs::is_regular_file(dir / r.path));
      REQUIRE(r.label >= 0);
      REQUIRE(r.label < 30);
      ++c[size_t(r.label)];
      const size_t index = std::stoul(r.path.substr(7, 6));
      REQUIRE(index < 400);
      CHECK(plan.label[index] == r.label);
      CHECK(plan.split[index] == split);
    }
    CHECK(c == counts);
  };
  take(train, s.train_counts, 0);
  take(val, s.val_counts, 1);
  take(test, s.test_counts, 2);
  CHECK(seen.size() == 400);
  for (int i = 0; i < 400; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "images/%06d.png", i);
    CHECK(seen.count(name) == 1);
  }
  std::map<int64_t, int> group_size;
  for (size_t i = 0; i < test.size(); ++i) {
    CHECK(test[i].group == int64_t(i / 8));
    ++group_size[test[i].group];
  }
  CHECK(int64_t(group_size.size()) == s.n_groups);
  for (const auto& [g, size] : group_size) CHECK(size == 8);
  // No temporary files remain.
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    CHECK(e.path().string().find(".tmp.") == std::string::npos);
    files += e.is_regular_file();
  }
  CHECK(files == 403);
}

TEST_CASE("counting: the same seed writes the same bytes, for any thread count; another seed differs") {
  test::TempDir tmp;
  CountingOptions opt;
  opt.n = 400;
  opt.seed = 7;
  const int threads = num_threads();
  set_num_threads(1);
  generate_counts((tmp.path / "a").string(), opt);
  set_num_threads(2);
  generate_counts((tmp.path / "b").string(), opt);
  opt.seed = 8;
  generate_counts((tmp.path / "c").string(), opt);
  set_num_threads(threads);
  int compared = 0, differ = 0;
  for (const auto& e : fs::recursive_directory_iterator(tmp.path / "a")) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), tmp.path / "a");
    const std::string a = test::read_file(e.path());
    CHECK(!a.empty());
    CHECK(a == test::read_file(tmp.path / "b" / rel));
    differ += a != test::read_file(tmp.path / "c" / rel);
    ++compared;
  }
  CHECK(compared == 403);
  CHECK(differ > 390);
}

TEST_CASE("counting: images decode to size x size grayscale and brighten with the count") {
  test::TempDir tmp;
  const fs::path dir = tmp.path / "d";
  CountingOptions opt;
  opt.n = 400;
  opt.seed = 5;
  const CountingSummary s = generate_counts(dir.string(), opt);
  (void)s;
  std::vector<double> sum(30, 0), cnt(30, 0);
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0, m = 0;
  for (const char* split : {"train.csv", "val.csv"}) {
    for (const Row& r : read_manifest(dir / split, false)) {
      int w = 0, h = 0, comp = 0;
      unsigned char* px = stbi_load((dir / r.path).string().c_str(), &w, &h, &comp, 0);
      REQUIRE(px != nullptr);
      CHECK(w == 32);
      CHECK(h == 32);
      CHECK(comp == 1);
      double mean = 0;
      for (int i = 0; i < w * h; ++i) mean += px[i];
      mean /= w * h;
      stbi_image_free(px);
      sum[size_t(r.label)] += mean;
      ++cnt[size_t(r.label)];
      sx += r.label, sy += mean, sxx += double(r.label) * r.label, syy += mean * mean, sxy += r.label * mean;
      ++m;
    }
  }
  const double corr = (sxy - sx * sy / m) / std::sqrt((sxx - sx * sx / m) * (syy - sy * sy / m));
  // The background level varies most (sd ~20 grey levels); each object adds ~2 to
  // the mean, so the count explains a clear part of the brightness, not all of it.
  CHECK(corr > 0.3);
  double low = 0, low_n = 0, high = 0, high_n = 0;
  for (int k = 0; k <= 1; ++k) low += sum[size_t(k)], low_n += cnt[size_t(k)];
  for (int k = 10; k < 30; ++k) high += sum[size_t(k)], high_n += cnt[size_t(k)];
  REQUIRE(low_n > 20);
  REQUIRE(high_n > 10);
  CHECK(high / high_n > low / low_n + 10);
}

TEST_CASE("counting: one image -- more objects on the same seed only add light, and sizes scale") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<uint8_t> none = render_counting_image(0, 32, seed);
    std::vector<uint8_t> prev = none;
    double prev_mean = -1;
    for (int count : {0, 1, 5, 15, 29}) {
      const std::vector<uint8_t> img = render_counting_image(count, 32, seed);
      REQUIRE(img.size() == 32u * 32u);
      CHECK(img == render_counting_image(count, 32, seed));
      int changed = 0;
      for (size_t i = 0; i < img.size(); ++i) {
        CHECK(img[i] >= prev[i]);  // the first objects coincide; objects add, never subtract
        changed += img[i] > none[i] + 30;
      }
      double mean = 0;
      for (uint8_t v : img) mean += v;
      mean /= double(img.size());
      if (count > 0) {
        CHECK(mean > prev_mean);
        CHECK(changed >= 1);          // even a single small, dim object stands out
      } else {
        CHECK(changed == 0);
      }
      CHECK(changed <= count * 70);   // at most a 3.5 px disc with rim per object
      prev = img, prev_mean = mean;
    }
  }
  CHECK(render_counting_image(3, 64, 9).size() == 64u * 64u);
  CHECK(render_counting_image(3, 32, 9) != render_counting_image(3, 32, 10));
}

TEST_CASE("counting: gen-counts command writes the data and rejects bad flags") {
  test::TempDir tmp;
  const fs::path dir = tmp.path / "cli";
  CHECK(run({"ordgrad", "gen-counts", "--out", dir.string(), "--n", "64", "--size", "16", "--seed", "2", "--quiet"}) == 0);
  CHECK(read_manifest(dir / "test.csv", true).size() == 8);   // 0.2 * 64 = 12.8 -> 13 -> one group of 8
  CHECK(read_manifest(dir / "val.csv", false).size() == 6);
  CHECK(read_manifest(dir / "train.csv", false).size() == 50);
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load((dir / "images/000063.png").string().c_str(), &w, &h, &comp, 0);
  REQUIRE(px != nullptr);
  stbi_image_free(px);
  CHECK(w == 16);
  CHECK_THROWS_WITH_AS(run({"ordgrad", "gen-counts", "--n", "64"}), "gen-counts: --out DIR is required", Error);
  CHECK_THROWS_WITH_AS(run({"ordgrad", "gen-counts", "--out", dir.string(), "extra"}),
                       "gen-counts: unexpected argument 'extra'", Error);
}

TEST_CASE("counting: errors are one clear line") {
  test::TempDir tmp;
  const std::string dir = (tmp.path / "d").string();
  CountingOptions opt;
  opt.n = 5;
  CHECK(error_of(dir, opt) == "generate_counts: n = 5 is outside 8..1000000");
  opt.n = 20;  // 0.2 * 20 = 4 test images: not one group of 8
  CHECK(error_of(dir, opt) == "generate_counts: n = 20 with test_fraction 0.2 gives no full group of 8 test images");
  opt.test_fraction = 0;
  CHECK(error_of(dir, opt) == "(no error)");   // no test split wanted: fine
  CHECK(read_manifest(tmp.path / "d" / "test.csv", true).empty());
  opt = CountingOptions{};
  opt.val_fraction = 0.5;
  opt.test_fraction = 0.5;
  CHECK(error_of(dir, opt) ==
        "generate_counts: val_fraction 0.5 and test_fraction 0.5 must be >= 0 and leave a training share");
  opt = CountingOptions{};
  opt.size = 4;
  CHECK(error_of(dir, opt) == "generate_counts: size 4 is outside 8..1024");
  opt = CountingOptions{};
  opt.group = 0;
  CHECK(error_of(dir, opt) == "generate_counts: group 0 must be at least 1");
  CHECK(error_of("", CountingOptions{}) == "generate_counts: no output directory given");
  // A directory that cannot be created: its parent is a regular file (fails for root too).
  std::ofstream(tmp.path / "file") << "x";
  opt = CountingOptions{};
  opt.n = 40;
  const std::string e = error_of((tmp.path / "file" / "d").string(), opt);
  CHECK(e.rfind("generate_counts: cannot create '" + (tmp.path / "file" / "d" / "images").string() + "': ", 0) == 0);
  CHECK_THROWS_WITH_AS(render_counting_image(30, 32, 0), "render_counting_image: count 30 is outside 0..29", Error);
}
