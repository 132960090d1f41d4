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
#include <utility>
#include <fstream>
#include <sstream>

#include "io/idx.h"
#include "core/rng.h"
#include "core/atomic_file.h"
#include "io/folders.h"
#include "io/images.h"
#include "io/stream.h"

namespace og {

namespace {
bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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

namespace {
ImageOptions image_options(const DataOptions& opt) {
  ImageOptions o{opt.channels, opt.height, opt.width};
  o.skip_bad = opt.skip_bad;
  o.list_only = opt.stream;
  return o;
}

// What every image source sets: pixels, labels, classes (the model's or 0..max), the
// normalisation a new model starts from.
NamedData image_data(ImageData im, const std::string& where, const DataOptions& opt, int classes) {
  NamedData d;
  d.data = Dataset{im.images, im.labels, {}, nullptr};
  if (opt.stream) {
    auto src = std::make_shared<ImageSource>();
    src->paths = im.paths;
    src->options = ImageOptions{opt.channels, opt.height, opt.width};
    src->who = "--stream";
    d.data.source = src;
  }
  d.input = Shape{opt.channels, opt.height, opt.width};
  int max_label = 0;
  for (int y : im.labels) max_label = std::max(max_label, y);
  d.classes = opt.classes > 0 ? opt.classes : std::max(classes, max_label + 1);
  for (size_t i = 0; i < im.labels.size(); ++i)
    OG_CHECK(im.labels[i] < d.classes, where, ": label ", im.labels[i], " of ", im.paths[i],
             " is outside the ", d.classes, " classes");
  d.norm_mean = 0.5f;
  d.norm_std = 0.25f;
  d.groups = im.groups;
  d.paths = im.paths;
  d.skipped_images = im.skipped;
  return d;
}

bool has_manifests(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/train.csv", ec);
}

// The scan and split of label folders `dir` (io/folders.h); rows of `part` ("all": every image).
// The fractions of a label-folder split: the given ones, else the default.
std::string split_text(const DataOptions& opt) { return opt.split.empty() ? "0.8,0.1,0.1" : opt.split; }

// "name[:split]" -> name and split (fallback when none); a colon inside a path
// (followed by a '/') is part of the name.
std::pair<std::string, std::string> parse_spec(const std::string& spec, const std::string& fallback) {
  size_t colon = spec.rfind(':');
  if (colon != std::string::npos && spec.find('/', colon) != std::string::npos) colon = std::string::npos;
  return {spec.substr(0, colon), colon == std::string::npos ? fallback : spec.substr(colon + 1)};
}

struct FolderRows {
  LabelFolders folders;
  std::string split;          // the fractions' text
  std::vector<int64_t> rows;
};

FolderRows folder_rows(const std::string& dir, const std::string& part, const DataOptions& opt) {
  FolderRows r;
  r.folders = scan_label_folders(dir, opt.label_order);
  if (part == "all") {
    for (size_t i = 0; i < r.folders.paths.size(); ++i) r.rows.push_back(int64_t(i));
    return r;
  }
  r.split = split_text(opt);
  const FolderSplit s = split_stratified(r.folders.labels, parse_split(r.split), opt.split_seed);
  r.rows = s.part(part);
  OG_CHECK(!r.rows.empty(), "data '", dir, ":", part, "': the split ", r.split, " (seed ", opt.split_seed,
           ") puts no image of ", r.folders.paths.size(), " in ", part);
  return r;
}

NamedData load_label_folders(const std::string& dir, const std::string& part, const DataOptions& opt) {
  FolderRows r = folder_rows(dir, part, opt);
  std::vector<std::string> paths;
  std::vector<int> labels;
  for (int64_t i : r.rows) {
    paths.push_back(r.folders.paths[size_t(i)]);
    labels.push_back(r.folders.labels[size_t(i)]);
  }
  NamedData d = image_data(load_files(std::move(paths), std::move(labels), image_options(opt), "load_folder"),
                           "load_folder: '" + dir + "'", opt, r.folders.classes);
  d.label_names = r.folders.names;
  d.split = r.split;
  d.skipped_files = int64_t(r.folders.skipped.size());
  return d;
}
}  // namespace

NamedData load_images(const std::string& dir, const std::string& split, const DataOptions& opt) {
  if (!opt.stream && opt.stream_above_mb > 0) {
    // The file list alone says how much the decoded images would take.
    DataOptions listed = opt;
    listed.stream = true;
    listed.skip_bad = false;
    const NamedData d = load_images(dir, split, listed);
    const double mb = double(d.data.size()) * opt.channels * opt.height * opt.width * sizeof(float) / (1 << 20);
    if (mb > double(opt.stream_above_mb)) {
      listed.skip_bad = opt.skip_bad;
      return opt.skip_bad ? load_images(dir, split, listed) : d;
    }
  }
  if (!has_manifests(dir)) return load_label_folders(dir, split, opt);
  const std::string part = split == "all" ? "train" : split;
  const std::string manifest = dir + "/" + part + ".csv";
  return image_data(load_manifest(manifest, image_options(opt)), manifest, opt, 0);
}

bool write_data_split(const std::string& spec, const DataOptions& opt, const std::string& out,
                      const std::vector<std::string>& skipped, bool must_match) {
  const std::string dir = parse_spec(spec, "").first;
  const bool folders = is_directory(dir) && !has_manifests(dir);
  std::vector<std::pair<std::string, std::string>> files;
  if (folders) {
    FolderRows r = folder_rows(dir, "all", opt);
    const std::string split = split_text(opt);
    const FolderSplit s = split_stratified(r.folders.labels, parse_split(split), opt.split_seed);
    make_dirs(out);  // before manifest_text, which resolves paths relative to it
    for (const char* part : {"train", "val", "test"}) {
      const std::string path = out + "/" + part + ".csv";
      std::string text = manifest_text(r.folders.paths, r.folders.labels, s.part(part), out);
      std::error_code ec;
      OG_CHECK(!must_match || !std::filesystem::exists(path, ec) || read_text(path) == text, "'", path,
               "' holds another split than --data ", spec, " with split ", split, " and seed ", opt.split_seed,
               " (resume with the flags of the run)");
      files.emplace_back(path, std::move(text));
    }
  }
  if (!skipped.empty()) {
    std::string text;
    for (const std::string& line : skipped) text += line + "\n";
    files.emplace_back(out + "/skipped.txt", text);
  }
  if (files.empty()) return false;
  make_dirs(out);
  write_files_all_or_none(files);
  return folders;
}

NamedData load_named(const std::string& spec, const std::string& fallback_split, const DataOptions& opt) {
  const auto [name, split] = parse_spec(spec, fallback_split);
  OG_CHECK(split == "train" || split == "test" || split == "all" || split == "val", "data '", spec,
           "': unknown split '", split, "' (use :train, :val, :test or :all)");
  if (ends_with(name, ".csv")) return load_table(name, split, opt);
  if (is_directory(name)) return load_images(name, split, opt);
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
                  "DIR[:train|:val|:test] with DIR/train.csv or DIR/<label>/ folders)"));
}

NamedData load_for_model(const std::string& name, const ModelInfo& info, DataOptions opt, const char* who) {
  const Shape& in = info.input;
  opt.label_offset = info.label_offset;
  opt.classes = info.classes;
  if (in.nd == 3) opt.channels = int(in[0]), opt.height = int(in[1]), opt.width = int(in[2]);
  // Label folders are read as the model was trained on them: its class names, and its
  // split unless the caller gives another.
  if (opt.label_order.empty()) opt.label_order = info.label_names;
  if (!info.data_split.empty()) {
    if (opt.split.empty()) opt.split = info.data_split;
    if (!opt.split_seed_given) opt.split_seed = info.data_split_seed;
  }
  NamedData d = load_named(name, "test", opt);
  OG_CHECK(d.input == in, who, ": the model expects inputs ", in, ", ", name, " has ", d.input);
  for (size_t i = 0; i < d.data.y.size(); ++i)
    OG_CHECK(d.data.y[i] >= 0 && d.data.y[i] < info.classes, who, ": label ", d.data.y[i] + info.label_offset,
             " of example ", i, " in ", name, " is outside the model's classes");
  prepare_data(d.data, info);
  return d;
}

void prepare_data(Dataset& d, const ModelInfo& info, int64_t cache_bytes) {
  if (!d.source) {
    prepare_inputs(d.x, info);
    return;
  }
  OG_CHECK(info.feature_mean.empty(), "streamed inputs are images; the model standardises table features");
  OG_CHECK(std::isfinite(info.norm_mean) && std::isfinite(info.norm_std) && info.norm_std > 0.0f,
           "normalize: mean ", info.norm_mean, " and std ", info.norm_std, " must be finite with std > 0");
  auto src = std::make_shared<ImageSource>(*d.source);
  src->normalized = true;
  src->mean = info.norm_mean;
  src->std = info.norm_std;
  src->cache = cache_bytes > 0 ? std::make_shared<RowCache>(cache_bytes, src->row_floats(), src->size()) : nullptr;
  d.source = src;
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
