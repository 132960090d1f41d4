// tensor.cpp — Shape helpers and aligned Tensor storage.
#include "core/tensor.h"

#include <cstdlib>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <cstring>
#include <ostream>

#include "core/check.h"

namespace og {

Shape::Shape(std::initializer_list<int64_t> dims) {
  OG_CHECK(dims.size() <= kMaxDims, "Shape: at most ", kMaxDims, " dims, got ", dims.size());
  for (int64_t v : dims) {
    OG_CHECK(v >= 0, "Shape: negative dimension ", v);
    d[nd++] = v;
  }
}

Shape Shape::of(const std::vector<int64_t>& dims) {
  OG_CHECK(dims.size() <= kMaxDims, "Shape: at most ", kMaxDims, " dims, got ", dims.size());
  Shape s;
  for (int64_t v : dims) {
    OG_CHECK(v >= 0, "Shape: negative dimension ", v);
    s.d[s.nd++] = v;
  }
  return s;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < nd; ++i) n *= d[i];
  return n;
}

bool Shape::operator==(const Shape& o) const {
  if (nd != o.nd) return false;
  for (int i = 0; i < nd; ++i)
    if (d[i] != o.d[i]) return false;
  return true;
}

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  os << '[';
  for (int i = 0; i < s.nd; ++i) os << (i ? "," : "") << s.d[i];
  return os << ']';
}

namespace {
// A training step frees and re-allocates the same activation sizes every step. By
// default glibc serves blocks over 128 KiB with mmap and returns them to the system
// on free, so every step paid page faults on fresh pages (several % of a step of
// the reference CNN). Serving blocks up to 32 MiB from the heap and never trimming
// it reuses the pages instead. Larger blocks (data sets) still use mmap: with them
// on the heap too, fragmentation raised the bench's peak memory from 247 to 294 MB.
bool keep_freed_memory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
  return true;
}
}  // namespace

Tensor Tensor::empty(const Shape& s) {
  Tensor t;
  t.shape_ = s;
  static const bool heap_tuned = keep_freed_memory();
  (void)heap_tuned;
  // 64-byte alignment for SIMD and cache lines; aligned_alloc wants a multiple of it.
  size_t bytes = (static_cast<size_t>(s.numel()) * sizeof(float) + 63) / 64 * 64;
  if (bytes == 0) bytes = 64;
  auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  OG_CHECK(p != nullptr, "Tensor: out of memory allocating ", s, " (", bytes, " bytes)");
  t.buf_ = std::shared_ptr<float[]>(p, [](float* q) { std::free(q); });
  return t;
}

Tensor Tensor::zeros(const Shape& s) {
  Tensor t = empty(s);
  std::memset(t.data(), 0, sizeof(float) * s.numel());
  return t;
}

Tensor Tensor::full(const Shape& s, float v) {
  Tensor t = empty(s);
  t.fill(v);
  return t;
}

Tensor Tensor::from(const Shape& s, const std::vector<float>& values) {
  OG_CHECK(static_cast<int64_t>(values.size()) == s.numel(), "Tensor::from: ", values.size(),
           " values for shape ", s);
  Tensor t = empty(s);
  if (!values.empty()) std::memcpy(t.data(), values.data(), sizeof(float) * values.size());
  return t;
}

float Tensor::item() const {
  OG_CHECK(defined() && numel() == 1, "item: tensor of shape ", shape_, " is not one element");
  return buf_[0];
}

Tensor Tensor::reshape(const Shape& s) const {
  OG_CHECK(s.numel() == numel(), "reshape: cannot view ", shape_, " as ", s);
  Tensor t = *this;
  t.shape_ = s;
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return Tensor();
  Tensor t = empty(shape_);
  std::memcpy(t.data(), data(), sizeof(float) * numel());
  return t;
}

void Tensor::fill(float v) {
  float* p = data();
  for (int64_t i = 0, n = numel(); i < n; ++i) p[i] = v;
}

std::vector<float> Tensor::to_vector() const {
  return defined() ? std::vector<float>(data(), data() + numel()) : std::vector<float>();
}

}  // namespace og
