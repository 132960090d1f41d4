// folders.h — the user's images as one sub-folder per label (DIR/<label>/<image>), a
// seeded split of them stratified by label, and that split written as manifests.
//
// The walk (scan_label_folders). Each sub-folder of DIR is a class: by default its name
// is the integer label (DIR/0, DIR/7; class = label, so 0..max, as manifests); with a
// label order ("low,mid,high") class k is the folder named by the k-th name, and every
// sub-folder must be one of them. Inside a label folder, files ending .png .jpg .jpeg
// .bmp (any case) are the images. Everything else — .DS_Store, Thumbs.db, notes.txt,
// a nested folder, a file at DIR's top level — is skipped and counted
// (LabelFolders::skipped); hidden folders (.git, .cache) are passed over silently. Order:
// class ascending, then folder name, then file name (byte order), so the listing is
// the same on every machine whatever order the file system returns.
//
// The split (split_stratified), for fractions (t, v, e) summing to 1 and a seed:
// one Rng(seed) shuffles each class's items in class order; a class of n items gives
// its first round(n·t) to train, up to round(n·(t+v)) to val, the rest to test. The
// same Rng then draws one permutation of all items, and each part lists its items in
// that order, so consecutive items (--group G) mix the labels. Only the Rng of
// core/rng.h and integer rounding of IEEE products are involved: the same files and
// seed give the same split on every machine.
//
// Manifests (manifest_text, write_files_all_or_none): `path,label` rows, quoted as RFC
// 4180 when needed, paths relative to the manifest's directory where one exists (so a
// run directory next to the data moves with it), read back by load_manifest.
//
// Errors: og::Error, one line naming the folder: DIR missing or not a directory, a
// sub-folder that is not an integer (without a label order) or not in the order (with
// one), a negative label, an empty label folder, no label folders at all.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/images.h"

namespace og {

struct LabelFolders {
  std::vector<std::string> paths;    // every image, in the order above
  std::vector<int> labels;           // its class
  std::vector<std::string> names;    // with a label order: class k is names[k]; else empty
  int classes = 0;                   // names.size(), or the largest integer label + 1
  std::vector<std::string> skipped;  // entries that are not images, as paths
};

// "low,mid,high" -> {"low","mid","high"}: at least 2 distinct, non-empty plain folder names.
std::vector<std::string> parse_label_order(const std::string& text);
LabelFolders scan_label_folders(const std::string& dir, const std::vector<std::string>& label_order = {});

struct SplitFractions {
  double train = 0.8, val = 0.1, test = 0.1;
};
// "0.8,0.1,0.1": three numbers >= 0 summing to 1 (within 1e-6), train > 0.
SplitFractions parse_split(const std::string& text);

struct FolderSplit {
  std::vector<int64_t> train, val, test;  // indices into the labels, each in listing order
  const std::vector<int64_t>& part(const std::string& name) const;  // "train", "val" or "test"
};
FolderSplit split_stratified(const std::vector<int>& labels, const SplitFractions& fractions, uint64_t seed);

// The manifest of rows `rows` of (paths, labels): "path,label\n" then one row each.
std::string manifest_text(const std::vector<std::string>& paths, const std::vector<int>& labels,
                          const std::vector<int64_t>& rows, const std::string& manifest_dir);

// Writes each (path, text) through write_text_atomic; if one fails, the files this call
// wrote are removed again and the error is rethrown, so either all are new or none is.
void write_files_all_or_none(const std::vector<std::pair<std::string, std::string>>& files);

// Every image of a label folder (integer labels), decoded: scan_label_folders + load_files.
ImageData load_folder(const std::string& dir, const ImageOptions& options = {});

}  // namespace og
