// Image pipeline: PNG/BMP/JPEG written with stb_image_write into temp dirs, loaded
// through manifests and label folders (exact values, colour conversion, resize),
// every loader error, the augmentations, and the background Prefetcher.
#include <doctest/doctest.h>

#include <stb/stb_image_write.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/check.h"
#include "core/parallel.h"
#include "io/folders.h"
#include "io/images.h"
#include "io/prefetch.h"
#include "model/trainer.h"
#include "tests/helpers.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

// Bytes of a W x H image with `comp` channels, interleaved: value(x, y, c).
template <class F>
std::vector<unsigned char> pixels(int w, int h, int comp, F value) {
  std::vector<unsigned char> p(size_t(w) * h * comp);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < comp; ++c) p[(size_t(y) * w + x) * comp + c] = (unsigned char)value(x, y, c);
  return p;
}

void write_png(const std::string& path, int w, int h, int comp, const std::vector<unsigned char>& p) {
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(stbi_write_png(path.c_str(), w, h, comp, p.data(), w * comp) != 0);
}
void write_bmp(const std::string& path, int w, int h, int comp, const std::vector<unsigned char>& p) {
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(stbi_write_bmp(path.c_str(), w, h, comp, p.data()) != 0);
}
void write_jpg(const std::string& path, int w, int h, int comp, const std::vector<unsigned char>& p) {
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(stbi_write_jpg(path.c_str(), w, h, comp, p.data(), 100) != 0);
}
void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), std::streamsize(text.size()));
}

using test::error_of;
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The 4 x 3 gray test image: byte 20*(y*4+x) + 5.
int known(int x, int y, int) { return 20 * (y * 4 + x) + 5; }
// An RGB image whose channels differ: (x*60, y*100, 255 - x*30 - y*20).
int known_rgb(int x, int y, int c) { return c == 0 ? x * 60 : c == 1 ? y * 100 : 255 - x * 30 - y * 20; }

ImageOptions opts(int channels, int h, int w) {
  ImageOptions o;
  o.channels = channels;
  o.height = h;
  o.width = w;
  return o;
}

// Bytes of a PNG or BMP file written in memory by stb_image_write.
void append_bytes(void* to, void* data, int size) {
  static_cast<std::string*>(to)->append(static_cast<const char*>(data), size_t(size));
}
std::string png_bytes(int w, int h, int comp, const std::vector<unsigned char>& p) {
  std::string out;
  REQUIRE(stbi_write_png_to_func(append_bytes, &out, w, h, comp, p.data(), w * comp) != 0);
  return out;
}
std::string bmp_bytes(int w, int h, int comp, const std::vector<unsigned char>& p) {
  std::string out;
  REQUIRE(stbi_write_bmp_to_func(append_bytes, &out, w, h, comp, p.data()) != 0);
  return out;
}

// A "Key:  123 kB" line of /proc/self/status, in bytes; -1 if absent.
int64_t status_bytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string k;
  int64_t kb = -1;
  while (in >> k) {
    if (k == key + ":" && in >> kb) return kb * 1024;
    in.ignore(1 << 20, '\n');
  }
  return -1;
}

// How far the resident set grows above where it was while f() runs: the peak (VmHWM)
// after Linux resets it to the current size ("5" into /proc/self/clear_refs). -1 where
// that reset is not allowed.
template <class F>
int64_t peak_growth(F f) {
  const int64_t before = status_bytes("VmRSS");
  {
    std::ofstream reset("/proc/self/clear_refs");
    if (!(reset << "5" << std::flush)) return -1;
  }
  if (before < 0 || status_bytes("VmHWM") > before + (8 << 20)) return -1;   // reset had no effect
  f();
  return status_bytes("VmHWM") - before;
}

float at(const Tensor& t, int64_t n, int64_t c, int64_t y, int64_t x) {
  const Shape& s = t.shape();
  return t[((n * s[1] + c) * s[2] + y) * s[3] + x];
}

}  // namespace

TEST_CASE("images: PNG and BMP decode exactly, gray and RGB, in NCHW") {
  test::TempDir dir;
  write_png(dir.file("g.png"), 4, 3, 1, pixels(4, 3, 1, known));
  write_bmp(dir.file("g.bmp"), 4, 3, 1, pixels(4, 3, 1, known));   // stored as 24-bit gray RGB
  write_png(dir.file("c.png"), 4, 3, 3, pixels(4, 3, 3, known_rgb));
  write_bmp(dir.file("c.bmp"), 4, 3, 3, pixels(4, 3, 3, known_rgb));
  for (const char* name : {"g.png", "g.bmp"}) {
    const Tensor t = load_image(dir.file(name), opts(1, 3, 4));
    REQUIRE(t.shape() == Shape({1, 1, 3, 4}));
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x) CHECK(at(t, 0, 0, y, x) == float(known(x, y, 0)) / 255.0f);
  }
  for (const char* name : {"c.png", "c.bmp"}) {
    const Tensor t = load_image(dir.file(name), opts(3, 3, 4));
    REQUIRE(t.shape() == Shape({1, 3, 3, 4}));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x) CHECK(at(t, 0, c, y, x) == float(known_rgb(x, y, c)) / 255.0f);
  }
}

TEST_CASE("images: JPEG decodes close to the written pixels") {
  test::TempDir dir;
  auto smooth = [](int x, int y, int) { return 40 + 8 * x + 5 * y; };
  write_jpg(dir.file("s.jpg"), 16, 16, 1, pixels(16, 16, 1, smooth));
  const Tensor t = load_image(dir.file("s.jpg"), opts(1, 16, 16));
  float worst = 0;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      worst = std::max(worst, std::fabs(at(t, 0, 0, y, x) - smooth(x, y, 0) / 255.0f));
  CHECK(worst <= 4.0f / 255.0f);   // quality 100: a few grey levels at most
}

TEST_CASE("images: colour conversion (RGB -> gray by luma, gray -> RGB by replication, alpha dropped)") {
  test::TempDir dir;
  write_png(dir.file("rgb.png"), 2, 2, 3, pixels(2, 2, 3, [](int, int, int c) { return c == 0 ? 200 : c == 1 ? 100 : 50; }));
  write_png(dir.file("rgba.png"), 2, 2, 4, pixels(2, 2, 4, [](int, int, int c) { return c == 0 ? 200 : c == 1 ? 100 : c == 2 ? 50 : 7; }));
  write_png(dir.file("gray.png"), 4, 3, 1, pixels(4, 3, 1, known));
  const float luma = float((0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255.0);   // 124.2 / 255
  for (const char* name : {"rgb.png", "rgba.png"}) {
    const Tensor g = load_image(dir.file(name), opts(1, 2, 2));
    for (int64_t i = 0; i < 4; ++i) CHECK(g[i] == doctest::Approx(124.2 / 255.0).epsilon(1e-6));
    CHECK(g[0] == luma);
  }
  const Tensor c = load_image(dir.file("gray.png"), opts(3, 3, 4));
  for (int ch = 0; ch < 3; ++ch)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x) CHECK(at(c, 0, ch, y, x) == float(known(x, y, 0)) / 255.0f);
}

TEST_CASE("images: resize_bilinear by hand, constants stay constant, gradients stay monotone") {
  // Upsampling 1x2 -> 1x4: source coords -0.25, 0.25, 0.75, 1.25 (edges clamp).
  const Tensor up = resize_bilinear(Tensor::from({1, 1, 1, 2}, {0, 1}), 1, 4);
  CHECK(up.to_vector() == std::vector<float>{0.0f, 0.25f, 0.75f, 1.0f});
  // Downsampling 1x4 -> 1x2: tent of half-width 2 around 0.5 and 2.5, renormalised at the edge:
  // (0.75*0 + 0.75*1 + 0.25*2) / 1.75 = 5/7 and (0.25*1 + 0.75*2 + 0.75*3) / 1.75 = 16/7.
  const Tensor down = resize_bilinear(Tensor::from({1, 1, 1, 4}, {0, 1, 2, 3}), 1, 2);
  CHECK(down[0] == doctest::Approx(5.0 / 7.0).epsilon(1e-6));
  CHECK(down[1] == doctest::Approx(16.0 / 7.0).epsilon(1e-6));

  Rng rng(3);
  const Tensor same = test::uniform({2, 3, 5, 7}, rng, 0, 1);
  CHECK(test::bit_equal(resize_bilinear(same, 5, 7), same));

  for (auto [h, w] : {std::pair{3, 4}, {11, 13}, {1, 1}, {5, 20}}) {
    const Tensor k = resize_bilinear(Tensor::full({1, 2, 5, 7}, 0.3137f), h, w);
    REQUIRE(k.shape() == Shape({1, 2, h, w}));
    for (int64_t i = 0; i < k.numel(); ++i) CHECK(k[i] == 0.3137f);
  }

  // A ramp in x (constant in y) stays increasing in x and constant in y.
  Tensor ramp = Tensor::empty({1, 1, 6, 10});
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 10; ++x) ramp[y * 10 + x] = 0.05f * x * x;
  for (auto [h, w] : {std::pair{4, 7}, {9, 23}, {3, 3}}) {
    const Tensor r = resize_bilinear(ramp, h, w);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        CHECK(at(r, 0, 0, y, x) == at(r, 0, 0, 0, x));
        if (x > 0) CHECK(at(r, 0, 0, y, x) > at(r, 0, 0, y, x - 1));
      }
    CHECK(at(r, 0, 0, 0, 0) >= 0.0f);
    CHECK(at(r, 0, 0, 0, w - 1) <= 0.05f * 81);
  }
  CHECK(has(error_of([] { resize_bilinear(Tensor::zeros({2, 3}), 4, 4); }), "[N,C,H,W]"));
}

TEST_CASE("images: loading resizes files (constant stays constant, gradient monotone)") {
  test::TempDir dir;
  write_png(dir.file("k.png"), 9, 5, 1, pixels(9, 5, 1, [](int, int, int) { return 77; }));
  write_png(dir.file("g.png"), 10, 10, 1, pixels(10, 10, 1, [](int x, int y, int) { return 20 * x + y; }));
  const Tensor k = load_image(dir.file("k.png"), opts(3, 4, 4));
  for (int64_t i = 0; i < k.numel(); ++i) CHECK(k[i] == 77 / 255.0f);
  const Tensor g = load_image(dir.file("g.png"), opts(1, 5, 5));
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) {
      if (x > 0) CHECK(at(g, 0, 0, y, x) > at(g, 0, 0, y, x - 1));
      if (y > 0) CHECK(at(g, 0, 0, y, x) > at(g, 0, 0, y - 1, x));
    }
}

TEST_CASE("images: decoding then resizing equals resize_bilinear of the decoded pixels") {
  // The decoder resizes straight from the file's bytes (colour-converting each row as it
  // goes); it must agree bit for bit with resizing the full-size decoded image.
  Rng rng(11);
  for (auto [w, h, comp] : {std::tuple{23, 17, 1}, {40, 9, 3}, {5, 31, 4}, {64, 64, 2}}) {
    const std::string png = png_bytes(w, h, comp, pixels(w, h, comp, [&](int, int, int) { return int(rng.below(256)); }));
    for (int C : {1, 3}) {
      const Tensor full = decode_image(png, "full", opts(C, h, w));
      for (auto [oh, ow] : {std::pair{8, 8}, {32, 5}, {1, 40}, {h, 3}}) {
        CAPTURE(w);
        CAPTURE(comp);
        CAPTURE(C);
        CAPTURE(oh);
        CAPTURE(ow);
        CHECK(test::bit_equal(decode_image(png, "small", opts(C, oh, ow)), resize_bilinear(full, oh, ow)));
      }
    }
  }
}

TEST_CASE("images: a tall, thin image resizes in memory of its own size, not height x output width") {
  // 1 x 2^22 pixels, each row (y % 200, 60, 255 - y % 200): resizing to 16 x 32 once
  // kept the row pass of every source row, 2^22 x 32 doubles (1 GiB).
  const int h = 1 << 22;
  const std::string bmp = bmp_bytes(1, h, 3, pixels(1, h, 3, [](int, int y, int c) {
    return c == 0 ? y % 200 : c == 1 ? 60 : 255 - y % 200;
  }));
  Tensor out;
  const int64_t growth = peak_growth([&] { out = decode_image(bmp, "tall.bmp", opts(3, 16, 32)); });
  REQUIRE(out.shape() == Shape({1, 3, 16, 32}));
  for (int x = 0; x < 32; ++x) {   // every output row averages 2^18 rows whose mean red is ~99.5
    CHECK(at(out, 0, 0, 7, x) == doctest::Approx(99.5 / 255).epsilon(0.01));
    CHECK(at(out, 0, 1, 7, x) == 60 / 255.0f);
    CHECK(at(out, 0, 0, 7, x) + at(out, 0, 2, 7, x) == doctest::Approx(1.0).epsilon(1e-5));
  }
  if (growth < 0) {
    MESSAGE("/proc/self/clear_refs cannot reset the peak here; memory not measured");
  } else {
    MESSAGE("tall image: peak resident growth ", growth / (1 << 20), " MiB");
    CHECK(growth < (256 << 20));   // the decoded bytes are 12 MiB
  }
}

TEST_CASE("images: a PNG chunk longer than the file is refused before stb_image allocates for it") {
  Rng rng(2);
  const std::string png = png_bytes(32, 32, 1, pixels(32, 32, 1, [&](int, int, int) { return int(rng.below(256)); }));
  REQUIRE(png.compare(37, 4, "IDAT") == 0);   // signature 8 + IHDR 25, then IDAT's header
  std::string bad = png;
  bad[33] = 0x40;   // IDAT now claims 2^30 + its real length
  std::string e = error_of([&] { decode_image(bad, "long.png", opts(1, 32, 32)); });
  CHECK(has(e, "decode_image: 'long.png': cannot decode image: corrupt PNG: chunk 1 ('IDAT') at byte 33 claims 10737"));
  CHECK(e.find('\n') == std::string::npos);
  e = error_of([&] { decode_image(png.substr(0, png.size() - 12), "no_end.png", opts(1, 32, 32)); });
  CHECK(has(e, "cannot decode image: truncated PNG: chunk 2 at byte " + std::to_string(png.size() - 12) +
                   " is cut off (no IEND chunk)"));
  // The untouched file still decodes, and so does one with bytes after IEND.
  CHECK(error_of([&] { decode_image(png + "trailing", "ok.png", opts(1, 32, 32)); }) == "(no error)");
}

TEST_CASE("images: load_manifest reads paths, labels and groups") {
  test::TempDir dir;
  write_png(dir.file("imgs/a, b.png"), 4, 3, 1, pixels(4, 3, 1, known));
  write_bmp(dir.file("imgs/c.bmp"), 4, 3, 3, pixels(4, 3, 3, known_rgb));
  write_png(dir.file("other/d.png"), 4, 3, 1, pixels(4, 3, 1, [](int, int, int) { return 255; }));
  const std::string abs_d = dir.file("other/d.png");
  write_text(dir.file("sub/m.csv"),
             "\xEF\xBB\xBFpath,label,group\r\n"
             "\"../imgs/a, b.png\",3,0\r\n"
             "  ../imgs/c.bmp , 0 ,0\r\n"
             "\r\n" +
                 abs_d + ",29,1\r\n");
  const ImageData d = load_manifest(dir.file("sub/m.csv"), opts(1, 3, 4));
  CHECK(d.labels == std::vector<int>{3, 0, 29});
  CHECK(d.groups == std::vector<int>{0, 0, 1});
  REQUIRE(d.paths.size() == 3);
  CHECK(fs::equivalent(d.paths[0], dir.file("imgs/a, b.png")));
  CHECK(fs::equivalent(d.paths[1], dir.file("imgs/c.bmp")));
  CHECK(d.paths[2] == abs_d);
  REQUIRE(d.images.shape() == Shape({3, 1, 3, 4}));
  CHECK(at(d.images, 0, 0, 2, 3) == float(known(3, 2, 0)) / 255.0f);
  CHECK(at(d.images, 2, 0, 1, 1) == 1.0f);

  // Columns found by name in any order; no group column -> no groups.
  write_text(dir.file("m2.csv"), "label,path\n5,imgs/c.bmp\n");
  const ImageData e = load_manifest(dir.file("m2.csv"), opts(3, 3, 4));
  CHECK(e.labels == std::vector<int>{5});
  CHECK(e.groups.empty());
  CHECK(at(e.images, 0, 2, 1, 2) == float(known_rgb(2, 1, 2)) / 255.0f);
}

TEST_CASE("images: load_folder takes one integer-named subfolder per label, in sorted order") {
  test::TempDir dir;
  const std::string root = dir.file("data");
  auto shade = [](int v) { return [v](int, int, int) { return v; }; };
  write_png(root + "/0/b.png", 3, 3, 1, pixels(3, 3, 1, shade(20)));
  write_png(root + "/0/a.png", 3, 3, 1, pixels(3, 3, 1, shade(10)));
  write_bmp(root + "/2/c.BMP", 3, 3, 1, pixels(3, 3, 1, shade(30)));
  write_jpg(root + "/10/d.jpg", 3, 3, 1, pixels(3, 3, 1, shade(200)));
  write_text(root + "/2/notes.txt", "not an image");
  write_text(root + "/2/.hidden.png", "skipped");
  write_text(root + "/readme.txt", "top-level files are ignored");
  fs::create_directories(root + "/.cache");
  const ImageData d = load_folder(root, opts(1, 3, 3));
  CHECK(d.labels == std::vector<int>{0, 0, 2, 10});   // 2 before 10: numeric order
  CHECK(d.groups.empty());
  REQUIRE(d.paths.size() == 4);
  CHECK(fs::path(d.paths[0]).filename() == "a.png");
  CHECK(fs::path(d.paths[1]).filename() == "b.png");
  CHECK(fs::path(d.paths[3]).filename() == "d.jpg");
  CHECK(at(d.images, 0, 0, 1, 1) == 10 / 255.0f);
  CHECK(at(d.images, 1, 0, 1, 1) == 20 / 255.0f);
  CHECK(at(d.images, 2, 0, 1, 1) == 30 / 255.0f);
  CHECK(std::fabs(at(d.images, 3, 0, 1, 1) - 200 / 255.0f) <= 3 / 255.0f);
}

TEST_CASE("images: parallel decoding equals serial, and the first bad image in order is reported") {
  test::TempDir dir;
  std::string csv = "path,label\n";
  for (int i = 0; i < 9; ++i) {
    const std::string name = "i" + std::to_string(i) + ".png";
    write_png(dir.file(name), 7, 6, 3, pixels(7, 6, 3, [i](int x, int y, int c) { return (i * 31 + x * 7 + y * 13 + c * 50) % 256; }));
    csv += name + "," + std::to_string(i) + "\n";
  }
  write_text(dir.file("m.csv"), csv);
  const int threads = num_threads();
  set_num_threads(1);
  const ImageData one = load_manifest(dir.file("m.csv"), opts(1, 5, 4));
  set_num_threads(2);
  const ImageData two = load_manifest(dir.file("m.csv"), opts(1, 5, 4));
  set_num_threads(threads);
  CHECK(test::bit_equal(one.images, two.images));

  write_text(dir.file("i3.png"), "broken");
  write_text(dir.file("i7.png"), "broken too");
  set_num_threads(2);
  const std::string err = error_of([&] { load_manifest(dir.file("m.csv"), opts(1, 5, 4)); });
  set_num_threads(threads);
  CHECK(has(err, "i3.png' (line 5 of '"));
  CHECK(has(err, "cannot decode image"));
  CHECK(!has(err, "i7.png"));
}

TEST_CASE("images: every loader error is one line naming the file and the problem") {
  test::TempDir dir;
  write_png(dir.file("ok.png"), 4, 3, 1, pixels(4, 3, 1, known));
  write_png(dir.file("rgb.png"), 4, 3, 3, pixels(4, 3, 3, known_rgb));
  auto manifest_error = [&](const std::string& text, const ImageOptions& o = opts(1, 3, 4)) {
    write_text(dir.file("m.csv"), text);
    return error_of([&] { load_manifest(dir.file("m.csv"), o); });
  };

  CHECK(has(error_of([&] { load_manifest(dir.file("none.csv")); }), "'" + dir.file("none.csv") + "' not found"));
  std::string e = manifest_error("path,label\nok.png,1\nmissing.png,2\n");
  CHECK(has(e, "load_manifest: '" + dir.file("missing.png") + "' (line 3 of '"));
  CHECK(has(e, "image file not found"));

  write_text(dir.file("junk.png"), "these bytes are not an image at all");
  e = manifest_error("path,label\njunk.png,1\n");
  CHECK(has(e, "junk.png"));
  CHECK(has(e, "cannot decode image"));

  // A PNG cut in half: the compressed data ends early.
  Rng rng(5);
  write_png(dir.file("full.png"), 32, 32, 1, pixels(32, 32, 1, [&](int, int, int) { return int(rng.below(256)); }));
  std::ifstream in(dir.file("full.png"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 200);
  write_text(dir.file("cut.png"), bytes.substr(0, bytes.size() / 2));
  e = error_of([&] { load_image(dir.file("cut.png"), opts(1, 32, 32)); });
  CHECK(has(e, "load_image: '" + dir.file("cut.png") + "': cannot decode image: corrupt PNG: chunk 1 ('IDAT')"));

  ImageOptions strict = opts(1, 8, 8);
  strict.strict_size = true;
  e = manifest_error("path,label\nok.png,1\n", strict);
  CHECK(has(e, "ok.png"));
  CHECK(has(e, "image of the wrong size: 3x4 (height x width), expected 8x8"));
  strict = opts(1, 3, 4);
  strict.strict_size = true;
  CHECK(manifest_error("path,label\nok.png,1\n", strict) == "(no error)");

  ImageOptions gray_only = opts(1, 3, 4);
  gray_only.expect_channels = 1;
  e = manifest_error("path,label\nok.png,0\nrgb.png,1\n", gray_only);
  CHECK(has(e, "rgb.png"));
  CHECK(has(e, "wrong channels: the image is RGB (3 channels in the file), expected gray"));
  ImageOptions rgb_only = opts(3, 3, 4);
  rgb_only.expect_channels = 3;
  CHECK(has(manifest_error("path,label\nok.png,0\n", rgb_only), "wrong channels"));

  // Malformed manifests.
  CHECK(has(manifest_error(""), "is empty"));
  CHECK(has(manifest_error("file,label\nok.png,1\n"), "line 1: the header must name the columns path and label"));
  CHECK(has(manifest_error("path,label,path\n"), "line 1: column 'path' appears twice"));
  CHECK(has(manifest_error("path,label\n"), "lists no images"));
  CHECK(has(manifest_error("path,label\nok.png,1\nok.png\n"), "line 3: 1 fields, the header has 2"));
  CHECK(has(manifest_error("path,label\nok.png,1,9\n"), "line 2: 3 fields, the header has 2"));
  CHECK(has(manifest_error("path,label\nok.png,three\n"), "line 2: label 'three' is not an integer"));
  CHECK(has(manifest_error("path,label\nok.png,1.5\n"), "label '1.5' is not an integer"));
  CHECK(has(manifest_error("path,label\nok.png,\n"), "label '' is not an integer"));
  CHECK(has(manifest_error("path,label\nok.png,1\n\"ok.png,2\n"), "line 3: unterminated quote"));
  CHECK(has(manifest_error("path,label\n\"ok.png\"x,2\n"), "line 2: unexpected text after a closing quote"));
  CHECK(has(manifest_error("path,label\n,2\n"), "line 2: empty path"));
  CHECK(has(manifest_error("path,label,group\nok.png,1,g1\n"), "line 2: group 'g1' is not an integer"));
  CHECK(has(manifest_error("path,label\nok.png,0\nok.png,-2\n"), "line 3: label -2 is negative"));

  // Folders.
  CHECK(has(error_of([&] { load_folder(dir.file("nowhere")); }), "load_folder: '" + dir.file("nowhere") + "' not found"));
  CHECK(has(error_of([&] { load_folder(dir.file("ok.png")); }), "is not a directory"));
  fs::create_directories(dir.file("empty/3"));
  CHECK(has(error_of([&] { load_folder(dir.file("empty")); }), "has no images"));
  write_png(dir.file("f/cats/a.png"), 4, 3, 1, pixels(4, 3, 1, known));
  CHECK(has(error_of([&] { load_folder(dir.file("f")); }), "'" + dir.file("f/cats") + "' is not named by an integer label"));
  write_png(dir.file("n/-1/a.png"), 4, 3, 1, pixels(4, 3, 1, known));
  CHECK(has(error_of([&] { load_folder(dir.file("n")); }), "label -1 is negative"));
  write_text(dir.file("b/1/z.jpg"), "not a jpeg");
  e = error_of([&] { load_folder(dir.file("b"), opts(1, 3, 4)); });
  CHECK(has(e, "load_folder: '" + dir.file("b/1/z.jpg") + "': cannot decode image"));

  CHECK(has(error_of([&] { load_image(dir.file("ok.png"), opts(2, 3, 4)); }), "channels must be 1 or 3, got 2"));
  CHECK(has(error_of([&] { load_image(dir.file("ok.png"), opts(1, 0, 4)); }), "image size must be positive"));
  CHECK(has(error_of([&] { load_image(dir.file("gone.png")); }), "image file not found"));
  for (const std::string& msg : {e, manifest_error("path,label\nok.png,x\n")})
    CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE("augment_batch: flips are involutions and mirror the drawn images") {
  Rng data_rng(11);
  const Tensor original = test::uniform({12, 2, 5, 7}, data_rng, 0, 1);
  Augment a;
  a.flip_h = a.flip_v = true;
  Tensor once = original.clone();
  Rng r1(7);
  augment_batch(once, a, r1);
  // The documented draws: flip_h then flip_v per image, p = 1/2 each.
  Rng replay(7);
  int flipped = 0, kept = 0;
  for (int64_t n = 0; n < 12; ++n) {
    const bool fh = replay.uniform() < 0.5f, fv = replay.uniform() < 0.5f;
    (fh || fv ? flipped : kept)++;
    for (int c = 0; c < 2; ++c)
      for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 7; ++x)
          CHECK(at(once, n, c, y, x) == at(original, n, c, fv ? 4 - y : y, fh ? 6 - x : x));
  }
  CHECK(flipped > 0);
  CHECK(kept > 0);
  Rng r2(7);
  augment_batch(once, a, r2);   // the same flips again undo them
  CHECK(test::bit_equal(once, original));
}

TEST_CASE("augment_batch: shifts move content and fill with zeros") {
  const int64_t N = 20;
  Tensor dot = Tensor::zeros({N, 1, 9, 9});
  for (int64_t n = 0; n < N; ++n) dot[n * 81 + 4 * 9 + 3] = 1.0f;   // one pixel at (y=4, x=3)
  Augment a;
  a.max_shift = 2;
  Rng rng(21);
  augment_batch(dot, a, rng);
  Rng replay(21);
  int moved = 0;
  for (int64_t n = 0; n < N; ++n) {
    const int dx = int(replay.below(5)) - 2, dy = int(replay.below(5)) - 2;
    moved += dx != 0 || dy != 0;
    float total = 0;
    for (int64_t i = 0; i < 81; ++i) total += dot[n * 81 + i];
    CHECK(total == 1.0f);
    CHECK(at(dot, n, 0, 4 + dy, 3 + dx) == 1.0f);
  }
  CHECK(moved > 0);

  // An all-ones image: the uncovered border strips become 0.
  Tensor ones = Tensor::full({N, 1, 6, 8}, 1.0f);
  a.max_shift = 3;
  Rng rng2(4), replay2(4);
  augment_batch(ones, a, rng2);
  for (int64_t n = 0; n < N; ++n) {
    const int dx = int(replay2.below(7)) - 3, dy = int(replay2.below(7)) - 3;
    int zeros = 0;
    for (int64_t i = 0; i < 48; ++i) zeros += ones[n * 48 + i] == 0.0f;
    CHECK(zeros == 48 - (6 - std::abs(dy)) * (8 - std::abs(dx)));
  }
}

TEST_CASE("augment_batch: brightness scales each image by one factor in [1-b, 1+b)") {
  Tensor t = Tensor::full({10, 3, 4, 4}, 0.5f);
  Augment a;
  a.brightness = 0.2f;
  Rng rng(9), replay(9);
  augment_batch(t, a, rng);
  float lo = 2, hi = 0;
  for (int64_t n = 0; n < 10; ++n) {
    const float s = replay.uniform(0.8f, 1.2f);
    CHECK(s >= 0.8f);
    CHECK(s < 1.2f);
    for (int64_t i = 0; i < 48; ++i) CHECK(t[n * 48 + i] == s * 0.5f);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  CHECK(hi - lo > 0.05f);   // the factor does vary between images
}

TEST_CASE("augment_batch: same seed same batch, any thread count; bad options throw") {
  Rng data_rng(1);
  const Tensor x = test::uniform({40, 3, 8, 8}, data_rng, 0, 1);
  Augment a;
  a.flip_h = a.flip_v = true;
  a.max_shift = 2;
  a.brightness = 0.3f;
  const int threads = num_threads();
  Tensor b1 = x.clone(), b2 = x.clone(), b3 = x.clone();
  set_num_threads(1);
  Rng r1(123);
  augment_batch(b1, a, r1);
  set_num_threads(2);
  Rng r2(123), r3(124);
  augment_batch(b2, a, r2);
  augment_batch(b3, a, r3);
  set_num_threads(threads);
  CHECK(test::bit_equal(b1, b2));
  CHECK(!test::bit_equal(b1, b3));
  CHECK(r1.next_u64() == r2.next_u64());   // the same number of draws

  Tensor flat = Tensor::zeros({4, 16});
  Rng rng(0);
  CHECK(has(error_of([&] { augment_batch(flat, a, rng); }), "augment_batch: batch [4,16] must be [N,C,H,W]"));
  Tensor img = Tensor::zeros({1, 1, 4, 4});
  Augment bad;
  bad.max_shift = -1;
  CHECK(has(error_of([&] { augment_batch(img, bad, rng); }), "max_shift -1 must be >= 0"));
  bad = Augment{};
  bad.brightness = 1.5f;
  CHECK(has(error_of([&] { augment_batch(img, bad, rng); }), "brightness 1.5 must be in [0, 1)"));
}

namespace {

// The documented pattern: the epoch order is drawn up front, each step's
// augmentation from its own seed, so make_batch(s) depends on s alone.
struct BatchMaker {
  Dataset data;
  std::vector<int64_t> order;
  int64_t batch = 5;
  uint64_t seed = 77;
  Dataset operator()(int64_t step) const {
    Dataset b = subset(data, order, step * batch, (step + 1) * batch);
    Augment a;
    a.flip_h = true;
    a.max_shift = 1;
    a.brightness = 0.1f;
    Rng rng(seed + uint64_t(step));
    augment_batch(b.x, a, rng);
    return b;
  }
};

BatchMaker make_maker() {
  BatchMaker m;
  Rng rng(2);
  m.data.x = test::uniform({40, 1, 6, 6}, rng, 0, 1);
  for (int i = 0; i < 40; ++i) m.data.y.push_back(i % 7);
  for (int64_t i = 0; i < 40; ++i) m.order.push_back(i);
  rng.shuffle(m.order);
  return m;
}

}  // namespace

TEST_CASE("Prefetcher: yields the same batches as serial generation") {
  const BatchMaker maker = make_maker();
  std::vector<Dataset> serial;
  for (int64_t s = 0; s < 8; ++s) serial.push_back(maker(s));
  for (int depth : {1, 2, 3}) {
    Prefetcher pf(maker, 8, depth);
    for (int64_t s = 0; s < 8; ++s) {
      CHECK(pf.step() == s);
      const Dataset b = pf.next();
      CHECK(test::bit_equal(b.x, serial[size_t(s)].x));
      CHECK(b.y == serial[size_t(s)].y);
    }
    CHECK(pf.done());
    CHECK(has(error_of([&] { pf.next(); }), "Prefetcher: next() after all 8 batches were taken"));
  }
  Prefetcher none(maker, 0);
  CHECK(none.done());
  CHECK(has(error_of([&] { none.next(); }), "after all 0 batches"));
  CHECK(has(error_of([&] { Prefetcher bad(maker, 3, 0); }), "queue depth 0 must be >= 1"));
}

TEST_CASE("Prefetcher: prepares ahead, at most `depth` batches") {
  std::atomic<int> made{0};
  Prefetcher pf(
      [&](int64_t s) {
        ++made;
        Dataset d;
        d.y = {int(s)};
        return d;
      },
      100, 1);
  CHECK(pf.next().y == std::vector<int>{0});
  // Batch 1 is made without being asked for; batch 2 waits for room in the queue.
  for (int i = 0; i < 400 && made.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK(made.load() == 2);
  CHECK(pf.next().y == std::vector<int>{1});
}

TEST_CASE("Prefetcher: an exception in make_batch is rethrown by next() at its step") {
  Prefetcher pf(
      [](int64_t s) {
        if (s == 3) throw Error(cat("make_batch: step ", s, " failed"));
        Dataset d;
        d.y = {int(s)};
        return d;
      },
      10);
  for (int s = 0; s < 3; ++s) CHECK(pf.next().y == std::vector<int>{s});
  CHECK(error_of([&] { pf.next(); }) == "make_batch: step 3 failed");
  CHECK(has(error_of([&] { pf.next(); }), "next() after make_batch failed at step 3"));
}

TEST_CASE("Prefetcher: destroyed early, it stops without hanging") {
  std::atomic<int> made{0};
  auto slow = [&](int64_t s) {
    ++made;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    Dataset d;
    d.y = {int(s)};
    return d;
  };
  const auto t0 = std::chrono::steady_clock::now();
  {
    Prefetcher pf(slow, 100000, 2);
    CHECK(pf.next().y == std::vector<int>{0});
    CHECK(pf.next().y == std::vector<int>{1});
  }
  { Prefetcher untouched(slow, 100000, 2); }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(seconds < 2.0);
  CHECK(made.load() <= (2 + 2) + (0 + 2));   // at most taken + depth, per prefetcher
}
