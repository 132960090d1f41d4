// Crash-safe checkpoints: a child process saves a 4 MB checkpoint over and over and
// is killed with SIGKILL at random moments; after every kill the checkpoint path
// must load (the previous or a newer complete version, never a mix), and the temp
// files killed saves leave behind must not break the next save, which removes them.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/serialize.h"
#include "helpers.h"

using namespace og;

namespace {

constexpr int64_t kFloats = 1 << 20;  // 4 MB of data: a save takes a few milliseconds

// A checkpoint whose every float and whose "version" meta entry are both `version`,
// so a file mixing two saves would show.
void stamp(Checkpoint& ck, int64_t version) {
  ck.meta["version"] = std::to_string(version);
  ck.tensors[0].second.fill(static_cast<float>(version));
}

Checkpoint versioned(int64_t version) {
  Checkpoint ck;
  ck.meta["what"] = "kill test";
  ck.tensors.emplace_back("data", Tensor::empty({kFloats}));
  stamp(ck, version);
  return ck;
}

// The version a checkpoint file holds; fails the test if it is not self-consistent.
int64_t version_of(const std::string& path) {
  const Checkpoint ck = load_checkpoint(path);
  const int64_t v = ck.meta_int("version");
  const Tensor* t = ck.find("data");
  REQUIRE(t != nullptr);
  REQUIRE(t->numel() == kFloats);
  int64_t mixed = 0;
  for (int64_t i = 0; i < kFloats; ++i) mixed += (*t)[i] != static_cast<float>(v);
  CHECK(mixed == 0);
  return v;
}

int temp_files(const test::TempDir& dir) {
  int n = 0;
  for (const std::string& name : dir.listing()) n += name.find(".tmp.") != std::string::npos;
  return n;
}

// A child process that saves versions first, first + 1, ... of `ck` to `path` until
// killed. It writes one byte to its pipe when it starts and one after every
// completed save, so the parent can time it. Killed (and reaped) at scope exit.
struct SavingChild {
  pid_t pid = -1;
  int from_child = -1;
  SavingChild(Checkpoint& ck, const std::string& path, int64_t first) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      const char tick = 1;
      try {
        if (::write(fds[1], &tick, 1) != 1) ::_exit(4);
        for (int64_t v = first;; ++v) {
          stamp(ck, v);
          save_checkpoint(path, ck);
          if (::write(fds[1], &tick, 1) != 1) ::_exit(4);
        }
      } catch (...) {
      }
      ::_exit(3);  // a save failed: the parent sees a normal exit instead of SIGKILL
    }
    ::close(fds[1]);
    from_child = fds[0];
  }
  // Block until the child's next byte (its start, or a completed save).
  void wait_tick() {
    char tick = 0;
    REQUIRE(::read(from_child, &tick, 1) == 1);
  }
  // SIGKILL it and reap it; returns whether SIGKILL is what ended it.
  bool kill() {
    const pid_t p = pid;
    pid = -1;
    ::kill(p, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(p, &status, 0) == p);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
  ~SavingChild() {
    if (pid > 0) kill();
    ::close(from_child);
  }
};

double micros_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("SIGKILL at random moments of repeated saves never leaves an unloadable checkpoint (100 kills)") {
  test::TempDir dir;
  const std::string path = dir.file("checkpoint.ogm");
  Checkpoint ck = versioned(0);
  save_checkpoint(path, ck);
  REQUIRE(version_of(path) == 0);

  // Time a child's first save (from its start; it pays for copying the pages it
  // writes) and its second, to spread the kills from before the first save to the
  // middle of the third whatever the machine's speed and load.
  double first_us = 0, next_us = 0;
  {
    SavingChild timing(ck, path, 1);
    timing.wait_tick();
    const auto t0 = std::chrono::steady_clock::now();
    timing.wait_tick();
    first_us = micros_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    timing.wait_tick();
    next_us = micros_since(t1);
    CHECK(timing.kill());
  }
  int64_t last = version_of(path);
  REQUIRE(last >= 2);

  Rng rng(2024);
  int loadable = 0, killed_mid_save = 0, killed_after_a_save = 0, max_temps = 0;
  for (int kill = 0; kill < 100; ++kill) {
    SavingChild child(ck, path, last + 1);
    const pid_t pid = child.pid;
    child.wait_tick();  // it runs
    const double delay_us = rng.uniform() * (first_us + 1.5 * next_us);
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(delay_us)));
    CHECK(child.kill());

    killed_mid_save += std::filesystem::exists(path + ".tmp." + std::to_string(pid));
    const int temps = temp_files(dir);
    max_temps = std::max(max_temps, temps);
    const int64_t v = version_of(path);  // throws (fails the test) if the file is corrupt
    CHECK(v >= last);                    // never older than a save that completed
    // Once a save has returned, it has removed the temp files of earlier (dead)
    // children; only the one this child was writing when killed may remain. (A save
    // killed between its rename and that cleanup completed without cleaning, so
    // count only a child that finished a second save.)
    if (v >= last + 2) CHECK(temps <= 1);
    killed_after_a_save += v > last;
    last = v;
    ++loadable;
  }
  CHECK(loadable == 100);
  CHECK(killed_mid_save > 0);      // some kills landed inside a save,
  CHECK(killed_after_a_save > 0);  // some after the child had completed one
  stamp(ck, last + 1);
  save_checkpoint(path, ck);
  CHECK(dir.listing() == std::vector<std::string>{"checkpoint.ogm"});
  CHECK(version_of(path) == last + 1);
  MESSAGE("kill test: ", loadable, "/100 loadable after SIGKILL; ", killed_mid_save, " kills landed mid-save, ",
          killed_after_a_save, " after a completed save; ",
          last, " versions saved; up to ", max_temps, " stray temp files at once; a child's first save took ",
          static_cast<int>(first_us), " us, its second ", static_cast<int>(next_us), " us");
}

TEST_CASE("a stale temp file of a killed save does not break a later save, which removes it") {
  test::TempDir dir;
  const std::string path = dir.file("model.ogm");
  save_checkpoint(path, versioned(1));
  // A temp file of a dead process (pid far above pid_max) and one of this very
  // process (a pid reused after a crash): both hold garbage.
  const std::string dead = path + ".tmp.999999999", mine = path + ".tmp." + std::to_string(::getpid());
  for (const std::string& junk : {dead, mine}) {
    std::FILE* f = std::fopen(junk.c_str(), "wb");
    REQUIRE(f);
    std::fputs("half a checkpoint", f);
    std::fclose(f);
  }
  CHECK(version_of(path) == 1);  // loading ignores temp files
  save_checkpoint(path, versioned(2));
  CHECK(version_of(path) == 2);
  CHECK(dir.listing() == std::vector<std::string>{"model.ogm"});
  // A temp file of a live process (a concurrent save) is left alone.
  const std::string live = path + ".tmp.1";  // pid 1 always runs
  std::FILE* f = std::fopen(live.c_str(), "wb");
  REQUIRE(f);
  std::fclose(f);
  save_checkpoint(path, versioned(3));
  CHECK(version_of(path) == 3);
  CHECK(dir.listing() == std::vector<std::string>{"model.ogm", "model.ogm.tmp.1"});
}
