// write_file_atomic (core/atomic_file): the bytes land under the target's name or not
// at all, no temporary file is left behind, and a failure says which file and why.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "tests/helpers.h"

using namespace og;

TEST_CASE("atomic_file: writes and overwrites a file, leaving only the target") {
  test::TempDir dir;
  const std::string path = dir.file("out.bin");
  const std::string first("first\0bytes", 11), second = "second, longer content";
  for (Sync sync : {Sync::durable, Sync::none}) {
    CHECK(write_file_atomic(path, first.data(), first.size(), sync) == "");
    CHECK(test::read_file(path) == first);
    CHECK(write_file_atomic(path, second.data(), second.size(), sync) == "");
    CHECK(test::read_file(path) == second);
    CHECK(dir.listing() == std::vector<std::string>{"out.bin"});
  }
  CHECK(write_file_atomic(path, "", 0, Sync::durable) == "");   // an empty file is a file
  CHECK(std::filesystem::file_size(path) == 0);
}

TEST_CASE("atomic_file: a failed write names the file and the reason, and changes nothing") {
  test::TempDir dir;
  const std::string missing = dir.file("no/such/dir/x.csv");
  CHECK(write_file_atomic(missing, "x", 1, Sync::durable) ==
        "cannot write '" + missing + "': cannot create '" + temp_path(missing) +
            "': No such file or directory");
  // The target is a non-empty directory: the temporary file is written, the rename fails,
  // the temporary file is removed and the directory keeps its content.
  std::filesystem::create_directory(dir.file("taken"));
  std::ofstream(dir.file("taken/keep")) << "kept";
  const std::string e = write_file_atomic(dir.file("taken"), "new", 3, Sync::durable);
  CHECK(e.rfind("cannot write '" + dir.file("taken") + "': ", 0) == 0);
  CHECK(e.find('\n') == std::string::npos);
  CHECK(test::read_file(dir.file("taken/keep")) == "kept");
  CHECK(dir.listing() == std::vector<std::string>{"taken"});
}

TEST_CASE("atomic_file: path helpers") {
  CHECK(temp_path("a/b.csv") == "a/b.csv.tmp." + std::to_string(getpid()));
  CHECK(parent_dir("a/b/c.ogm") == "a/b");
  CHECK(parent_dir("c.ogm") == ".");
  CHECK(parent_dir("/c.ogm") == "/");
}

TEST_CASE("atomic_file: a durable write removes temp files of dead writers, not of live ones") {
  test::TempDir dir;
  const std::string path = dir.file("log.csv");
  // pid 999999999 is above any pid_max; the parent process (the shell or make) is alive.
  const std::string dead = path + ".tmp.999999999", live = path + ".tmp." + std::to_string(getppid());
  const std::string other = dir.file("other.csv.tmp.999999999");   // another file's temp
  for (const std::string& junk : {dead, live, other}) std::ofstream(junk) << "half";
  CHECK(write_file_atomic(path, "a", 1, Sync::none) == "");
  CHECK(std::filesystem::exists(dead));   // Sync::none leaves the directory alone
  CHECK(write_file_atomic(path, "b", 1, Sync::durable) == "");
  CHECK(dir.listing() == std::vector<std::string>{"log.csv", "log.csv.tmp." + std::to_string(getppid()),
                                                  "other.csv.tmp.999999999"});
  CHECK(test::read_file(path) == "b");
}
