// Dependencies run one way: core <- {layers, losses, io, optim} <- model <- apps <- fuzz.
// Reads every #include "dir/..." line of the library and the tool, and fails on an
// edge that runs back (or sideways between the four middle directories).
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "helpers.h"

namespace fs = std::filesystem;

namespace {

// Rank of each directory; a file may include its own directory and lower ranks.
const std::map<std::string, int> kRank = {{"core", 0},  {"layers", 1}, {"losses", 1}, {"io", 1},
                                          {"optim", 1}, {"model", 2},  {"apps", 3},   {"fuzz", 4}};

std::string top_dir(const std::string& path) { return path.substr(0, path.find('/')); }

// path -> text of every source file under the ranked directories.
std::map<std::string, std::string> sources() {
  std::map<std::string, std::string> out;
  for (const auto& [dir, rank] : kRank) {
    if (!fs::exists(dir)) continue;
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
  const std::regex inc(R"(^\s*#\s*include\s*\"([a-z_]+)/([^\"]+)\")");
  for (const auto& [path, text] : files) {
    const std::string from = top_dir(path);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (!std::regex_search(line, m, inc)) continue;
      const std::string to = m[1];
      if (to == from || !kRank.count(to)) continue;
      if (kRank.at(to) >= kRank.at(from))
        bad.push_back(path + ": includes " + to + "/" + std::string(m[2]) + " (" + from + " may include only " +
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
  const std::vector<std::string> bad = back_edges(files);
  REQUIRE(bad.size() == 4);
  CHECK(bad[0].find("core/tensor.h: includes losses/loss.h") == 0);
}
