// data.h — datasets by name: what `--data` means for every subcommand and example.
//   fashion-mnist[:train|:test]      Debian's dataset-fashion-mnist IDX files
//   demo[:train|:test]               the built-in ordinal toy problem (demo.cpp)
//   FILE.csv[:train|:test|:all]      a table: integer response first, numeric features;
//                                    train/test = a seeded split (DataOptions)
//   DIR[:train|:val|:test]           images listed by DIR/train.csv, DIR/val.csv,
//                                    DIR/test.csv (path,label[,group]), e.g. the output
//                                    of `ordgrad gen-counts`; decoded with stb_image and
//                                    resized to channels x height x width
#pragma once
#include <string>
#include <vector>

#include "io/csv.h"
#include "io/idx.h"
#include "model/model.h"
#include "io/dataset.h"

namespace og {

struct DataOptions {
  std::string weight_column;   // tables: per-row frequency weights
  double test_fraction = 0.2;  // tables: share of rows in the test split
  uint64_t split_seed = 0;     // tables: seed of the split
  int label_offset = 0;        // tables: map labels as class = label - offset ...
  int classes = 0;             // ... with this many classes (0 = from the file)
  int channels = 1, height = 32, width = 32;  // images: the model's input
};

struct NamedData {
  Dataset data;       // inputs as stored (pixels in [0,1], raw table features)
  Shape input;        // shape of one example
  int classes = 0;
  float norm_mean = 0, norm_std = 1;  // images: suggested normalisation for a new model
  bool table = false;                 // tables are standardised per feature instead
  int label_offset = 0;               // tables: file label = class + label_offset
  std::vector<int> groups;            // images: the manifest's group column (empty if none)
  std::vector<std::string> paths;     // images: the files, for predictions
};

// name[:split]; split defaults to `fallback_split`.
NamedData load_named(const std::string& name, const std::string& fallback_split,
                     const DataOptions& opt = {});
// The data a saved model is scored on: name[:split] (fallback "test") read with the
// model's classes, label offset and input size (the table options come from `opt`),
// checked against the model's input shape and classes (og::Error naming `who`, the data
// and the example), and normalised the way the model was trained (prepare_inputs).
NamedData load_for_model(const std::string& name, const ModelInfo& info, DataOptions opt, const char* who);
// Normalise inputs the way `info` says (scalar for images, per feature for tables).
void prepare_inputs(Tensor& x, const ModelInfo& info);
// The built-in ordinal toy table of `--data demo` (8 features, 10 classes):
// 4000 training rows, 1000 test rows, the same on every call.
Dataset demo_dataset(bool train);

}  // namespace og
