// Dependencies run one way: core <- {layers, losses, io, optim} <- model <- ordgrad.h
// <- apps <- fuzz, where ordgrad.h is the umbrella header at the root (installed as
// <ordgrad/ordgrad.h>). Reads every #include "dir/..." (and "ordgrad.h") line of the
// library, the umbrella and the tool, and fails on an edge that runs back (or
// sideways between the four middle directories).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "helpers.h"

namespace fs = std::filesystem;

namespace {

// Rank of each directory (and of the root's umbrella header, a one-file "directory");
// a file may include its own directory and lower ranks.
const std::map<std::string, int> kRank = {{"core", 0},  {"layers", 1},    {"losses", 1}, {"io", 1},
                                          {"optim", 1}, {"model", 2},     {"ordgrad.h", 3},
                                          {"apps", 4},  {"fuzz", 5}};
const char* const kLibraryDirs[] = {"core", "layers", "losses", "optim", "io", "model"};

std::string top_dir(const std::string& path) { return path.substr(0, path.find('/')); }

// path -> text of every source file under the ranked directories (and ordgrad.h).
std::map<std::string, std::string> sources() {
  std::map<std::string, std::string> out;
  for (const auto& [dir, rank] : kRank) {
    if (!fs::exists(dir)) continue;
    if (fs::is_regular_file(dir)) {
      out[dir] = og::test::read_file(dir);
      continue;
    }
    for (const auto& f : fs::recursive_directory_iterator(dir)) {
      const std::string ext = f.path().extension().string();
      if (ext == ".h" || ext == ".cpp") out[f.path().generic_string()] = og::test::read_file(f.path().string());
    }
  }
  return out;
}

// "file: includes dir/x.h (rank a -> rank b)" for every include that runs back.
std::vector<std::string> back_edges(const std::map<std::string, std::string>& files) {
  std::vector<std::string> bad;
  // "dir/rest" or the umbrella "ordgrad.h" (its own top "directory", with rest empty).
  const std::regex inc(R"(^\s*#\s*include\s*\"(ordgrad\.h|([a-z_]+)/([^\"]+))\")");
  for (const auto& [path, text] : files) {
    const std::string from = top_dir(path);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (!std::regex_search(line, m, inc)) continue;
      const std::string to = m[2].matched ? std::string(m[2]) : std::string(m[1]);
      if (to == from || !kRank.count(to)) continue;
      if (kRank.at(to) >= kRank.at(from))
        bad.push_back(path + ": includes " + std::string(m[1]) + " (" + from + " may include only " +
                      (kRank.at(from) == 0 ? std::string("itself") : "lower layers") + ")");
    }
  }
  return bad;
}

}  // namespace

TEST_CASE("includes run one way: core <- layers, losses, io, optim <- model <- apps") {
  const auto files = sources();
  REQUIRE(files.size() > 100);  // run from the repository root
  const std::vector<std::string> bad = back_edges(files);
  for (const std::string& b : bad) FAIL_CHECK(b);
  CHECK(bad.empty());
}

TEST_CASE("the include-order check bites: a planted back edge fails it") {
  auto files = sources();
  REQUIRE(files.count("core/tensor.h"));
  files["core/tensor.h"] += "\n#include \"losses/loss.h\"\n";      // core -> losses
  files["layers/linear.cpp"] += "\n#include \"losses/spec.h\"\n";  // sideways
  files["io/prefetch.h"] += "\n#include \"model/trainer.h\"\n";    // io -> model
  files["model/model.cpp"] += "\n#include \"apps/args.h\"\n";      // model -> apps
  files["model/trainer.h"] += "\n#include \"ordgrad.h\"\n";        // model -> umbrella
  files["ordgrad.h"] += "\n#include \"apps/commands.h\"\n";        // umbrella -> apps
  const std::vector<std::string> bad = back_edges(files);
  REQUIRE(bad.size() == 6);
  CHECK(bad[0].find("core/tensor.h: includes losses/loss.h") == 0);
  CHECK(bad[4].find("model/trainer.h: includes ordgrad.h") == 0);
  CHECK(bad[5].find("ordgrad.h: includes apps/commands.h") == 0);
}

// Header paths of the library directories that ordgrad.h neither includes nor names
// (in its comment) as left out on purpose.
std::vector<std::string> headers_missing_from_umbrella(const std::map<std::string, std::string>& files) {
  std::vector<std::string> missing;
  const std::string& umbrella = files.at("ordgrad.h");
  for (const auto& [path, text] : files) {
    const std::string dir = top_dir(path);
    const bool library = std::find(std::begin(kLibraryDirs), std::end(kLibraryDirs), dir) != std::end(kLibraryDirs);
    if (library && fs::path(path).extension() == ".h" && umbrella.find(path) == std::string::npos)
      missing.push_back(path);
  }
  return missing;
}

TEST_CASE("ordgrad.h includes every library header or names it as left out") {
  const auto files = sources();
  REQUIRE(files.count("ordgrad.h"));
  for (const std::string& h : headers_missing_from_umbrella(files))
    FAIL_CHECK(h << ": neither included by ordgrad.h nor named there as left out (add a line to ordgrad.h)");
}

TEST_CASE("the umbrella check bites: a new header and a dropped line are reported") {
  auto files = sources();
  files["model/brand_new.h"] = "#pragma once\n";
  const std::string line = "#include \"optim/sgd.h\"";
  std::string& umbrella = files["ordgrad.h"];
  REQUIRE(umbrella.find(line) != std::string::npos);
  umbrella.erase(umbrella.find(line), line.size());
  const std::vector<std::string> missing = headers_missing_from_umbrella(files);
  CHECK(missing == std::vector<std::string>{"model/brand_new.h", "optim/sgd.h"});
}
