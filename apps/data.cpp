// data.cpp — named datasets and small file helpers for the subcommands.
#include "apps/data.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "io/idx.h"

namespace og::cli {

Dataset demo_dataset(bool train);  // demo.cpp

NamedData load_named(const std::string& spec, const std::string& fallback_split) {
  const size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string split = colon == std::string::npos ? fallback_split : spec.substr(colon + 1);
  OG_CHECK(split == "train" || split == "test", "data '", spec, "': unknown split '", split,
           "' (use :train or :test)");
  NamedData d;
  if (name == "fashion-mnist") {
    ImageSet s = load_fashion_mnist(kFashionMnistDir, split == "train");
    d.data = Dataset{s.images, s.labels};
    d.input = Shape{1, s.images.shape()[2], s.images.shape()[3]};
    d.classes = 10;
    d.norm_mean = kFashionMnistMean;
    d.norm_std = kFashionMnistStd;
    return d;
  }
  if (name == "demo") {
    d.data = demo_dataset(split == "train");
    d.input = Shape{d.data.x.shape()[1]};
    d.classes = 10;
    return d;
  }
  throw Error(cat("unknown data '", spec, "' (known: fashion-mnist[:train|:test], demo[:train|:test])"));
}

void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  OG_CHECK(f, "cannot write ", path, ": ", std::strerror(errno));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                  fsync(fileno(f)) == 0;
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    throw Error(cat("cannot write ", path, ": ", std::strerror(ok ? errno : err)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    throw Error(cat("cannot write ", path, ": ", std::strerror(e)));
  }
}

}  // namespace og::cli
