// folders.cpp — label folders, the stratified split and manifests (see folders.h).
#include "io/folders.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/check.h"
#include "core/rng.h"

namespace og {

namespace {

namespace fs = std::filesystem;

bool is_image_name(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp";
}

// An optionally signed decimal integer and nothing else (no spaces: a folder " 3" is a typo).
bool parse_label(const std::string& s, int& v) {
  const char* b = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  const char* e = s.data() + s.size();
  if (b == e) return false;
  const auto [end, ec] = std::from_chars(b, e, v);
  return ec == std::errc() && end == e;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

// A CSV field as RFC 4180 wants it: quoted when it holds a separator, a quote, a line
// break or edge blanks (load_manifest trims unquoted fields).
std::string csv_field(const std::string& s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t'));
  if (!quote) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string read_if_exists(const std::string& path, bool& exists) {
  std::error_code ec;
  exists = fs::is_regular_file(path, ec);
  if (!exists) return "";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<std::string> parse_label_order(const std::string& text) {
  std::vector<std::string> names(1);
  for (char c : text) {
    if (c == ',') names.emplace_back();
    else names.back() += c;
  }
  for (size_t k = 0; k < names.size(); ++k) {
    OG_CHECK(!names[k].empty(), "label order '", text, "': name ", k + 1, " is empty");
    // Names are folder names and also go into model files and JSON unescaped.
    bool plain = names[k][0] != '.';
    for (char c : names[k]) plain = plain && static_cast<unsigned char>(c) >= 0x20 && c != '/' && c != '"' && c != '\\';
    OG_CHECK(plain, "label order '", text, "': '", names[k],
             "' is not a plain folder name (no leading '.', '/', '\"', '\\' or control characters)");
    for (size_t j = 0; j < k; ++j)
      OG_CHECK(names[j] != names[k], "label order '", text, "': '", names[k], "' appears twice");
  }
  OG_CHECK(names.size() >= 2, "label order '", text, "': needs at least 2 classes");
  return names;
}

LabelFolders scan_label_folders(const std::string& dir, const std::vector<std::string>& order) {
  std::error_code ec;
  OG_CHECK(fs::is_directory(dir, ec), "load_folder: '", dir,
           fs::exists(dir, ec) ? "' is not a directory" : "' not found");
  struct LabelDir {
    int label;
    std::string name;
  };
  LabelFolders f;
  std::vector<LabelDir> label_dirs;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code ec2;
    const bool folder = it->is_directory(ec2);
    if (!folder) {
      f.skipped.push_back(it->path().string());
      continue;
    }
    if (name[0] == '.') continue;
    int label = 0;
    if (order.empty()) {
      OG_CHECK(parse_label(name, label), "load_folder: '", it->path().string(),
               "' is not named by an integer label (give the class names in order to use names: --label-order)");
      OG_CHECK(label >= 0, "load_folder: '", it->path().string(), "': label ", label,
               " is negative (labels are 0, 1, 2, ...)");
    } else {
      const auto k = std::find(order.begin(), order.end(), name);
      OG_CHECK(k != order.end(), "load_folder: '", it->path().string(), "' is not one of the classes of the label order ",
               join(order));
      label = int(k - order.begin());
    }
    label_dirs.push_back({label, name});
  }
  OG_CHECK(!ec, "load_folder: cannot list '", dir, "': ", ec.message());
  OG_CHECK(!label_dirs.empty(), "load_folder: '", dir,
           "' has no label folders (expected <dir>/<label>/<name>.png|jpg|jpeg|bmp, or <dir>/train.csv)");
  std::sort(label_dirs.begin(), label_dirs.end(), [](const LabelDir& a, const LabelDir& b) {
    return a.label != b.label ? a.label < b.label : a.name < b.name;
  });

  for (const LabelDir& ld : label_dirs) {
    const fs::path sub = fs::path(dir) / ld.name;
    std::vector<std::string> names;
    for (fs::directory_iterator it(sub, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::error_code ec2;
      const bool folder = it->is_directory(ec2);
      if (folder && name[0] == '.') continue;
      if (!folder && is_image_name(name) && name[0] != '.') names.push_back(name);
      else f.skipped.push_back(it->path().string());
    }
    OG_CHECK(!ec, "load_folder: cannot list '", sub.string(), "': ", ec.message());
    OG_CHECK(!names.empty(), "load_folder: label folder '", sub.string(),
             "' has no images (.png, .jpg, .jpeg or .bmp files)");
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      f.paths.push_back((sub / name).string());
      f.labels.push_back(ld.label);
    }
  }
  std::sort(f.skipped.begin(), f.skipped.end());
  f.names = order;
  f.classes = order.empty() ? label_dirs.back().label + 1 : int(order.size());
  return f;
}

SplitFractions parse_split(const std::string& text) {
  std::vector<double> v;
  std::stringstream s(text);
  std::string item;
  const auto bad = [&](const std::string& why) {
    return Error(cat("split '", text, "': ", why, " (expected TRAIN,VAL,TEST fractions summing to 1, e.g. 0.8,0.1,0.1)"));
  };
  while (std::getline(s, item, ',')) {
    char* end = nullptr;
    const double x = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(x) || x < 0) throw bad("'" + item + "' is not a fraction >= 0");
    v.push_back(x);
  }
  if (v.size() != 3 || text.back() == ',') throw bad("needs three numbers");
  if (std::fabs(v[0] + v[1] + v[2] - 1) > 1e-6) throw bad(cat("the fractions sum to ", v[0] + v[1] + v[2]));
  if (v[0] <= 0) throw bad("the training fraction must be > 0");
  return SplitFractions{v[0], v[1], v[2]};
}

const std::vector<int64_t>& FolderSplit::part(const std::string& name) const {
  OG_CHECK(name == "train" || name == "val" || name == "test", "split part '", name,
           "' is not train, val or test");
  return name == "train" ? train : name == "val" ? val : test;
}

FolderSplit split_stratified(const std::vector<int>& labels, const SplitFractions& fr, uint64_t seed) {
  const int64_t N = int64_t(labels.size());
  int max_label = -1;
  for (int y : labels) {
    OG_CHECK(y >= 0, "split_stratified: label ", y, " is negative");
    max_label = std::max(max_label, y);
  }
  std::vector<std::vector<int64_t>> by_class(size_t(max_label + 1));
  for (int64_t i = 0; i < N; ++i) by_class[size_t(labels[size_t(i)])].push_back(i);
  Rng rng(seed);
  std::vector<int> part(size_t(N), 0);
  for (std::vector<int64_t>& items : by_class) {
    rng.shuffle(items);
    const int64_t n = int64_t(items.size());
    const int64_t b1 = std::min(n, int64_t(std::llround(double(n) * fr.train)));
    const int64_t b2 = std::max(b1, std::min(n, int64_t(std::llround(double(n) * (fr.train + fr.val)))));
    for (int64_t j = 0; j < n; ++j) part[size_t(items[size_t(j)])] = j < b1 ? 0 : j < b2 ? 1 : 2;
  }
  std::vector<int64_t> order(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) order[size_t(i)] = i;
  rng.shuffle(order);
  FolderSplit s;
  for (int64_t i : order) (part[size_t(i)] == 0 ? s.train : part[size_t(i)] == 1 ? s.val : s.test).push_back(i);
  return s;
}

std::string manifest_text(const std::vector<std::string>& paths, const std::vector<int>& labels,
                          const std::vector<int64_t>& rows, const std::string& manifest_dir) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(manifest_dir), ec);
  std::string text = "path,label\n";
  for (int64_t i : rows) {
    std::error_code ec2;
    const fs::path image = fs::weakly_canonical(fs::absolute(paths[size_t(i)]), ec2);
    // Relative to the manifest when both resolve (load_manifest reads it so); else as given.
    std::string p = paths[size_t(i)];
    if (!ec && !ec2) {
      const fs::path rel = image.lexically_relative(base);
      p = rel.empty() ? image.string() : rel.string();
    }
    text += csv_field(p) + "," + std::to_string(labels[size_t(i)]) + "\n";
  }
  return text;
}

void write_files_all_or_none(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::pair<bool, std::string>> before;  // what to put back: existed?, old bytes
  for (size_t i = 0; i < files.size(); ++i) {
    bool existed = false;
    std::string old = read_if_exists(files[i].first, existed);
    try {
      write_text_atomic(files[i].first, files[i].second);
    } catch (const Error&) {
      for (size_t j = 0; j < i; ++j) {  // best effort: the error that matters is the first
        std::error_code ec;
        if (before[j].first) write_file_atomic(files[j].first, before[j].second.data(), before[j].second.size(), Sync::durable);
        else fs::remove(files[j].first, ec);
      }
      throw;
    }
    before.emplace_back(existed, std::move(old));
  }
}

ImageData load_folder(const std::string& dir, const ImageOptions& options) {
  LabelFolders f = scan_label_folders(dir);
  return load_files(std::move(f.paths), std::move(f.labels), options, "load_folder");
}

}  // namespace og
