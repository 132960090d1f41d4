// data.h — datasets by name: what `--data` means for every subcommand and example.
//   fashion-mnist[:train|:test]      Debian's dataset-fashion-mnist IDX files
//   demo[:train|:test]               the built-in ordinal toy problem (demo.cpp)
//   FILE.csv[:train|:test|:all]      a table: integer response first, numeric features;
//                                    train/test = a seeded split (DataOptions)
//   DIR[:train|:val|:test]           images listed by DIR/train.csv, DIR/val.csv,
//                                    DIR/test.csv (path,label[,group]), e.g. the output
//                                    of `ordgrad gen-counts` or a run directory of a
//                                    folder split; decoded with stb_image and resized to
//                                    channels x height x width
//   DIR[:train|:val|:test|:all]      without DIR/train.csv: one sub-folder per label,
//                                    DIR/<label>/<image> (io/folders.h), split by label
//                                    with DataOptions::split and split_seed; :all = every
//                                    image in the folders' order
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
  std::string split = "";          // label folders: "TRAIN,VAL,TEST" fractions; "" = the model's, else 0.8,0.1,0.1
  bool split_seed_given = false;   // label folders: false = load_for_model takes the model's seed
  std::vector<std::string> label_order = {};  // label folders: class names in order; empty = integer
                                         // folder names (load_for_model: the model's names)
  bool skip_bad = false;           // images: leave out files that fail to load (skipped_images)
  bool stream = false;             // image directories: list the files, decode each batch when
                                   // needed (Dataset::source, io/stream.h); with skip_bad every
                                   // image is decoded once first (nothing kept) to find the bad ones
  int64_t stream_above_mb = 0;     // image directories: stream when the decoded images would take
                                   // more than this many MB (0 = only when `stream`)
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
  std::vector<std::string> label_names;     // label folders named in order: class k's name
  std::string split;                        // label folders: the fractions used ("" = no folder split)
  int64_t skipped_files = 0;                // label folders: entries that are not images, passed over
  std::vector<std::string> skipped_images;  // with skip_bad: "'path': reason" of each image left out
};

// name[:split]; split defaults to `fallback_split`.
NamedData load_named(const std::string& name, const std::string& fallback_split,
                     const DataOptions& opt = {});
// The data a saved model is scored on: name[:split] (fallback "test") read with the
// model's classes, label offset and input size (the table options come from `opt`),
// checked against the model's input shape and classes (og::Error naming `who`, the data
// and the example), and normalised the way the model was trained (prepare_inputs).
NamedData load_for_model(const std::string& name, const ModelInfo& info, DataOptions opt, const char* who);
// Label folders: the split that `spec` and `opt` select, written as run files
// out/train.csv, val.csv, test.csv (path,label; train and validate from `ordgrad train
// --data out` or score `out:test` on exactly these rows) and out/skipped.txt with the
// lines `skipped` when there are any (one per line), all or none (io/folders.h). With must_match (a
// resumed run) manifests already in `out` must hold the same split, else og::Error.
// For other data only skipped.txt is written (when `skipped` is not empty). Returns
// whether manifests were written.
bool write_data_split(const std::string& spec, const DataOptions& opt, const std::string& out,
                      const std::vector<std::string>& skipped, bool must_match);
// Normalise inputs the way `info` says (scalar for images, per feature for tables).
void prepare_inputs(Tensor& x, const ModelInfo& info);
// The same for a dataset: its x, or for streamed images the normalisation each decoded
// batch gets (the same values), with a cache of decoded rows of cache_bytes (0 = none).
void prepare_data(Dataset& d, const ModelInfo& info, int64_t cache_bytes = 0);
// The built-in ordinal toy table of `--data demo` (8 features, 10 classes):
// 4000 training rows, 1000 test rows, the same on every call.
Dataset demo_dataset(bool train);

}  // namespace og
