// data.h — datasets by name for the subcommands.
//   fashion-mnist[:train|:test]   Debian's dataset-fashion-mnist IDX files
//   demo[:train|:test]            the built-in ordinal toy problem (demo.cpp)
#pragma once
#include <string>

#include "io/idx.h"
#include "layers/models.h"
#include "optim/trainer.h"

namespace og::cli {

struct NamedData {
  Dataset data;       // inputs as stored (pixels in [0,1]), not yet normalised
  Shape input;        // shape of one example
  int classes = 0;
  float norm_mean = 0, norm_std = 1;  // suggested normalisation for a new model
};

// name[:split]; split defaults to `fallback_split`.
NamedData load_named(const std::string& name, const std::string& fallback_split);
// Write text to path through a temporary file and rename (never a half file).
void write_text_atomic(const std::string& path, const std::string& text);

}  // namespace og::cli
