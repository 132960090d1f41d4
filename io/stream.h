// stream.h — images decoded when a batch needs them, not all before training.
//
// An ImageSource is a read-only list of image files with the decoding (ImageOptions)
// and the normalisation x -> (x - mean) / std the in-memory path applies after loading
// (io/idx.h normalize, model/data.h prepare_inputs). A Dataset holding one instead of
// x (io/dataset.h) builds each batch with decode_rows, so memory is one batch per
// prefetch slot plus the optional cache, whatever the number of images.
//
// Same values as in memory. Each row is decode_file (the decode and resize of
// load_manifest / load_files) followed by the same float expression of normalize,
// element by element, so a streamed batch is bit-identical to gather_rows over the
// decoded and normalised tensor.
//
// Cache (RowCache). Decoded, normalised rows of the images 0..capacity_rows-1 of the
// source, filled the first time each is decoded: "the first N images that fit" in
// `bytes` (N = bytes / row size), a fixed set, so what is cached never depends on the
// order or timing of batches, and a hit returns the very values a decode would.
//
// Errors. A file that fails to decode while streaming is og::Error, one line:
// "<who>: '<path>': <reason>"; among several in one batch the first in batch order.
// The list is fixed before training, so --skip-bad acts before it: the loaders decode
// each image once (keeping nothing) and leave the bad ones out of the list (io/images.h).
//
// Threads. decode_rows runs parallel over the rows (og::parallel_for; one thread inside
// a prefetch worker); RowCache is safe to use from many threads.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/images.h"

namespace og {

class RowCache {
 public:
  // Room for `bytes` bytes of rows of `row_floats` floats each, for a source of n images.
  RowCache(int64_t bytes, int64_t row_floats, int64_t n);
  bool get(int64_t i, float* out) const;        // copies row i into out if cached
  void put(int64_t i, const float* row);        // caches row i if it is one of the first N
  int64_t capacity_rows() const { return capacity_rows_; }
  int64_t bytes_used() const;                   // bytes of rows held now (<= the budget)

 private:
  int64_t row_floats_, capacity_rows_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<float[]>> rows_;  // capacity_rows_ slots, filled lazily
  int64_t held_ = 0;                            // filled slots
};

struct ImageSource {
  std::vector<std::string> paths;  // the images, row i = paths[i]
  ImageOptions options;            // channels, height, width (list_only is ignored)
  std::string who;                 // prefixes error messages, e.g. "train --stream"
  bool normalized = false;         // apply (x - mean) / std after decoding
  float mean = 0, std = 1;
  std::shared_ptr<RowCache> cache; // optional, shared by copies of the source

  int64_t size() const { return int64_t(paths.size()); }
  int64_t row_floats() const { return int64_t(options.channels) * options.height * options.width; }
};

// Rows idx[begin..end) of the source, decoded and normalised, as [end-begin, C, H, W].
Tensor decode_rows(const ImageSource& src, const std::vector<int64_t>& idx, int64_t begin, int64_t end);

}  // namespace og
