// dataset.h — examples: inputs, labels, weights; and batches of them.
// Inputs are either in memory (x) or streamed from image files (source, io/stream.h):
// code that builds batches calls rows() or subset(), which work for both and give the
// same values; only whole-set users (tables, L-BFGS) read x directly.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace og {

struct ImageSource;

struct Dataset {
  Tensor x;                    // [N, ...] inputs, already normalised; undefined when streamed
  std::vector<int> y;          // N labels in [0, classes)
  std::vector<float> weights;  // per-example weights (e.g. frequencies); empty = all 1
  std::shared_ptr<const ImageSource> source = nullptr;  // streamed inputs (then x is undefined)
  int64_t size() const { return static_cast<int64_t>(y.size()); }
  bool streamed() const { return source != nullptr; }
  // Inputs idx[begin..end) as a batch [end-begin, ...]: gathered from x or decoded.
  Tensor rows(const std::vector<int64_t>& idx, int64_t begin, int64_t end) const;
  // Every input [N, ...] in memory (x itself, or all rows decoded).
  Tensor all_rows() const;
};

// A hash of the examples: labels, weights and the inputs (their values in memory, the
// file list and decoding when streamed); equal data gives equal hashes on any machine.
uint64_t fingerprint(const Dataset& d, uint64_t h = 0xcbf29ce484222325ull);

// x rows idx[begin..end) stacked into a batch [end-begin, ...].
Tensor gather_rows(const Tensor& x, const std::vector<int64_t>& idx, int64_t begin, int64_t end);
// The labels and weights of the examples idx[begin..end), without their inputs.
Dataset labels_of(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end);
// The examples idx[begin..end) of a dataset (weights included), in memory.
Dataset subset(const Dataset& d, const std::vector<int64_t>& idx, int64_t begin, int64_t end);

}  // namespace og
