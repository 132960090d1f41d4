// gen_counts.cpp — `ordgrad gen-counts --out DIR`: write the counting-images data.
//
// Calls og::generate_counts (io/counting.h: images DIR/images/NNNNNN.png, manifests
// DIR/train.csv, val.csv, test.csv; or, with --layout folders, DIR/<label>/NNNNNN.png)
// with grayscale blobs or, with --channels 3, RGB scenes (io/scenes.h), and prints a
// short summary: images per split, per label range (0-10, 11-24, 25-29) against the
// expected shares, and the paths.
// Registered in apps/main.cpp as "gen-counts" -> og::cli::run_gen_counts.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "apps/args.h"
#include "core/check.h"
#include "core/parallel.h"
#include "io/counting.h"

namespace og::cli {

int run_gen_counts(int argc, char** argv);

namespace {
int64_t range_sum(const std::vector<int64_t>& c, int lo, int hi) {
  int64_t s = 0;
  for (int k = lo; k <= hi; ++k) s += c[size_t(k)];
  return s;
}
double range_sum(const std::vector<double>& p, int lo, int hi) {
  double s = 0;
  for (int k = lo; k <= hi; ++k) s += p[size_t(k)];
  return s;
}
}  // namespace

int run_gen_counts(int argc, char** argv) {
  Args a("gen-counts", {
                           {"out", "", "output directory (required): images/ and train, val, test.csv, or label folders"},
                           {"n", "4000", "number of images (8..1000000; written in chunks, memory stays small)"},
                           {"size", "32", "image width and height in pixels (RGB: at least 32)"},
                           {"channels", "1",
                            "1: gray blobs on noise; 3: RGB scenes, solid shapes counted among outline and line "
                            "distractors on textured backgrounds"},
                           {"layout", "manifests",
                            "manifests: DIR/images/ + train/val/test.csv; folders: DIR/<label>/NNNNNN.png, one folder "
                            "per label, every image, no split"},
                           {"seed", "0", "seed: the same seed writes the same bytes"},
                           {"val-fraction", "0.1", "share of images in val.csv"},
                           {"test-fraction", "0.2", "share of images in test.csv (rounded down to groups of 8)"},
                           {"threads", "2", "OpenMP threads"},
                           {"quiet", "", "print nothing", true},
                       });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "gen-counts: unexpected argument '", a.positional.at(0), "'");
  const std::string out = a.str("out");
  OG_CHECK(!out.empty(), "gen-counts: --out DIR is required");
  OG_CHECK(a.integer("seed") >= 0, "gen-counts: --seed must be >= 0, got ", a.integer("seed"));
  OG_CHECK(a.integer("channels") == 1 || a.integer("channels") == 3, "gen-counts: --channels must be 1 or 3, got ",
           a.str("channels"));
  const std::string layout = a.str("layout");
  OG_CHECK(layout == "manifests" || layout == "folders", "gen-counts: --layout must be manifests or folders, got '",
           layout, "'");
  for (const char* f : {"val-fraction", "test-fraction"})
    OG_CHECK(layout == "manifests" || !a.has(f), "gen-counts: --", f, " needs --layout manifests (folders are not split)");
  set_num_threads(a.integer("threads"));
  CountingOptions opt;
  opt.channels = a.integer("channels");
  opt.layout = layout == "folders" ? CountingLayout::folders : CountingLayout::manifests;
  opt.n = a.integer("n");
  opt.size = a.integer("size");
  opt.seed = static_cast<uint64_t>(a.integer("seed"));
  opt.val_fraction = a.number("val-fraction");
  opt.test_fraction = a.number("test-fraction");

  const auto t0 = std::chrono::steady_clock::now();
  const CountingSummary s = generate_counts(out, opt);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.flag("quiet")) return 0;

  std::printf("ordgrad gen-counts: %ld %s images of %dx%d (seed %lu) in %.2f s\n", static_cast<long>(opt.n),
              opt.channels == 3 ? "RGB" : "gray", opt.size, opt.size, static_cast<unsigned long>(opt.seed), seconds);
  std::printf("  %-6s %7s %9s %9s %9s\n", "split", "images", "0-10", "11-24", "25-29");
  const int ranges[3][2] = {{0, 10}, {11, 24}, {25, 29}};
  auto row = [&](const char* name, const std::vector<int64_t>& c, int64_t total) {
    std::printf("  %-6s %7ld", name, static_cast<long>(total));
    for (const auto& r : ranges) std::printf(" %9ld", static_cast<long>(range_sum(c, r[0], r[1])));
    std::printf("\n");
  };
  const bool folders = opt.layout == CountingLayout::folders;
  row(folders ? "all" : "train", s.train_counts, s.n_train);
  if (!folders) {
    row("val", s.val_counts, s.n_val);
    row("test", s.test_counts, s.n_test);
  }
  std::printf("  %-6s %7s", "share", "");
  for (const auto& r : ranges) std::printf(" %8.1f%%", 100 * range_sum(s.probability, r[0], r[1]));
  std::printf("   (expected; labels 0..%d, P(0) %.3f, P(%d) %.4f)\n", kCountClasses - 1, s.probability[0],
              kCountClasses - 1, s.probability[kCountClasses - 1]);
  if (folders) {
    int labels = 0;
    for (int64_t c : s.train_counts) labels += c > 0;
    std::printf("  images   %s/<label>/NNNNNN.png (%d label folders, no split)\n", s.image_dir.c_str(), labels);
    return 0;
  }
  std::printf("  images   %s/NNNNNN.png\n", s.image_dir.c_str());
  std::printf("  train    %s\n  val      %s\n  test     %s (%ld groups of %d)\n", s.train_csv.c_str(),
              s.val_csv.c_str(), s.test_csv.c_str(), static_cast<long>(s.n_groups), opt.group);
  return 0;
}

}  // namespace og::cli
