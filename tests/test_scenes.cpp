// RGB counting scenes and the gen-counts layouts: the label is the number of counted
// shapes and each stays visible, files decode to 3 x size x size, same seed and any
// thread count give the same bytes, the folders layout, the gray output unchanged,
// and bad flags.
#include <doctest/doctest.h>

#include <stb/stb_image.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/parallel.h"
#include "io/counting.h"
#include "io/images.h"
#include "io/scenes.h"
#include "tests/helpers.h"

namespace og::cli {
int run_gen_counts(int argc, char** argv);  // apps/gen_counts.cpp
}

using namespace og;
namespace fs = std::filesystem;

namespace {

// The pixels of a PNG, after checking its size and channels.
std::vector<uint8_t> decode(const fs::path& p, int size, int channels) {
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load(p.string().c_str(), &w, &h, &comp, 0);
  REQUIRE(px != nullptr);
  CHECK(w == size);
  CHECK(h == size);
  CHECK(comp == channels);
  std::vector<uint8_t> v(px, px + size_t(w) * h * comp);
  stbi_image_free(px);
  return v;
}

// Every regular file below dir, by relative path, with its bytes.
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = test::read_file(e.path().string());
  return files;
}

uint64_t fnv1a(const std::string& bytes, uint64_t h) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

TEST_CASE("scenes: the count is the number of counted shapes, each stays visible, clutter is not counted") {
  int distractors = 0, over = 0, kinds[5] = {};
  double min_visible = 1;
  for (uint64_t seed = 0; seed < 60; ++seed)
    for (int count : {0, 1, 7, 18, 29}) {
      const Scene sc = plan_scene(count, 64, seed * 31 + count);
      REQUIRE(int(sc.objects.size()) == count);
      for (const SceneShape& p : sc.objects) {
        CHECK(scene_kind_counted(p.kind));
        ++kinds[int(p.kind)];
      }
      for (const auto* list : {&sc.under, &sc.over})
        for (const SceneShape& p : *list) {
          CHECK_FALSE(scene_kind_counted(p.kind));
          ++kinds[int(p.kind)];
        }
      distractors += int(sc.under.size() + sc.over.size());
      over += int(sc.over.size());
      std::vector<int16_t> owner;
      const std::vector<uint8_t> px = draw_scene(sc, &owner);
      REQUIRE(px.size() == 64u * 64u * 3u);
      CHECK(px == render_scene(count, 64, seed * 31 + count));
      // Visible pixels of each counted shape against its area: the placement rule keeps
      // a core (radius half the smaller semi-axis) uncovered by later shapes, so only
      // thin lines drawn over can take from it.
      std::vector<int> shown(size_t(count), 0);
      for (int16_t o : owner)
        if (o >= 0) ++shown[size_t(o)];
      for (int j = 0; j < count; ++j) {
        const SceneShape& p = sc.objects[size_t(j)];
        const double area = p.kind == SceneKind::square ? 4.0 * p.a * p.a : 3.14159 * p.a * p.b;
        min_visible = std::min(min_visible, shown[size_t(j)] / area);
        CHECK(shown[size_t(j)] >= 3);
        // Wholly inside the frame.
        CHECK(p.cx - p.a >= 0);
        CHECK(p.cx + p.a <= 63);
      }
      // Nothing else claims a pixel as a counted shape.
      CHECK(*std::max_element(owner.begin(), owner.end()) <= count - 1);
    }
  MESSAGE("smallest visible share of a counted shape: ", min_visible);
  // The core alone is at least 0.25 b/a >= 0.139 of an ellipse (0.196 of a square,
  // 0.25 of a disc); a line over it takes a little. Seen here: about 0.65.
  CHECK(min_visible > 0.1);
  for (int k : kinds) CHECK(k > 20);   // every kind of shape occurs
  CHECK(distractors > 300 * 2);         // 0..6 per scene, mean 3
  CHECK(over > 50);                     // some lines cross over the counted shapes
}

TEST_CASE("scenes: deterministic per seed, seeds differ, objects differ from background") {
  CHECK(render_scene(5, 64, 1) == render_scene(5, 64, 1));
  CHECK(render_scene(5, 64, 1) != render_scene(5, 64, 2));
  CHECK(render_scene(5, 32, 1).size() == 32u * 32u * 3u);
  // Counted shapes are vivid: at a shape's centre the pixel is far from the empty
  // scene's pixel of the same seed (same background; the count only adds shapes).
  int far = 0, total = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Scene sc = plan_scene(6, 64, seed);
    Scene empty = sc;
    empty.objects.clear();
    const std::vector<uint8_t> a = draw_scene(sc), b = draw_scene(empty);
    for (const SceneShape& p : sc.objects) {
      const size_t i = (size_t(p.cy + 0.5f) * 64 + size_t(p.cx + 0.5f)) * 3;
      int d = 0;
      for (int c = 0; c < 3; ++c) d += std::abs(int(a[i + c]) - int(b[i + c]));
      far += d > 60;
      ++total;
    }
  }
  CHECK(far > total * 9 / 10);
  CHECK(test::error_of([] { plan_scene(3, 16, 0); }) == "plan_scene: size 16 is outside 32..1024");
  CHECK(test::error_of([] { plan_scene(30, 64, 0); }) == "plan_scene: count 30 is outside 0..29");
}

TEST_CASE("gen-counts RGB: files are 3x64x64 and show exactly the label's shapes") {
  test::TempDir tmp;
  CountingOptions opt;
  opt.n = 96;
  opt.size = 64;
  opt.channels = 3;
  opt.seed = 4;
  const fs::path dir = tmp.path / "rgb";
  generate_counts(dir.string(), opt);
  const CountingPlan plan = plan_counts(opt);
  for (int64_t i = 0; i < opt.n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "images/%06d.png", int(i));
    const int label = plan.label[size_t(i)];
    const uint64_t seed = counting_image_seed(opt.seed, i);
    // The file holds the scene of this seed, which has `label` counted shapes.
    CHECK(decode(dir / name, 64, 3) == render_scene(label, 64, seed));
    CHECK(int(plan_scene(label, 64, seed).objects.size()) == label);
  }
  ImageOptions io;
  io.channels = 3;
  io.height = io.width = 64;
  io.strict_size = true;
  io.expect_channels = 3;
  const ImageData data = load_manifest((dir / "train.csv").string(), io);
  REQUIRE(!data.labels.empty());
  CHECK(data.images.shape() == Shape{int64_t(data.labels.size()), 3, 64, 64});
}

TEST_CASE("gen-counts RGB: same bytes for 1 and 2 threads and in either layout") {
  test::TempDir tmp;
  CountingOptions opt;
  opt.n = 200;
  opt.size = 48;
  opt.channels = 3;
  opt.seed = 9;
  const int threads = num_threads();
  set_num_threads(1);
  generate_counts((tmp.path / "one").string(), opt);
  opt.layout = CountingLayout::folders;
  generate_counts((tmp.path / "f1").string(), opt);
  set_num_threads(2);
  generate_counts((tmp.path / "f2").string(), opt);
  opt.layout = CountingLayout::manifests;
  generate_counts((tmp.path / "two").string(), opt);
  set_num_threads(threads);
  const auto one = tree(tmp.path / "one"), f1 = tree(tmp.path / "f1");
  CHECK(one.size() == 203u);
  CHECK(one == tree(tmp.path / "two"));
  CHECK(f1 == tree(tmp.path / "f2"));
  // The folders hold the same images under <label>/ instead of images/.
  const CountingPlan plan = plan_counts(opt);
  CHECK(f1.size() == 200u);
  for (int i = 0; i < 200; ++i) {
    char a[32], b[32];
    std::snprintf(a, sizeof a, "images/%06d.png", i);
    std::snprintf(b, sizeof b, "%d/%06d.png", plan.label[size_t(i)], i);
    REQUIRE(f1.count(b) == 1);
    CHECK(f1.at(b) == one.at(a));
  }
}

TEST_CASE("gen-counts --layout folders: one folder per label present, every image, no manifest") {
  test::TempDir tmp;
  const fs::path dir = tmp.path / "folders";
  REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", dir.string(), "--n", "300",
                                                  "--size", "32", "--channels", "3", "--layout", "folders",
                                                  "--seed", "5", "--quiet"}) == 0);
  CountingOptions opt;
  opt.n = 300;
  opt.seed = 5;
  const CountingPlan plan = plan_counts(opt);   // the labels do not depend on the layout
  std::map<int, int> want;
  for (int k : plan.label) ++want[k];
  std::map<int, int> got;
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    REQUIRE(e.is_directory());
    const int label = std::stoi(e.path().filename().string());
    CHECK(std::to_string(label) == e.path().filename().string());
    for (const auto& f : fs::directory_iterator(e.path())) {
      CHECK(f.path().extension() == ".png");
      CHECK(names.insert(f.path().filename().string()).second);   // each index once
      const int index = std::stoi(f.path().stem().string());
      CHECK(plan.label[size_t(index)] == label);
      ++got[label];
    }
    CHECK(got[label] > 0);   // no empty folder
  }
  CHECK(got == want);
  CHECK(names.size() == 300u);
  CHECK(decode(dir / std::to_string(plan.label[0]) / "000000.png", 32, 3).size() == 32u * 32u * 3u);
}

TEST_CASE("gen-counts: gray output at the default settings is unchanged") {
  // FNV-1a over images 0..63 then train, val and test.csv of `gen-counts --n 64`,
  // recorded with the generator as it was before RGB scenes and layouts were added:
  // the demo's printed figures depend on these bytes.
  test::TempDir tmp;
  REQUIRE(test::run_command(cli::run_gen_counts,
                            {"ordgrad", "gen-counts", "--out", tmp.file("g"), "--n", "64", "--quiet"}) == 0);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int i = 0; i < 64; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "g/images/%06d.png", i);
    h = fnv1a(test::read_file(tmp.file(name)), h);
  }
  for (const char* m : {"g/train.csv", "g/val.csv", "g/test.csv"}) h = fnv1a(test::read_file(tmp.file(m)), h);
  CHECK(h == 0xc913bf9bb907e3d0ULL);
}

TEST_CASE("gen-counts: bad channels, layout and flag combinations are one clear error, nothing written") {
  test::TempDir tmp;
  const std::string out = tmp.file("bad");
  auto err = [&](std::vector<std::string> extra) {
    std::vector<std::string> w = {"ordgrad", "gen-counts", "--out", out, "--n", "64", "--quiet"};
    w.insert(w.end(), extra.begin(), extra.end());
    return test::error_of([&] { test::run_command(cli::run_gen_counts, w); });
  };
  CHECK(err({"--channels", "2"}) == "gen-counts: --channels must be 1 or 3, got 2");
  CHECK(err({"--layout", "x"}) == "gen-counts: --layout must be manifests or folders, got 'x'");
  CHECK(err({"--layout", "folders", "--test-fraction", "0.3"}) ==
        "gen-counts: --test-fraction needs --layout manifests (folders are not split)");
  CHECK(err({"--channels", "3", "--size", "16"}) == "generate_counts: RGB scenes need size >= 32, got 16");
  CHECK_FALSE(fs::exists(out));
  CountingOptions opt;
  opt.channels = 0;
  CHECK(test::error_of([&] { generate_counts(out, opt); }) ==
        "generate_counts: channels 0 must be 1 (grayscale) or 3 (RGB)");
  CHECK_FALSE(fs::exists(out));
}
