// Label folders (io/folders.h): the walk, stray and bad files, label orders, the
// stratified split, manifests written and read back, and all-or-none file writes.
#include <doctest/doctest.h>

#include <stb/stb_image_write.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/check.h"
#include "io/folders.h"
#include "tests/helpers.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A w x h gray PNG of one shade.
void write_png(const std::string& path, int shade, int w = 4, int h = 3) {
  fs::create_directories(fs::path(path).parent_path());
  std::vector<unsigned char> p(size_t(w) * h, static_cast<unsigned char>(shade));
  REQUIRE(stbi_write_png(path.c_str(), w, h, 1, p.data(), w) != 0);
}

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

ImageOptions opts(int h, int w, bool skip_bad = false) {
  ImageOptions o;
  o.height = h;
  o.width = w;
  o.skip_bad = skip_bad;
  return o;
}

}  // namespace

TEST_CASE("folders: the walk sorts by label then name, and counts stray files") {
  test::TempDir tmp;
  const std::string root = tmp.file("d");
  write_png(root + "/10/a.png", 1);
  write_png(root + "/2/b.png", 2);
  write_png(root + "/2/a.PNG", 3);
  write_png(root + "/0/z.png", 4);
  write_text(root + "/0/.DS_Store", "junk");
  write_text(root + "/2/Thumbs.db", "junk");
  write_text(root + "/10/notes.txt", "junk");
  write_text(root + "/readme.txt", "top-level file");
  fs::create_directories(root + "/.git/objects");  // hidden folders pass silently
  fs::create_directories(root + "/10/nested");     // a folder inside a label is not an image either
  const LabelFolders f = scan_label_folders(root);
  CHECK(f.labels == std::vector<int>{0, 2, 2, 10});
  CHECK(f.classes == 11);
  REQUIRE(f.paths.size() == 4);
  CHECK(fs::path(f.paths[1]).filename() == "a.PNG");
  CHECK(fs::path(f.paths[2]).filename() == "b.png");
  CHECK(f.skipped.size() == 5);
  CHECK(f.names.empty());
}

TEST_CASE("folders: a label order names the classes; other folder names are one clear error") {
  test::TempDir tmp;
  const std::string root = tmp.file("d");
  write_png(root + "/high/a.png", 1);
  write_png(root + "/low/a.png", 2);
  write_png(root + "/mid/a.png", 3);
  const LabelFolders f = scan_label_folders(root, parse_label_order("low,mid,high"));
  CHECK(f.labels == std::vector<int>{0, 1, 2});
  CHECK(f.names == std::vector<std::string>{"low", "mid", "high"});
  CHECK(fs::path(f.paths[0]).parent_path().filename() == "low");

  std::string e = test::error_of([&] { scan_label_folders(root); });
  CHECK(has(e, "'" + root + "/"));
  CHECK(has(e, "is not named by an integer label"));
  e = test::error_of([&] { scan_label_folders(root, parse_label_order("low,high")); });
  CHECK(has(e, "'" + root + "/mid' is not one of the classes of the label order low,high"));
  CHECK(e.find('\n') == std::string::npos);

  CHECK(has(test::error_of([] { parse_label_order("low,,high"); }), "name 2 is empty"));
  CHECK(has(test::error_of([] { parse_label_order("low,low"); }), "'low' appears twice"));
  CHECK(has(test::error_of([] { parse_label_order("only"); }), "at least 2 classes"));
  CHECK(has(test::error_of([] { parse_label_order("a/b,c"); }), "not a plain folder name"));
  CHECK(has(test::error_of([] { parse_label_order("a\"b,c"); }), "not a plain folder name"));
}

TEST_CASE("folders: an empty label folder, no label folders, a negative label are errors naming them") {
  test::TempDir tmp;
  write_png(tmp.file("d/0/a.png"), 1);
  write_text(tmp.file("d/1/.DS_Store"), "junk");  // only a stray file: still empty
  std::string e = test::error_of([&] { scan_label_folders(tmp.file("d")); });
  CHECK(has(e, "label folder '" + tmp.file("d/1") + "' has no images"));
  write_text(tmp.file("flat/a.txt"), "x");
  CHECK(has(test::error_of([&] { scan_label_folders(tmp.file("flat")); }), "has no label folders"));
  write_png(tmp.file("neg/-1/a.png"), 1);
  CHECK(has(test::error_of([&] { scan_label_folders(tmp.file("neg")); }), "label -1 is negative"));
  CHECK(has(test::error_of([&] { scan_label_folders(tmp.file("none")); }), "' not found"));
}

TEST_CASE("folders: split fractions parse, and bad text is one clear error") {
  const SplitFractions s = parse_split("0.7,0.2,0.1");
  CHECK(s.train == 0.7);
  CHECK(s.val == 0.2);
  CHECK(s.test == 0.1);
  CHECK(parse_split("1,0,0").val == 0);
  for (const char* bad : {"0.8,0.1", "0.8,0.1,0.1,0", "0.8,0.1,0.2", "a,0.5,0.5", "0,0.5,0.5", "-0.1,0.6,0.5",
                          "0.8,0.1,0.1,", ""}) {
    INFO(bad);
    const std::string e = test::error_of([&] { parse_split(bad); });
    CHECK(has(e, cat("split '", bad, "'")));
  }
}

TEST_CASE("folders: the split is stratified, a partition, seeded, and mixes labels in each part") {
  std::vector<int> labels;
  const std::vector<int> sizes = {40, 7, 1, 23};  // class 2 has one item
  for (int c = 0; c < int(sizes.size()); ++c) labels.insert(labels.end(), size_t(sizes[size_t(c)]), c);
  const SplitFractions fr = parse_split("0.6,0.25,0.15");
  const FolderSplit a = split_stratified(labels, fr, 7), b = split_stratified(labels, fr, 7);
  const FolderSplit c = split_stratified(labels, fr, 8);
  CHECK(a.train == b.train);
  CHECK(a.val == b.val);
  CHECK(a.test == b.test);
  CHECK(a.train != c.train);

  std::set<int64_t> all;
  for (const auto* part : {&a.train, &a.val, &a.test})
    for (int64_t i : *part) CHECK(all.insert(i).second);  // no item twice
  CHECK(all.size() == labels.size());
  // Per class: round(n * 0.6) in train, round(n * 0.85) - that in val, the rest in test.
  for (int k = 0; k < int(sizes.size()); ++k) {
    const int n = sizes[size_t(k)];
    auto count = [&](const std::vector<int64_t>& part) {
      return std::count_if(part.begin(), part.end(), [&](int64_t i) { return labels[size_t(i)] == k; });
    };
    const long in_train = std::lround(n * 0.6), upto_val = std::lround(n * 0.85);
    CHECK(count(a.train) == in_train);
    CHECK(count(a.val) == upto_val - in_train);
    CHECK(count(a.test) == n - upto_val);
  }
  // The parts are not listed class by class: consecutive items mix labels.
  bool mixed = false;
  for (size_t i = 1; i < a.train.size(); ++i) mixed = mixed || labels[size_t(a.train[i])] < labels[size_t(a.train[i - 1])];
  CHECK(mixed);
  CHECK(&a.part("val") == &a.val);
  CHECK(has(test::error_of([&] { a.part("all"); }), "is not train, val or test"));
}

TEST_CASE("folders: manifests read back as the same files and labels, odd names quoted") {
  test::TempDir tmp;
  write_png(tmp.file("data/3/a, \"b\".png"), 10);
  write_png(tmp.file("data/0/ c.png"), 20);
  write_png(tmp.file("data/0/d.png"), 30);
  const LabelFolders f = scan_label_folders(tmp.file("data"));
  fs::create_directories(tmp.file("run"));
  const std::string text = manifest_text(f.paths, f.labels, {2, 0, 1}, tmp.file("run"));
  CHECK(text.rfind("path,label\n", 0) == 0);
  CHECK(!has(text, tmp.path.string()));  // relative to the run directory
  write_text(tmp.file("run/m.csv"), text);
  const ImageData m = load_manifest(tmp.file("run/m.csv"), opts(3, 4));
  REQUIRE(m.paths.size() == 3);
  const std::vector<int64_t> rows = {2, 0, 1};
  for (size_t i = 0; i < 3; ++i) {
    CHECK(fs::equivalent(m.paths[i], f.paths[size_t(rows[i])]));
    CHECK(m.labels[i] == f.labels[size_t(rows[i])]);
  }
}

TEST_CASE("folders: skip_bad leaves out unreadable images and records them; without it one error names the file") {
  test::TempDir tmp;
  write_png(tmp.file("d/0/a.png"), 10);
  write_text(tmp.file("d/0/b.png"), "not a png");
  write_png(tmp.file("d/1/c.png"), 30);
  write_png(tmp.file("d/1/d.png"), 40);
  {  // a PNG cut short
    write_png(tmp.file("d/1/e.png"), 50, 16, 16);
    const std::string bytes = test::read_file(tmp.file("d/1/e.png"));
    write_text(tmp.file("d/1/e.png"), bytes.substr(0, bytes.size() / 2));
  }
  const std::string e = test::error_of([&] { load_folder(tmp.file("d"), opts(3, 4)); });
  CHECK(has(e, "load_folder: '" + tmp.file("d/0/b.png") + "': cannot decode image"));
  CHECK(e.find('\n') == std::string::npos);

  const ImageData d = load_folder(tmp.file("d"), opts(3, 4, true));
  CHECK(d.labels == std::vector<int>{0, 1, 1});
  REQUIRE(d.paths.size() == 3);
  CHECK(d.images.shape() == Shape({3, 1, 3, 4}));
  CHECK(d.images[0] == 10 / 255.0f);
  CHECK(d.images[12] == 30 / 255.0f);  // the third image moved up to second place
  CHECK(d.images[24] == 40 / 255.0f);
  REQUIRE(d.skipped.size() == 2);
  CHECK(has(d.skipped[0], "b.png"));
  CHECK(has(d.skipped[1], "e.png"));

  write_text(tmp.file("bad/0/x.png"), "no");
  CHECK(has(test::error_of([&] { load_folder(tmp.file("bad"), opts(3, 4, true)); }), "no image could be decoded"));
}

TEST_CASE("folders: write_files_all_or_none leaves the old files when one write fails") {
  test::TempDir tmp;
  write_text(tmp.file("a.csv"), "old a");
  fs::create_directories(tmp.file("c.csv"));  // a directory: the rename onto it fails
  const std::string e = test::error_of([&] {
    write_files_all_or_none({{tmp.file("a.csv"), "new a"}, {tmp.file("b.csv"), "new b"}, {tmp.file("c.csv"), "c"}});
  });
  CHECK(has(e, "c.csv"));
  CHECK(test::read_file(tmp.file("a.csv")) == "old a");
  CHECK_FALSE(fs::exists(tmp.file("b.csv")));
  for (const std::string& name : tmp.listing()) CHECK(name.find(".tmp.") == std::string::npos);
  write_files_all_or_none({{tmp.file("a.csv"), "new a"}, {tmp.file("b.csv"), "new b"}});
  CHECK(test::read_file(tmp.file("a.csv")) == "new a");
  CHECK(test::read_file(tmp.file("b.csv")) == "new b");
}
