// IDX files: plain and gzip round trips, damaged files that must throw og::Error,
// the Fashion-MNIST loader on synthetic files, and on the real data when installed.
#include <doctest/doctest.h>

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/check.h"
#include "io/idx.h"
#include "tests/helpers.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// Pixel (i, r, c) of the synthetic images: distinct enough to catch layout mistakes.
uint8_t pixel(int64_t i, int64_t r, int64_t c) { return uint8_t(i * 37 + r * 11 + c * 3); }

std::string idx_images(uint32_t n, uint32_t rows, uint32_t cols) {
  std::string s = be32(0x803) + be32(n) + be32(rows) + be32(cols);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < cols; ++c) s += char(pixel(i, r, c));
  return s;
}

std::string idx_labels(const std::vector<uint8_t>& labels) {
  std::string s = be32(0x801) + be32(uint32_t(labels.size()));
  for (uint8_t l : labels) s += char(l);
  return s;
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

using test::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

void check_images(const IdxImages& im, int64_t n, int64_t rows, int64_t cols) {
  CHECK(im.n == n);
  CHECK(im.rows == rows);
  CHECK(im.cols == cols);
  REQUIRE(int64_t(im.pixels.size()) == n * rows * cols);
  int wrong = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        wrong += im.pixels[(i * rows + r) * cols + c] != pixel(i, r, c);
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("idx images and labels read back from plain and gzip files") {
  TempDir dir;
  const std::vector<uint8_t> labels = {3, 0, 9, 9, 255};
  write_plain(dir.file("img"), idx_images(5, 4, 3));
  write_plain(dir.file("lab"), idx_labels(labels));
  write_gz(dir.file("img.gz"), idx_images(5, 4, 3));
  write_gz(dir.file("lab.gz"), idx_labels(labels));
  // The .gz really is gzip (magic 1f 8b), so both code paths of gzread are exercised.
  CHECK(test::read_file(dir.file("img.gz")).substr(0, 2) == "\x1f\x8b");

  check_images(read_idx_images(dir.file("img")), 5, 4, 3);
  check_images(read_idx_images(dir.file("img.gz")), 5, 4, 3);
  CHECK(read_idx_labels(dir.file("lab")) == labels);
  CHECK(read_idx_labels(dir.file("lab.gz")) == labels);

  // Zero images is a valid (empty) file.
  write_plain(dir.file("none"), idx_images(0, 28, 28));
  CHECK(read_idx_images(dir.file("none")).pixels.empty());
}

TEST_CASE("load_idx_set gives [N,1,H,W] floats equal to pixel/255 and int labels") {
  TempDir dir;
  write_gz(dir.file("img.gz"), idx_images(70, 5, 6));  // 70 images: more than one thread's share
  std::vector<uint8_t> labels;
  for (int i = 0; i < 70; ++i) labels.push_back(uint8_t(i % 10));
  write_plain(dir.file("lab"), idx_labels(labels));
  ImageSet set = load_idx_set(dir.file("img.gz"), dir.file("lab"));
  CHECK(set.images.shape() == Shape{70, 1, 5, 6});
  int wrong = 0;
  for (int64_t i = 0; i < 70; ++i)
    for (int64_t r = 0; r < 5; ++r)
      for (int64_t c = 0; c < 6; ++c)
        wrong += set.images[(i * 5 + r) * 6 + c] != float(pixel(i, r, c)) / 255.0f;
  CHECK(wrong == 0);
  CHECK(set.labels.size() == 70);
  CHECK(set.labels[13] == 3);

  // Hand-checked ends of the range: 0 -> 0 and 255 -> exactly 1.
  write_plain(dir.file("ends"), be32(0x803) + be32(1) + be32(1) + be32(3) + std::string("\x00\xff\x33", 3));
  write_plain(dir.file("ends.lab"), idx_labels({7}));
  ImageSet ends = load_idx_set(dir.file("ends"), dir.file("ends.lab"));
  CHECK(ends.images.to_vector() == std::vector<float>{0.0f, 1.0f, 0.2f});
  CHECK(ends.labels == std::vector<int>{7});
}

TEST_CASE("idx files with a wrong magic, cut short, too long or damaged throw og::Error") {
  TempDir dir;
  const std::string img = dir.file("img"), lab = dir.file("lab");
  write_plain(img, idx_images(3, 2, 2));
  write_plain(lab, idx_labels({1, 2, 3}));
  CHECK(error_of([&] { read_idx_images(lab); }) ==
        "read_idx_images: '" + lab + "' is not an IDX image file (magic 0x00000801, expected 0x00000803)");
  CHECK(error_of([&] { read_idx_labels(img); }) ==
        "read_idx_labels: '" + img + "' is not an IDX label file (magic 0x00000803, expected 0x00000801)");
  const std::string txt = dir.file("notes.txt");
  write_plain(txt, "hello, world\n");
  CHECK(contains(error_of([&] { read_idx_images(txt); }), "is not an IDX image file (magic 0x68656c6c"));
  const std::string missing = dir.file("nope.gz");
  CHECK(error_of([&] { read_idx_labels(missing); }) ==
        "read_idx_labels: cannot open '" + missing + "': No such file or directory");

  // Every cut of a plain and of a gzip file, header and data alike, is refused.
  const std::string full = idx_images(3, 2, 2);
  write_gz(dir.file("full.gz"), full);
  const std::string full_gz = test::read_file(dir.file("full.gz"));
  const std::string cut = dir.file("cut");
  for (const std::string* whole : {&full, &full_gz}) {
    for (size_t n = 0; n < whole->size(); ++n) {
      CAPTURE(n);
      write_plain(cut, whole->substr(0, n));
      const std::string msg = error_of([&] { read_idx_images(cut); });
      CHECK(contains(msg, "read_idx_images: '" + cut + "' "));
      CHECK(!contains(msg, "\n"));
    }
  }
  write_plain(cut, full.substr(0, full.size() - 1));
  CHECK(error_of([&] { read_idx_images(cut); }) ==
        "read_idx_images: '" + cut + "' is truncated: 3 images of 2x2 need 12 pixel bytes, found 11");
  write_plain(cut, full.substr(0, 14));
  CHECK(error_of([&] { read_idx_images(cut); }) ==
        "read_idx_images: '" + cut + "' is truncated: no column count in the header");
  write_plain(cut, full_gz.substr(0, full_gz.size() - 4));  // inflates fully, trailer cut
  CHECK(error_of([&] { read_idx_images(cut); }) ==
        "read_idx_images: '" + cut + "' is truncated (the gzip stream ends early)");
  write_plain(cut, idx_labels({1, 2, 3}).substr(0, 10));
  CHECK(error_of([&] { read_idx_labels(cut); }) ==
        "read_idx_labels: '" + cut + "' is truncated: 3 labels announced, found 2");

  write_plain(cut, full + "x");
  CHECK(error_of([&] { read_idx_images(cut); }) ==
        "read_idx_images: '" + cut + "' has more data than its header describes");

  std::string damaged = full_gz;  // a flipped bit in the deflate data: zlib says so
  damaged[damaged.size() / 2] ^= 0x20;
  write_plain(cut, damaged);
  CHECK(contains(error_of([&] { read_idx_images(cut); }), "read_idx_images: '" + cut + "' is"));

  // A header announcing 4 billion 28x28 images in a tiny file fails on the data it
  // finds, without allocating what the header claims.
  write_plain(cut, be32(0x803) + be32(0xffffffffu) + be32(28) + be32(28) + std::string(100, '\0'));
  CHECK(error_of([&] { read_idx_images(cut); }) ==
        "read_idx_images: '" + cut + "' is truncated: 4294967295 images of 28x28 need 3367254359280 "
        "pixel bytes, found 100");
  write_plain(cut, be32(0x803) + be32(1) + be32(0) + be32(28));
  CHECK(error_of([&] { read_idx_images(cut); }) == "read_idx_images: '" + cut + "' has empty images (0x28)");
}

TEST_CASE("image and label counts must agree") {
  TempDir dir;
  write_plain(dir.file("img"), idx_images(5, 2, 2));
  write_plain(dir.file("lab"), idx_labels({1, 2, 3, 4}));
  CHECK(error_of([&] { load_idx_set(dir.file("img"), dir.file("lab")); }) ==
        "load_idx_set: '" + dir.file("img") + "' has 5 images but '" + dir.file("lab") + "' has 4 labels");
}

TEST_CASE("load_fashion_mnist finds the four files, names a missing one and checks labels") {
  TempDir dir;
  const std::string d = dir.path.string();
  CHECK(error_of([&] { load_fashion_mnist(d, false); }) ==
        "load_fashion_mnist: missing '" + d +
            "/t10k-images-idx3-ubyte.gz' (apt-get install dataset-fashion-mnist provides it)");
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), idx_images(4, 3, 3));
  CHECK(error_of([&] { load_fashion_mnist(d, false); }) ==
        "load_fashion_mnist: missing '" + d +
            "/t10k-labels-idx1-ubyte.gz' (apt-get install dataset-fashion-mnist provides it)");
  write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_labels({9, 0, 4, 4}));  // uncompressed twin
  ImageSet set = load_fashion_mnist(d, false);
  CHECK(set.images.shape() == Shape{4, 1, 3, 3});
  CHECK(set.labels == std::vector<int>{9, 0, 4, 4});
  CHECK(set.images[9] == float(pixel(1, 0, 0)) / 255.0f);
  // The train split is a different pair of files.
  CHECK(contains(error_of([&] { load_fashion_mnist(d, true); }), "/train-images-idx3-ubyte.gz'"));

  write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_labels({9, 0, 10, 4}));
  CHECK(error_of([&] { load_fashion_mnist(d, false); }) ==
        "load_fashion_mnist: '" + d +
            "/t10k-labels-idx1-ubyte' has label 10 at index 2 (Fashion-MNIST labels are 0..9)");
}

TEST_CASE("normalize subtracts the mean and divides by the standard deviation") {
  Tensor t = Tensor::from({2, 2}, {0.0f, 1.0f, 0.5f, 0.25f});
  normalize(t, 0.5f, 0.25f);
  CHECK(t.to_vector() == std::vector<float>{-2.0f, 2.0f, 0.0f, -1.0f});
  Tensor big = Tensor::full({100000}, 1.0f);  // large enough to run in parallel
  normalize(big, kFashionMnistMean, kFashionMnistStd);
  int wrong = 0;
  for (int64_t i = 0; i < big.numel(); ++i) wrong += big[i] != (1.0f - 0.2860f) / 0.3530f;
  CHECK(wrong == 0);
  CHECK(error_of([&] { normalize(t, 0.0f, 0.0f); }) ==
        "normalize: mean 0 and std 0 must be finite with std > 0 (tensor [2,2])");
  CHECK_THROWS_AS(normalize(t, NAN, 1.0f), Error);
}

// Needs Debian's dataset-fashion-mnist; `make test` must pass without it.
TEST_CASE("real Fashion-MNIST: test split shape and balance, train statistics" *
          doctest::skip(!fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"))) {
  ImageSet test = load_fashion_mnist(kFashionMnistDir, false);
  CHECK(test.images.shape() == Shape{10000, 1, 28, 28});
  REQUIRE(test.labels.size() == 10000);
  int counts[10] = {0};
  for (int y : test.labels) {
    REQUIRE((y >= 0 && y <= 9));
    ++counts[y];
  }
  for (int k = 0; k < 10; ++k) CHECK(counts[k] == 1000);
  float lo = 1, hi = 0;
  for (int64_t i = 0; i < test.images.numel(); ++i) {
    lo = std::min(lo, test.images[i]);
    hi = std::max(hi, test.images[i]);
  }
  CHECK(lo == 0.0f);
  CHECK(hi == 1.0f);

  // The constants in io/idx.h are the training pixels' mean and standard deviation.
  ImageSet train = load_fashion_mnist(kFashionMnistDir, true);
  CHECK(train.images.shape() == Shape{60000, 1, 28, 28});
  double s = 0, s2 = 0;
  for (int64_t i = 0; i < train.images.numel(); ++i) {
    s += train.images[i];
    s2 += double(train.images[i]) * train.images[i];
  }
  const double n = double(train.images.numel());
  const double mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
  CHECK(std::fabs(mean - kFashionMnistMean) < 1e-4);
  CHECK(std::fabs(sd - kFashionMnistStd) < 1e-4);
}
