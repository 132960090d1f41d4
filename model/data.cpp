// data.cpp — named datasets (see data.h).
#include "model/data.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/idx.h"
#include "core/rng.h"
#include "io/images.h"

namespace og {

namespace {
bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

NamedData load_table(const std::string& path, const std::string& split, const DataOptions& opt) {
  OG_CHECK(split != "val", "data '", path, "': tables have :train, :test and :all splits");
  Table t = read_table(path, TableOptions{opt.weight_column});
  LabelMap labels = LabelMap::fit(t.raw_labels);
  if (opt.classes > 0) labels = LabelMap{opt.label_offset, opt.classes};  // the model's mapping
  if (split != "all") {
    OG_CHECK(opt.test_fraction > 0 && opt.test_fraction < 1, "data '", path, "': test fraction ",
             opt.test_fraction, " must be in (0,1)");
    std::vector<int64_t> train, test;
    split_rows(t.x.shape()[0], opt.test_fraction, opt.split_seed, train, test);
    t = take_rows(t, split == "train" ? train : test);
  }
  NamedData d;
  d.data = Dataset{t.x, labels.to_classes(t.raw_labels), t.weights};
  d.input = Shape{t.x.shape()[1]};
  d.classes = labels.K;
  d.table = true;
  d.label_offset = labels.min_label;
  return d;
}
}  // namespace

NamedData load_images(const std::string& dir, const std::string& split, const DataOptions& opt) {
  const std::string manifest = dir + "/" + split + ".csv";
  ImageData im = load_manifest(manifest, ImageOptions{opt.channels, opt.height, opt.width});
  NamedData d;
  d.data = Dataset{im.images, im.labels, {}};
  d.input = Shape{opt.channels, opt.height, opt.width};
  int max_label = 0;
  for (int y : im.labels) max_label = std::max(max_label, y);
  d.classes = opt.classes > 0 ? opt.classes : max_label + 1;
  for (size_t i = 0; i < im.labels.size(); ++i)
    OG_CHECK(im.labels[i] < d.classes, manifest, ": label ", im.labels[i], " of ", im.paths[i],
             " is outside the ", d.classes, " classes");
  d.norm_mean = 0.5f;
  d.norm_std = 0.25f;
  d.groups = im.groups;
  d.paths = im.paths;
  return d;
}

NamedData load_named(const std::string& spec, const std::string& fallback_split, const DataOptions& opt) {
  size_t colon = spec.rfind(':');
  if (colon != std::string::npos && spec.find('/', colon) != std::string::npos) colon = std::string::npos;
  const std::string name = spec.substr(0, colon);
  const std::string split = colon == std::string::npos ? fallback_split : spec.substr(colon + 1);
  OG_CHECK(split == "train" || split == "test" || split == "all" || split == "val", "data '", spec,
           "': unknown split '", split, "' (use :train, :val, :test or :all)");
  if (ends_with(name, ".csv")) return load_table(name, split, opt);
  if (is_directory(name)) {
    const std::string part = split == "all" ? "train" : split;
    OG_CHECK(part == "train" || part == "val" || part == "test", "data '", spec, "': unknown split '", split,
             "' (use :train, :val or :test)");
    return load_images(name, part, opt);
  }
  OG_CHECK(split == "train" || split == "test", "data '", spec, "': only :train and :test exist");
  NamedData d;
  if (name == "fashion-mnist") {
    ImageSet s = load_fashion_mnist(kFashionMnistDir, split == "train");
    d.data = Dataset{s.images, s.labels, {}};
    d.input = Shape{1, s.images.shape()[2], s.images.shape()[3]};
    d.classes = 10;
    d.norm_mean = kFashionMnistMean;
    d.norm_std = kFashionMnistStd;
    return d;
  }
  if (name == "demo") {
    d.data = demo_dataset(split == "train");
    d.input = Shape{d.data.x.shape()[1]};
    d.classes = 10;
    return d;
  }
  throw Error(cat("unknown data '", spec,
                  "' (known: fashion-mnist[:train|:test], demo[:train|:test], FILE.csv[:train|:test|:all], "
                  "DIR[:train|:val|:test] with DIR/train.csv)"));
}

NamedData load_for_model(const std::string& name, const ModelInfo& info, DataOptions opt, const char* who) {
  const Shape& in = info.input;
  opt.label_offset = info.label_offset;
  opt.classes = info.classes;
  if (in.nd == 3) opt.channels = int(in[0]), opt.height = int(in[1]), opt.width = int(in[2]);
  NamedData d = load_named(name, "test", opt);
  OG_CHECK(d.input == in, who, ": the model expects inputs ", in, ", ", name, " has ", d.input);
  for (size_t i = 0; i < d.data.y.size(); ++i)
    OG_CHECK(d.data.y[i] >= 0 && d.data.y[i] < info.classes, who, ": label ", d.data.y[i] + info.label_offset,
             " of example ", i, " in ", name, " is outside the model's classes");
  prepare_inputs(d.data.x, info);
  return d;
}

void prepare_inputs(Tensor& x, const ModelInfo& info) {
  if (!info.feature_mean.empty()) {
    OG_CHECK(x.shape().nd == 2 && x.shape()[1] == int64_t(info.feature_mean.size()), "inputs ", x.shape(),
             " do not have the model's ", info.feature_mean.size(), " features");
    Standardizer{info.feature_mean, info.feature_std}.apply(x);
  } else {
    normalize(x, info.norm_mean, info.norm_std);
  }
}

Dataset demo_dataset(bool train) {
  const int64_t N = train ? 4000 : 1000, F = 8;
  Rng rng(train ? 2024 : 2025);
  Dataset d{Tensor::empty({N, F}), std::vector<int>(N), {}};
  for (int64_t i = 0; i < N; ++i) {
    float* x = d.x.data() + i * F;
    for (int64_t f = 0; f < F; ++f) x[f] = rng.normal();
    const float s = x[0] + 0.5f * x[1] - 0.5f * x[2] + 0.4f * x[3] * x[4] +
                    0.3f * std::sin(3.0f * x[5]) + 0.2f * rng.normal();
    const float t = std::max(0.0f, s + 1.2f);
    d.y[i] = std::min(9, static_cast<int>(1.2f * t * t));
  }
  return d;
}

}  // namespace og
