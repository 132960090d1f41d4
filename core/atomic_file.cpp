// atomic_file.cpp — temp file, optional fsync, rename, optional directory fsync
// (see atomic_file.h).
#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

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
  if (sync == Sync::durable) sync_parent_dir(path);
  return "";
}

}  // namespace og
