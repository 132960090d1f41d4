// helpers.h — small test utilities: random leaves and tensors, files, running the CLI.
#pragma once
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <stdexcept>
#include <vector>

#include "core/check.h"
#include "core/graph.h"
#include "core/rng.h"
#include "losses/loss.h"

namespace og::test {

inline Tensor randn(const Shape& s, Rng& rng, float sd = 1.0f) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = sd * rng.normal();
  return t;
}

inline Tensor uniform(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// Values with |x| in [margin, 2]: random sign, kept away from kinks at 0.
inline Tensor away_from_zero(const Shape& s, Rng& rng, float margin = 0.15f) {
  Tensor t = uniform(s, rng, margin, 2.0f);
  for (int64_t i = 0; i < t.numel(); ++i)
    if (rng.uniform() < 0.5f) t[i] = -t[i];
  return t;
}

// A file's bytes; "" if it cannot be opened (tests compare "no file" as "").
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The node names defined in the .cpp and .h files below `dirs` (relative to the
// repository root, where make test runs): the string a node's name() returns, or the
// first argument of the unary/binary/reduce_sum helpers of core/ops.
inline std::set<std::string> node_names_in(std::initializer_list<const char*> dirs) {
  const std::regex name_re(R"((?:name\(\) const override \{ return|unary\(|binary<\w+>\(|reduce_sum\()\s*\"(\w+)\")");
  std::set<std::string> names;
  for (const char* dir : dirs) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().extension() != ".cpp" && e.path().extension() != ".h") continue;
      const std::string text = read_file(e.path().string());
      for (std::sregex_iterator it(text.begin(), text.end(), name_re), end; it != end; ++it)
        names.insert((*it)[1]);
    }
  }
  return names;
}

// Calls a subcommand's run_* function with argv = words, as main() would.
inline int run_command(int (*cmd)(int, char**), std::vector<std::string> words) {
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  return cmd(static_cast<int>(argv.size()), argv.data());
}

// The ordgrad binary `make test` names in ORDGRAD_BIN; nullptr (with a note in the
// test's output) when it is not set, and the calling test skips itself.
inline const char* ordgrad_binary() {
  const char* bin = std::getenv("ORDGRAD_BIN");
  if (bin == nullptr) MESSAGE("ORDGRAD_BIN not set: skipped (make test sets it)");
  return bin;
}

// Runs `bin args` with stdout discarded and stderr into err_file; returns the exit
// status (-1 if a signal ended it) and puts the stderr text in err.
inline int run_binary(const char* bin, const std::string& args, const std::string& err_file, std::string& err) {
  const int status = std::system((std::string(bin) + " " + args + " >/dev/null 2>" + err_file).c_str());
  err = read_file(err_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline bool bit_equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  for (int64_t i = 0; i < a.numel(); ++i)
    if (std::memcmp(a.data() + i, b.data() + i, sizeof(float)) != 0) return false;
  return true;
}

// A loss target of labels in [0,K), with optional per-row weights.
inline LossTarget target(std::vector<int> labels, int K, std::vector<float> sample_weights = {}) {
  LossTarget t;
  t.labels = std::move(labels);
  t.K = K;
  t.sample_weights = std::move(sample_weights);
  return t;
}

// The message of the og::Error that f() throws, or "(no error)".
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ordgrad-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
};

// Runs `train` (cli::run_train; argv `common`) for 2 epochs into DIR/straight, and for 1 epoch
// into DIR/stopped followed by a --resume from its checkpoint up to epoch 2.
inline void train_straight_and_stopped(int (*train)(int, char**), const std::vector<std::string>& common,
                                       const TempDir& tmp) {
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> w = common;
    w.insert(w.end(), extra.begin(), extra.end());
    return w;
  };
  REQUIRE(run_command(train, with({"--epochs", "2", "--out", tmp.file("straight")})) == 0);
  REQUIRE(run_command(train, with({"--epochs", "1", "--out", tmp.file("stopped")})) == 0);
  REQUIRE(run_command(train, with({"--epochs", "2", "--out", tmp.file("stopped"), "--resume",
                                   tmp.file("stopped") + "/checkpoint.ogm"})) == 0);
}

}  // namespace og::test
