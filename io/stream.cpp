// stream.cpp — decoding batches on demand, and the bounded cache (see stream.h).
#include "io/stream.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "core/parallel.h"

namespace og {

RowCache::RowCache(int64_t bytes, int64_t row_floats, int64_t n) : row_floats_(row_floats) {
  OG_CHECK(bytes >= 0 && row_floats > 0 && n >= 0, "RowCache: bad sizes (", bytes, " bytes, rows of ", row_floats,
           " floats, ", n, " images)");
  const int64_t row_bytes = row_floats * int64_t(sizeof(float));
  capacity_rows_ = std::min(n, bytes / row_bytes);
  rows_.resize(size_t(capacity_rows_));
}

bool RowCache::get(int64_t i, float* out) const {
  if (i >= capacity_rows_) return false;
  std::lock_guard<std::mutex> lock(mu_);
  const float* row = rows_[size_t(i)].get();
  if (!row) return false;
  std::memcpy(out, row, sizeof(float) * size_t(row_floats_));
  return true;
}

void RowCache::put(int64_t i, const float* row) {
  if (i >= capacity_rows_) return;
  // Copy outside the lock; a second decoder of the same row just drops its copy.
  std::unique_ptr<float[]> copy(new float[size_t(row_floats_)]);
  std::memcpy(copy.get(), row, sizeof(float) * size_t(row_floats_));
  std::lock_guard<std::mutex> lock(mu_);
  if (rows_[size_t(i)]) return;
  rows_[size_t(i)] = std::move(copy);
  ++held_;
}

int64_t RowCache::bytes_used() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_ * row_floats_ * int64_t(sizeof(float));
}

Tensor decode_rows(const ImageSource& src, const std::vector<int64_t>& idx, int64_t begin, int64_t end) {
  OG_CHECK(0 <= begin && begin <= end && end <= int64_t(idx.size()), src.who, ": rows [", begin, ", ", end,
           ") outside an index of ", idx.size());
  const ImageOptions& o = src.options;
  const int64_t row = src.row_floats();
  Tensor out = Tensor::empty({end - begin, o.channels, o.height, o.width});
  std::vector<std::string> errors(size_t(end - begin));
  float* base = out.data();
  parallel_for(end - begin, 1, [&](int64_t k) {
    const int64_t i = idx[size_t(begin + k)];
    float* x = base + k * row;
    if (i < 0 || i >= src.size()) {
      errors[size_t(k)] = cat("row ", i, " outside the ", src.size(), " images");
      return;
    }
    if (src.cache && src.cache->get(i, x)) return;
    try {
      errors[size_t(k)] = decode_file(src.paths[size_t(i)], o, x);
    } catch (const std::exception& e) {   // e.g. bad_alloc: must not leave the parallel region
      errors[size_t(k)] = cat("cannot decode image: ", e.what());
    }
    if (!errors[size_t(k)].empty()) return;
    if (src.normalized) {
      // normalize()'s expression, element by element: the in-memory values exactly.
      const float mean = src.mean, sd = src.std;
      for (int64_t j = 0; j < row; ++j) x[j] = (x[j] - mean) / sd;
    }
    if (src.cache) src.cache->put(i, x);
  });
  for (int64_t k = 0; k < end - begin; ++k)
    if (!errors[size_t(k)].empty()) {
      const int64_t i = idx[size_t(begin + k)];
      if (i < 0 || i >= src.size()) throw Error(cat(src.who, ": ", errors[size_t(k)]));
      throw Error(cat(src.who, ": '", src.paths[size_t(i)], "': ", errors[size_t(k)]));
    }
  return out;
}

}  // namespace og
