// counting.cpp — labels by stratified sampling, blob rendering, chunked PNG writing
// in either layout, manifests.
// The formulas and the file layout are stated in counting.h.
#include "io/counting.h"

#include <stb/stb_image_write.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/check.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "io/scenes.h"

namespace og {

namespace {

// splitmix64's finaliser: a bijective mix, so distinct (seed, i) give distinct seeds.
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Split `total` in proportion to integer weights: floor(w_k total / W) each, then one
// more for the largest remainders (ties: lower k). Exact in integers, so the shares
// sum to total and no share exceeds ceil(w_k total / W) <= w_k when total <= W.
std::vector<int64_t> apportion(const std::vector<int64_t>& weight, int64_t total) {
  int64_t sum_w = 0;
  for (int64_t w : weight) sum_w += w;
  std::vector<int64_t> share(weight.size(), 0), rem(weight.size(), 0);
  if (sum_w == 0) return share;
  int64_t given = 0;
  for (size_t k = 0; k < weight.size(); ++k) {
    const __int128 q = static_cast<__int128>(weight[k]) * total;
    share[k] = static_cast<int64_t>(q / sum_w);
    rem[k] = static_cast<int64_t>(q % sum_w);
    given += share[k];
  }
  std::vector<size_t> order(weight.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rem[a] > rem[b]; });
  for (int64_t j = 0; j < total - given; ++j) ++share[order[static_cast<size_t>(j)]];
  return share;
}

// The image's path relative to DIR: "images/000017.png", or "<label>/000017.png".
std::string image_name(int64_t i, int label, CountingLayout layout) {
  char buf[48];
  if (layout == CountingLayout::folders)
    std::snprintf(buf, sizeof buf, "%d/%06ld.png", label, static_cast<long>(i));
  else
    std::snprintf(buf, sizeof buf, "images/%06ld.png", static_cast<long>(i));
  return buf;
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

}  // namespace

uint64_t counting_image_seed(uint64_t seed, int64_t i) {
  return mix64(seed ^ mix64(static_cast<uint64_t>(i) + 0x632be59bd9b4e019ULL));
}

std::vector<double> counting_label_distribution() {
  double z = 0;
  for (int k = 0; k < kCountClasses; ++k) z += std::exp(-k / 6.0);
  std::vector<double> p(kCountClasses);
  for (int k = 0; k < kCountClasses; ++k) p[k] = 0.95 * std::exp(-k / 6.0) / z + 0.05 / kCountClasses;
  return p;
}

std::vector<uint8_t> render_counting_image(int count, int size, uint64_t seed) {
  OG_CHECK(size >= 8 && size <= 1024, "render_counting_image: size ", size, " is outside 8..1024");
  OG_CHECK(count >= 0 && count < kCountClasses, "render_counting_image: count ", count, " is outside 0..",
           kCountClasses - 1);
  Rng rng(seed);
  const float scale = size / 32.0f;
  const float half = 0.5f * (size - 1);
  // Background first, so the objects of an image with more objects are drawn on the
  // same background as those of the same seed with fewer (the first ones coincide).
  const float base = rng.uniform(20, 90);
  const float angle = rng.uniform(0, 6.2831853f);
  const float slope = rng.uniform(0, 15) / half;   // up to +-15 at the edges
  const float gx = slope * std::cos(angle), gy = slope * std::sin(angle);
  const float noise_sd = rng.uniform(3, 10);
  std::vector<float> v(static_cast<size_t>(size) * size);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      v[size_t(y) * size + x] = base + gx * (x - half) + gy * (y - half) + noise_sd * rng.normal();
  for (int j = 0; j < count; ++j) {
    const float r = rng.uniform(1.2f, 3.5f) * scale;
    const float a = rng.uniform(60, 150);
    const float cx = rng.uniform(r, size - 1 - r), cy = rng.uniform(r, size - 1 - r);
    const bool disc = rng.uniform() < 0.5f;
    const float sigma = 0.6f * r;
    const float reach = disc ? r + 1 : 3 * sigma;   // beyond it the object adds nothing
    const int y0 = std::max(0, int(std::floor(cy - reach))), y1 = std::min(size - 1, int(std::ceil(cy + reach)));
    const int x0 = std::max(0, int(std::floor(cx - reach))), x1 = std::min(size - 1, int(std::ceil(cx + reach)));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const float d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        const float add = disc ? a * std::clamp(r + 0.5f - std::sqrt(d2), 0.0f, 1.0f)
                               : a * std::exp(-d2 / (2 * sigma * sigma));
        v[size_t(y) * size + x] += add;
      }
  }
  std::vector<uint8_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<uint8_t>(std::clamp(std::lround(v[i]), 0L, 255L));
  return out;
}

CountingPlan plan_counts(const CountingOptions& options) {
  CountingOptions opt = options;
  if (opt.layout == CountingLayout::folders) opt.val_fraction = opt.test_fraction = 0;  // no split
  OG_CHECK(opt.n >= 8 && opt.n <= 1000000, "generate_counts: n = ", opt.n, " is outside 8..1000000");
  OG_CHECK(opt.size >= 8 && opt.size <= 1024, "generate_counts: size ", opt.size, " is outside 8..1024");
  OG_CHECK(opt.channels == 1 || opt.channels == 3, "generate_counts: channels ", opt.channels,
           " must be 1 (grayscale) or 3 (RGB)");
  OG_CHECK(opt.channels == 1 || opt.size >= 32, "generate_counts: RGB scenes need size >= 32, got ", opt.size);
  OG_CHECK(opt.group >= 1, "generate_counts: group ", opt.group, " must be at least 1");
  OG_CHECK(opt.val_fraction >= 0 && opt.test_fraction >= 0 && opt.val_fraction + opt.test_fraction < 1,
           "generate_counts: val_fraction ", opt.val_fraction, " and test_fraction ", opt.test_fraction,
           " must be >= 0 and leave a training share");
  const int64_t n = opt.n;
  const int64_t n_test = std::llround(n * opt.test_fraction) / opt.group * opt.group;
  const int64_t n_val = std::llround(n * opt.val_fraction);
  OG_CHECK(opt.test_fraction == 0 || n_test > 0, "generate_counts: n = ", n, " with test_fraction ",
           opt.test_fraction, " gives no full group of ", opt.group, " test images");
  OG_CHECK(n - n_test - n_val >= 1, "generate_counts: n = ", n, " leaves no training images");

  // Labels: class k gets its share of n, in a random order.
  CountingPlan plan;
  CountingSummary& s = plan.summary;
  s.probability = counting_label_distribution();
  std::vector<int64_t> weight(kCountClasses);
  for (int k = 0; k < kCountClasses; ++k) weight[k] = std::llround(s.probability[k] * 1099511627776.0);  // 2^40
  const std::vector<int64_t> per_class = apportion(weight, n);
  std::vector<int>& label = plan.label;
  label.reserve(static_cast<size_t>(n));
  for (int k = 0; k < kCountClasses; ++k) label.insert(label.end(), static_cast<size_t>(per_class[k]), k);
  Rng rng(opt.seed);
  rng.shuffle(label);

  // Splits per class: the first test_k images of class k (in the shuffled order) go
  // to test, the next val_k to val, the rest to train.
  s.test_counts = apportion(per_class, n_test);
  std::vector<int64_t> left(kCountClasses);
  for (int k = 0; k < kCountClasses; ++k) left[k] = per_class[k] - s.test_counts[k];
  s.val_counts = apportion(left, n_val);
  s.train_counts.assign(kCountClasses, 0);
  for (int k = 0; k < kCountClasses; ++k) s.train_counts[k] = left[k] - s.val_counts[k];
  std::vector<int64_t> seen(kCountClasses, 0);
  plan.split.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int k = label[size_t(i)];
    const int64_t order = seen[k]++;
    plan.split[size_t(i)] = order < s.test_counts[k] ? 2 : order < s.test_counts[k] + s.val_counts[k] ? 1 : 0;
  }
  s.n_test = n_test;
  s.n_val = n_val;
  s.n_train = n - n_test - n_val;
  s.n_groups = n_test / opt.group;
  return plan;
}

CountingSummary generate_counts(const std::string& dir, const CountingOptions& opt) {
  OG_CHECK(!dir.empty(), "generate_counts: no output directory given");
  const CountingPlan plan = plan_counts(opt);
  const std::vector<int>& label = plan.label;
  CountingSummary s = plan.summary;
  const int64_t n = opt.n;
  const bool folders = opt.layout == CountingLayout::folders;

  namespace fs = std::filesystem;
  const fs::path root(dir);
  std::vector<fs::path> dirs;
  if (folders) {
    for (int k = 0; k < kCountClasses; ++k)
      if (s.train_counts[size_t(k)] > 0) dirs.push_back(root / std::to_string(k));
    s.image_dir = root.string();
  } else {
    dirs.push_back(root / "images");
    s.image_dir = (root / "images").string();
    s.train_csv = (root / "train.csv").string();
    s.val_csv = (root / "val.csv").string();
    s.test_csv = (root / "test.csv").string();
  }
  for (const fs::path& d : dirs) {
    std::error_code ec;
    fs::create_directories(d, ec);
    OG_CHECK(!ec, "generate_counts: cannot create '", d.string(), "': ", ec.message());
  }

  // Images, a chunk at a time: each index renders and writes its own file; failures
  // are collected and the first (lowest index) is thrown after its chunk, never from
  // inside the parallel loop. The chunk bounds memory; its size does not change a byte.
  const int64_t chunk = 4096;
  std::vector<std::string> error(static_cast<size_t>(std::min(n, chunk)));
  const int size = opt.size, channels = opt.channels;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t end = std::min(n, begin + chunk);
    parallel_for(end - begin, 16, [&](int64_t j) {
      const int64_t i = begin + j;
      const int k = label[size_t(i)];
      const uint64_t seed = counting_image_seed(opt.seed, i);
      const std::vector<uint8_t> pixels =
          channels == 3 ? render_scene(k, size, seed) : render_counting_image(k, size, seed);
      const std::string name = image_name(i, k, opt.layout);
      std::vector<uint8_t> png;
      if (!stbi_write_png_to_func(append_bytes, &png, size, size, channels, pixels.data(), size * channels)) {
        error[size_t(j)] = cat("cannot encode '", name, "'");
        return;
      }
      error[size_t(j)] = write_file_atomic((root / name).string(), png.data(), png.size(), Sync::none);
    });
    for (int64_t j = 0; j < end - begin; ++j) OG_CHECK(error[size_t(j)].empty(), "generate_counts: ", error[size_t(j)]);
  }
  s.files = n;
  // The folders layout has no manifest to order after the images, so no syncfs either.
  if (folders) return s;

  std::string train_csv = "path,label\n", val_csv = "path,label\n", test_csv = "path,label,group\n";
  int64_t test_row = 0;
  for (int64_t i = 0; i < n; ++i) {
    const std::string row = cat(image_name(i, 0, opt.layout), ",", label[size_t(i)]);
    switch (plan.split[size_t(i)]) {
      case 2: test_csv += cat(row, ",", test_row++ / opt.group, "\n"); break;
      case 1: val_csv += row + "\n"; break;
      default: train_csv += row + "\n";
    }
  }
  // The images reach the disk before the manifests that name them appear.
  const int dfd = ::open(s.image_dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    (void)::syncfs(dfd);   // best effort: a failure here only weakens crash safety
    ::close(dfd);
  }
  for (const auto& [path, text] : {std::pair<const std::string&, const std::string&>{s.train_csv, train_csv},
                                   {s.val_csv, val_csv}, {s.test_csv, test_csv}}) {
    const std::string e = write_file_atomic(path, text.data(), text.size(), Sync::durable);
    OG_CHECK(e.empty(), "generate_counts: ", e);
  }
  s.files = n + 3;
  return s;
}

}  // namespace og
