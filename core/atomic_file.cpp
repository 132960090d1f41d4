// atomic_file.cpp — temp file, optional fsync, rename, optional directory fsync
// (see atomic_file.h).
#include "core/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

#include "core/check.h"

namespace og {

std::string temp_path(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

std::string parent_dir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void sync_parent_dir(const std::string& path) {
  const int dir = ::open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir < 0) return;
  (void)::fsync(dir);
  ::close(dir);
}

void remove_stale_temps(const std::string& path) {
  const std::string dir = parent_dir(path);
  const size_t slash = path.find_last_of('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH)
      (void)std::remove((dir + "/" + name).c_str());
  }
  ::closedir(d);
}

std::string write_file_atomic(const std::string& path, const void* data, size_t size, Sync sync) {
  const std::string tmp = temp_path(path);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return cat("cannot write '", path, "': cannot create '", tmp, "': ", std::strerror(errno));
  bool ok = std::fwrite(data, 1, size, f) == size && std::fflush(f) == 0;
  // Data on disk before the rename makes it visible under the real name.
  if (ok && sync == Sync::durable) ok = ::fsync(::fileno(f)) == 0;
  int err = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return cat("cannot write '", path, "': ", std::strerror(err));
  }
  if (sync == Sync::durable) {
    sync_parent_dir(path);
    remove_stale_temps(path);
  }
  return "";
}

void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string err = write_file_atomic(path, text.data(), text.size(), Sync::durable);
  OG_CHECK(err.empty(), err);
}

void make_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  struct stat st;
  const bool is_dir = stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  OG_CHECK(!ec && is_dir, "cannot create directory ", dir, ": ", ec ? ec.message() : "a file is in the way");
}

}  // namespace og
