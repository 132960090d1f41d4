// fuzz_common.h — what the libFuzzer targets share: a per-process scratch directory
// for loaders that only take paths, and small readers of option bytes.
//
// Every target feeds its input to one loader and treats og::Error as the normal
// rejection of bad input; anything else (a crash, another exception type, a
// sanitizer report, a hang, an allocation over libFuzzer's -rss_limit_mb) is a finding.
#pragma once
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace og::fuzz {

// A directory under $TMPDIR (or /tmp) made on first use, removed at process exit.
// Held on the heap and never freed: the atexit handler runs after static destructors.
inline const std::string& scratch_dir() {
  static const std::string* dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ordgrad-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("fuzz: mkdtemp failed");
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return new std::string(tmpl);
  }();
  return *dir;
}

// Writes bytes to scratch_dir()/name (replacing it) and returns the path.
inline std::string write_scratch(const std::string& name, const std::string& bytes) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("fuzz: cannot write " + path);
  return path;
}

// Reads option bytes from the front of the input; past its end every byte is 0.
struct Input {
  const uint8_t* data;
  size_t size;
  uint8_t byte() {
    if (size == 0) return 0;
    --size;
    return *data++;
  }
  std::string rest() const { return std::string(reinterpret_cast<const char*>(data), size); }
};

}  // namespace og::fuzz
