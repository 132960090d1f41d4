// `--data DIR` with one sub-folder per label, through the subcommands: the split written
// to the run directory, training from it again bit for bit, eval/predict reproducing the
// split from the model, named classes, --image-size HxW, and every bad case.
#include <doctest/doctest.h>

#include <stb/stb_image_write.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "apps/commands.h"
#include "core/check.h"
#include "core/serialize.h"
#include "model/data.h"
#include "model/model.h"
#include "tests/helpers.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// DIR/<name>/i.png for each class name: 8 x 10 gray images whose brightness grows with
// the class (plus per-image noise), `per_class` each, and three stray files.
void make_folders(const std::string& dir, const std::vector<std::string>& names, int per_class) {
  Rng rng(11);
  for (size_t k = 0; k < names.size(); ++k) {
    fs::create_directories(dir + "/" + names[k]);
    for (int i = 0; i < per_class; ++i) {
      std::vector<unsigned char> p(80);
      for (unsigned char& v : p) v = static_cast<unsigned char>(40 + 60 * k + rng.below(40));
      const std::string path = dir + "/" + names[k] + "/" + std::to_string(i) + ".png";
      REQUIRE(stbi_write_png(path.c_str(), 10, 8, 1, p.data(), 10) != 0);
    }
  }
  write_text(dir + "/.DS_Store", "mac");
  write_text(dir + "/" + names[0] + "/Thumbs.db", "windows");
  write_text(dir + "/" + names[1] + "/notes.txt", "notes");
}

std::vector<std::string> train_args(const std::string& data, const std::string& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> w = {"ordgrad", "train", "--data", data, "--model", "linear", "--loss", "ce", "--epochs", "2",
                                "--batch", "8", "--lr", "0.1", "--image-size", "6x5", "--out", out, "--quiet"};
  w.insert(w.end(), extra.begin(), extra.end());
  return w;
}

// Every parameter and buffer of two model files, bit for bit.
bool same_weights(const std::string& a, const std::string& b) {
  const Checkpoint ca = load_checkpoint(a), cb = load_checkpoint(b);
  int compared = 0;
  for (const auto& [name, t] : ca.tensors) {
    const Tensor* u = cb.find(name);
    if (u == nullptr || !test::bit_equal(t, *u)) return false;
    ++compared;
  }
  return compared > 0 && compared == int(cb.tensors.size());
}

// Runs the binary with stdout and stderr into files; the exit status.
int run_bin(const char* bin, const std::string& args, const test::TempDir& tmp, std::string& out, std::string& err) {
  const int status = std::system((std::string(bin) + " " + args + " >" + tmp.file("out.txt") + " 2>" + tmp.file("err.txt")).c_str());
  out = test::read_file(tmp.file("out.txt"));
  err = test::read_file(tmp.file("err.txt"));
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("label folders: train writes the split; training from those manifests gives the same weights") {
  test::TempDir tmp;
  const std::string data = tmp.file("data");
  make_folders(data, {"0", "1", "2"}, 12);
  const std::vector<std::string> split = {"--split", "0.5,0.25,0.25", "--split-seed", "3"};
  REQUIRE(test::run_command(cli::run_train, train_args(data, tmp.file("a"), split)) == 0);
  for (const char* f : {"train.csv", "val.csv", "test.csv", "model.ogm", "best.ogm", "log.csv"})
    CHECK(fs::exists(tmp.file("a") + "/" + f));
  CHECK_FALSE(fs::exists(tmp.file("a/skipped.txt")));
  const std::string manifest = test::read_file(tmp.file("a/test.csv"));
  CHECK(std::count(manifest.begin(), manifest.end(), '\n') == 1 + 9);  // header + 3 of 12 per class

  // The same split from the manifests (same seed for the model): the weights agree bit for
  // bit. The files themselves differ only in the folder split's metadata (data_split).
  REQUIRE(test::run_command(cli::run_train, train_args(tmp.file("a"), tmp.file("b"), {"--split-seed", "3"})) == 0);
  CHECK(same_weights(tmp.file("a/model.ogm"), tmp.file("b/model.ogm")));
  const Checkpoint ma = load_checkpoint(tmp.file("a/model.ogm")), mb = load_checkpoint(tmp.file("b/model.ogm"));
  CHECK(ma.meta.at("data_split") == "0.5,0.25,0.25");
  CHECK(ma.meta.at("data_split_seed") == "3");
  CHECK(mb.meta.count("data_split") == 0);
  std::map<std::string, std::string> rest = ma.meta;
  rest.erase("data_split");
  rest.erase("data_split_seed");
  CHECK(rest == mb.meta);
  // A different seed is a different split, so different weights: the comparison can fail.
  REQUIRE(test::run_command(cli::run_train, train_args(data, tmp.file("c"), {"--split", "0.5,0.25,0.25", "--split-seed", "4"})) == 0);
  CHECK_FALSE(same_weights(tmp.file("a/model.ogm"), tmp.file("c/model.ogm")));

  // eval/predict: DIR (the model's split, no flags), DIR with the flags, and the run
  // directory's test.csv are the same rows.
  const Model m = load_model(tmp.file("a/model.ogm"));
  CHECK(m.info.input == Shape({1, 6, 5}));
  const NamedData d1 = load_for_model(data, m.info, {}, "eval");
  const NamedData d2 = load_for_model(tmp.file("a") + ":test", m.info, {}, "eval");
  DataOptions given;
  given.split = "0.5,0.25,0.25";
  given.split_seed = 3;
  given.split_seed_given = true;
  const NamedData d3 = load_for_model(data + ":test", m.info, given, "eval");
  REQUIRE(d1.paths.size() == 9);
  REQUIRE(d2.paths.size() == 9);
  for (size_t i = 0; i < 9; ++i) {
    CHECK(fs::equivalent(d1.paths[i], d2.paths[i]));
    CHECK(d1.paths[i] == d3.paths[i]);
  }
  CHECK(d1.data.y == d2.data.y);
  CHECK(test::bit_equal(d1.data.x, d2.data.x));
  given.split_seed = 4;  // another seed given on the command line wins over the model's
  CHECK(load_for_model(data + ":test", m.info, given, "eval").paths != d1.paths);

  const std::vector<std::string> pred = {"ordgrad", "predict", "--model", tmp.file("a/model.ogm"), "--limit", "1"};
  auto with = [](std::vector<std::string> w, std::vector<std::string> extra) {
    w.insert(w.end(), extra.begin(), extra.end());
    return w;
  };
  REQUIRE(test::run_command(cli::run_predict, with(pred, {"--data", data, "--csv", tmp.file("p1.csv")})) == 0);
  REQUIRE(test::run_command(cli::run_predict, with(pred, {"--data", tmp.file("a") + ":test", "--csv", tmp.file("p2.csv")})) == 0);
  auto without_paths = [](const std::string& csv) {  // the path column is spelled differently
    std::string out;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);) {
      const size_t a = line.find(','), b = line.find(',', a + 1);
      out += line.substr(0, a) + line.substr(b) + "\n";
    }
    return out;
  };
  CHECK(without_paths(test::read_file(tmp.file("p1.csv"))) == without_paths(test::read_file(tmp.file("p2.csv"))));
  // Groups of consecutive test items work on folders too (9 items: 4 groups of 2).
  CHECK(test::run_command(cli::run_eval, {"ordgrad", "eval", "--model", tmp.file("a/model.ogm"), "--data", data,
                                          "--group", "2", "--json"}) == 0);
}

TEST_CASE("label folders: named classes in order are recorded in the model and printed by predict") {
  test::TempDir tmp;
  const std::string data = tmp.file("data");
  make_folders(data, {"low", "mid", "high"}, 8);
  CHECK_THROWS_WITH_AS(test::run_command(cli::run_train, train_args(data, tmp.file("r"))),
                       doctest::Contains("is not named by an integer label"), Error);
  CHECK(has(test::error_of([&] { test::run_command(cli::run_train, train_args(data, tmp.file("r"), {"--label-order", "low,high"})); }),
            "'" + data + "/mid' is not one of the classes of the label order low,high"));
  CHECK_FALSE(fs::exists(tmp.file("r")));
  REQUIRE(test::run_command(cli::run_train, train_args(data, tmp.file("r"), {"--label-order", "low,mid,high"})) == 0);
  const Model m = load_model(tmp.file("r/model.ogm"));
  CHECK(m.info.label_names == std::vector<std::string>{"low", "mid", "high"});
  CHECK(class_label(m.info, 2) == "high");
  // Classes in the manifest are the positions; the model's names map DIR's folders back.
  CHECK(has(test::read_file(tmp.file("r/train.csv")), "/high/"));
  REQUIRE(test::run_command(cli::run_predict, {"ordgrad", "predict", "--model", tmp.file("r/model.ogm"), "--data", data,
                                               "--csv", tmp.file("p.csv"), "--limit", "1"}) == 0);
  const std::string csv = test::read_file(tmp.file("p.csv"));
  CHECK(std::regex_search(csv, std::regex(R"(/(low|mid|high)/[0-9]+\.png,(low|mid|high),(low|mid|high),)")));
}

TEST_CASE("label folders: --skip-bad, stray files and the bad cases, each one clear line") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  const std::string data = tmp.file("data");
  make_folders(data, {"0", "1"}, 10);
  std::string out, err;
  const std::string base = "train --data " + data + " --model linear --epochs 1 --batch 8 --image-size 6 --quiet --out ";
  REQUIRE(run_bin(bin, base + tmp.file("ok"), tmp, out, err) == 0);
  CHECK(has(out, "skipped 3 non-image files in " + data));

  write_text(data + "/1/broken.png", "\x89PNG\r\n\x1a\n cut");
  CHECK(run_bin(bin, base + tmp.file("bad"), tmp, out, err) == 1);
  CHECK(err == "ordgrad: load_folder: '" + data + "/1/broken.png': cannot decode image: truncated PNG: chunk 0 at byte 8 is cut off (no IEND chunk)\n");
  CHECK_FALSE(fs::exists(tmp.file("bad")));  // nothing written

  // Train decodes all three parts, so wherever broken.png lands it is skipped and listed.
  for (const std::string split : {"0.5,0.5,0", "0.4,0.2,0.4"}) {
    INFO(split, ": ", err);
    REQUIRE(run_bin(bin, base + tmp.file("skip") + " --skip-bad --split " + split, tmp, out, err) == 0);
  CHECK(has(out, "skipped 1 image that could not be loaded (--skip-bad; listed in " + tmp.file("skip") + "/skipped.txt)"));
    CHECK(has(test::read_file(tmp.file("skip/skipped.txt")), "broken.png"));
  }
  fs::remove(data + "/1/broken.png");

  // A failure while writing the manifests leaves no run files at all.
  fs::create_directories(tmp.file("full/test.csv"));
  CHECK(run_bin(bin, base + tmp.file("full"), tmp, out, err) == 1);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(has(err, "test.csv"));
  for (const auto& e : fs::directory_iterator(tmp.file("full"))) CHECK(e.path().filename() == "test.csv");

  // Resuming with another split is refused before anything is written.
  CHECK(run_bin(bin, base + tmp.file("ok") + " --split-seed 9 --epochs 2 --resume " + tmp.file("ok/checkpoint.ogm"), tmp,
                out, err) == 1);
  CHECK(has(err, "holds another split"));

  fs::create_directories(data + "/2");
  CHECK(run_bin(bin, base + tmp.file("e"), tmp, out, err) == 1);
  CHECK(err == "ordgrad: load_folder: label folder '" + data + "/2' has no images (.png, .jpg, .jpeg or .bmp files)\n");
  fs::remove(data + "/2");

  for (const char* size : {"6x", "x6", "0", "6x5x2", "abc", "-4", "6 x5"}) {
    INFO(size);
    CHECK(run_bin(bin, base + tmp.file("s") + " --image-size '" + size + "'", tmp, out, err) == 1);
    CHECK(err == std::string("ordgrad: train: --image-size expects H or HxW (height x width, integers 1..16384), got '") +
                     size + "'\n");
  }
  CHECK(run_bin(bin, base + tmp.file("s") + " --split 0.8,0.3", tmp, out, err) == 1);
  CHECK(has(err, "split '0.8,0.3': needs three numbers"));
  CHECK(run_bin(bin, base + tmp.file("s") + " --channels 2", tmp, out, err) == 1);
  CHECK(err == "ordgrad: train: --channels must be 1 or 3, got 2\n");
}
