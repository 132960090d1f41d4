// counting.h — the counting-images generator: ordgrad's built-in ordinal data.
//
// Each image shows n objects, n in 0..29 (K = 30 ordered labels); the label is n.
// Images are grayscale blobs (channels 1, described below) or RGB scenes (channels
// 3: io/scenes.h, size >= 32). generate_counts(dir, opt) writes, with the manifests
// layout (the default),
//   DIR/images/NNNNNN.png   PNG, size x size, index 000000..n-1
//   DIR/train.csv, DIR/val.csv   header "path,label"
//   DIR/test.csv                 header "path,label,group"; group = row / 8 (opt.group)
// with paths relative to DIR ("images/000017.png"); with the folders layout
//   DIR/<label>/NNNNNN.png  one folder per label present, every image, no split and
//                           no manifest (the reader splits), same labels and pixels.
// Every file is written to a temporary name in its final directory and renamed, so
// no reader sees a half file; the images are flushed together (syncfs) before the
// manifests naming them are written, and each manifest is fsynced. Files of an
// earlier, larger run in DIR are left alone; the manifests list exactly this run's
// images. Images are rendered and written in chunks of 4096 (parallel within a
// chunk), so memory stays bounded for any n: nothing but the labels, and at the end
// the manifests' text, is held for the whole run.
//
// Labels: a long tail. P(n) = 0.95 * g(n) + 0.05 / 30 for n = 0..29, with
//   g(n) = exp(-n/6) / Z,  Z = sum_{m=0..29} exp(-m/6) = 6.470
// (a geometric tail truncated at 29, plus a 5% uniform floor so the top labels are
// never absent). Expected shares: 0..10 82.2%, 11..24 16.1%, 25..29 1.7%;
// P(0) = 0.148, P(29) = 0.0028 (about 52 times rarer).
// The labels are drawn as a stratified sample: class k gets round(n * P(k)) images
// (largest remainders, so the counts sum to n), in a random order. Each class is
// then split into test / val / train in proportion (largest remainders again), so
// every split sees the same label shape; for n = 4000 every class has at least 8
// training images. The test split has a multiple of `group` images (the rest of
// the requested share goes to train); its rows are in random label order, so a
// group of 8 consecutive rows is a random set of 8 images whose total is 8 draws.
//
// Image (s = size / 32 scales lengths): background level b ~ U(20, 90), a linear
// gradient of up to +-15 across the image in a random direction, Gaussian pixel
// noise of sd ~ U(3, 10). Objects: radius r ~ U(1.2, 3.5) s, brightness
// a ~ U(60, 150), centre uniform in [r, size-1-r]; half are filled discs with a
// one-pixel anti-aliased rim (value a * clamp(r + 0.5 - d, 0, 1)), half Gaussian
// spots a * exp(-d^2 / (2 (0.6 r)^2)). Objects add, may touch or overlap, and the
// sum is rounded and clipped to 0..255 — crowded high counts are genuinely hard.
//
// Determinism: only og::Rng. One stream (seed) makes labels and splits; image i
// renders from its own Rng seeded by a hash of (seed, i) (counting_image_seed), so
// images are drawn in parallel (each thread writing its own files) and the same
// seed gives byte-identical files for any thread count and either layout.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace og {

constexpr int kCountClasses = 30;  // labels 0..29

enum class CountingLayout { manifests, folders };

struct CountingOptions {
  int64_t n = 4000;           // images in all (8 .. 1,000,000)
  int size = 32;              // width = height in pixels (8 .. 1024; 32 .. 1024 for RGB)
  int channels = 1;           // 1: grayscale blobs, 3: RGB scenes
  CountingLayout layout = CountingLayout::manifests;
  uint64_t seed = 0;
  double val_fraction = 0.1, test_fraction = 0.2;  // the rest is train (manifests only)
  int group = 8;              // test images per group; the test size is a multiple of it
};

struct CountingSummary {
  std::vector<double> probability;   // P(label = k), k = 0..29 (the distribution above)
  std::vector<int64_t> train_counts, val_counts, test_counts;  // images per label
  int64_t n_train = 0, n_val = 0, n_test = 0, n_groups = 0;
  int64_t files = 0;                 // files written: images (+ 3 manifests)
  std::string image_dir, train_csv, val_csv, test_csv;  // full paths ("" for folders;
                                                        // image_dir is then DIR)
};

// P(label = k) for k = 0..29: 0.95 * exp(-k/6)/Z + 0.05/30.
std::vector<double> counting_label_distribution();

// One image with `count` objects as size*size bytes (row-major); drawn only from
// Rng(image_seed). generate_counts renders image i with counting_image_seed(seed, i)
// (RGB scenes: render_scene(count, size, counting_image_seed(seed, i))).
std::vector<uint8_t> render_counting_image(int count, int size, uint64_t image_seed);
uint64_t counting_image_seed(uint64_t seed, int64_t i);

// The labels and splits of generate_counts(dir, opt), without writing anything:
// image i has label[i] and split[i] (0 train, 1 val, 2 test); summary has every
// field but the paths and `files`. Throws og::Error for bad options. The labels do
// not depend on the fractions or the layout; the folders layout is planned as all
// train (its fractions are ignored).
struct CountingPlan {
  std::vector<int> label;
  std::vector<int8_t> split;
  CountingSummary summary;
};
CountingPlan plan_counts(const CountingOptions& opt);

// Writes the data set described above into `dir` (created if missing). Throws
// og::Error (one line, "generate_counts: ...") for bad options or a write failure.
CountingSummary generate_counts(const std::string& dir, const CountingOptions& opt);

}  // namespace og
