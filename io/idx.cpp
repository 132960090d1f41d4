// idx.cpp — checked IDX reading through zlib, and the Fashion-MNIST loader.
#include "io/idx.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/check.h"
#include "core/parallel.h"

namespace og {

namespace {

constexpr uint32_t kLabelMagic = 0x00000801;   // u8 data, 1 dim
constexpr uint32_t kImageMagic = 0x00000803;   // u8 data, 3 dims

// A gzread stream whose every failure becomes one og::Error line "<fn>: '<path>' ...".
class IdxFile {
 public:
  IdxFile(const char* fn, const std::string& path) : fn_(fn), path_(path) {
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      throw Error(cat(fn_, ": cannot open '", path_,
                      "': ", errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(f_, 1 << 17);  // larger than the 8 KB default: fewer read() calls
  }
  ~IdxFile() { gzclose(f_); }
  IdxFile(const IdxFile&) = delete;
  IdxFile& operator=(const IdxFile&) = delete;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(cat(fn_, ": '", path_, "' ", what));
  }

  // Reads up to n bytes; returns how many arrived before the end of the data.
  size_t read_some(uint8_t* p, size_t n) {
    size_t got = 0;
    while (got < n) {
      const size_t piece = n - got < (size_t(1) << 30) ? n - got : (size_t(1) << 30);
      const int r = gzread(f_, p + got, static_cast<unsigned>(piece));
      if (r < 0) fail_stream();
      got += static_cast<size_t>(r);
      if (static_cast<size_t>(r) < piece) break;
    }
    check_stream();
    return got;
  }

  uint32_t u32_be(const char* what) {
    uint8_t b[4];
    if (read_some(b, 4) != 4) fail(cat("is truncated: no ", what, " in the header"));
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  }

  void check_magic(uint32_t want, const char* kind) {
    const uint32_t magic = u32_be("magic number");
    if (magic != want) {
      char hex[64];
      std::snprintf(hex, sizeof hex, "magic 0x%08x, expected 0x%08x", magic, want);
      fail(cat("is not an IDX ", kind, " file (", hex, ")"));
    }
  }

  // Data longer than its header says means header and data disagree: refuse it.
  void expect_end() {
    uint8_t extra;
    if (read_some(&extra, 1) != 0) fail("has more data than its header describes");
  }

 private:
  [[noreturn]] void fail_stream() const {
    int err = Z_OK;
    const char* msg = gzerror(f_, &err);
    if (err == Z_ERRNO) fail(cat("cannot be read: ", std::strerror(errno)));
    fail(cat("is corrupt (zlib: ", msg, ")"));
  }
  // A gzip stream cut short ends quietly with Z_BUF_ERROR; anything else is damage.
  void check_stream() const {
    int err = Z_OK;
    const char* msg = gzerror(f_, &err);
    if (err == Z_BUF_ERROR) fail("is truncated (the gzip stream ends early)");
    if (err != Z_OK) fail(cat("is corrupt (zlib: ", msg, ")"));
  }

  const char* fn_;
  const std::string& path_;
  gzFile f_;
};

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  IdxFile f("read_idx_images", path);
  f.check_magic(kImageMagic, "image");
  IdxImages im;
  im.n = f.u32_be("image count");
  im.rows = f.u32_be("row count");
  im.cols = f.u32_be("column count");
  if (im.rows == 0 || im.cols == 0)
    f.fail(cat("has empty images (", im.rows, "x", im.cols, ")"));
  // n, rows, cols < 2^32: n*rows fits in 64 bits, the product with cols may not.
  const uint64_t per_image = uint64_t(im.rows) * uint64_t(im.cols);
  if (uint64_t(im.n) > (uint64_t(1) << 62) / per_image)
    f.fail(cat("has an absurd size (", im.n, " images of ", im.rows, "x", im.cols, ")"));
  const uint64_t total = uint64_t(im.n) * per_image;
  // Grow with the data actually read, so a lying header fails before a huge allocation.
  const uint64_t chunk = uint64_t(1) << 24;
  uint64_t have = 0;
  while (have < total) {
    const uint64_t want = total - have < chunk ? total - have : chunk;
    im.pixels.resize(have + want);
    const size_t got = f.read_some(im.pixels.data() + have, want);
    have += got;
    if (got < want)
      f.fail(cat("is truncated: ", im.n, " images of ", im.rows, "x", im.cols, " need ", total,
                 " pixel bytes, found ", have));
  }
  f.expect_end();
  return im;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
  IdxFile f("read_idx_labels", path);
  f.check_magic(kLabelMagic, "label");
  const uint64_t n = f.u32_be("label count");
  std::vector<uint8_t> labels;
  const uint64_t chunk = uint64_t(1) << 24;
  uint64_t have = 0;
  while (have < n) {
    const uint64_t want = n - have < chunk ? n - have : chunk;
    labels.resize(have + want);
    const size_t got = f.read_some(labels.data() + have, want);
    have += got;
    if (got < want) f.fail(cat("is truncated: ", n, " labels announced, found ", have));
  }
  f.expect_end();
  return labels;
}

ImageSet load_idx_set(const std::string& images_path, const std::string& labels_path) {
  const IdxImages im = read_idx_images(images_path);
  const std::vector<uint8_t> lab = read_idx_labels(labels_path);
  OG_CHECK(static_cast<int64_t>(lab.size()) == im.n, "load_idx_set: '", images_path, "' has ",
           im.n, " images but '", labels_path, "' has ", lab.size(), " labels");
  ImageSet set;
  set.images = Tensor::empty({im.n, 1, im.rows, im.cols});
  const int64_t per_image = im.rows * im.cols;
  const uint8_t* src = im.pixels.data();
  float* dst = set.images.data();
  parallel_for(im.n, 64, [&](int64_t i) {
    for (int64_t k = i * per_image; k < (i + 1) * per_image; ++k)
      dst[k] = static_cast<float>(src[k]) / 255.0f;
  });
  set.labels.assign(lab.begin(), lab.end());
  return set;
}

ImageSet load_fashion_mnist(const std::string& dir, bool train) {
  const std::string split = train ? "train" : "t10k";
  std::string files[2] = {dir + "/" + split + "-images-idx3-ubyte",
                          dir + "/" + split + "-labels-idx1-ubyte"};
  for (std::string& file : files) {
    if (exists(file + ".gz")) {
      file += ".gz";
    } else {
      OG_CHECK(exists(file), "load_fashion_mnist: missing '", file,
               ".gz' (apt-get install dataset-fashion-mnist provides it)");
    }
  }
  ImageSet set = load_idx_set(files[0], files[1]);
  for (size_t i = 0; i < set.labels.size(); ++i)
    OG_CHECK(set.labels[i] >= 0 && set.labels[i] <= 9, "load_fashion_mnist: '", files[1],
             "' has label ", set.labels[i], " at index ", i, " (Fashion-MNIST labels are 0..9)");
  return set;
}

void normalize(Tensor& images, float mean, float std) {
  OG_CHECK(images.defined(), "normalize: undefined tensor");
  OG_CHECK(std::isfinite(mean) && std::isfinite(std) && std > 0.0f, "normalize: mean ", mean,
           " and std ", std, " must be finite with std > 0 (tensor ", images.shape(), ")");
  float* x = images.data();
  parallel_for(images.numel(), 1 << 15, [&](int64_t i) { x[i] = (x[i] - mean) / std; });
}

}  // namespace og
