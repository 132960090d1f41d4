// tensor.h — Shape and Tensor: contiguous float32 arrays of at most 4 dims.
//
// A Tensor owns (shares) a 64-byte aligned buffer. Copying a Tensor shares the
// buffer, as a handle does; clone() makes a deep copy. There are no strides and
// no views other than reshape() of the whole buffer. Layout is row-major, so a
// 4-D image batch is NCHW and element (n,c,h,w) sits at ((n*C+c)*H+h)*W+w.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <vector>

namespace og {

constexpr int kMaxDims = 4;

struct Shape {
  int nd = 0;                     // 0 = scalar (one element)
  int64_t d[kMaxDims] = {1, 1, 1, 1};

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  static Shape of(const std::vector<int64_t>& dims);
  int64_t numel() const;
  int64_t operator[](int i) const { return d[i]; }
  int64_t last() const { return nd == 0 ? 1 : d[nd - 1]; }   // length of the last axis
  int64_t rows() const { return numel() / (last() ? last() : 1); }  // product of the other axes
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
};
std::ostream& operator<<(std::ostream& os, const Shape& s);  // prints [2,3]

class Tensor {
 public:
  Tensor() = default;
  static Tensor zeros(const Shape& s);
  static Tensor empty(const Shape& s);  // uninitialised contents
  static Tensor full(const Shape& s, float v);
  static Tensor from(const Shape& s, const std::vector<float>& values);

  bool defined() const { return buf_ != nullptr; }
  float* data() { return buf_.get(); }
  const float* data() const { return buf_.get(); }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_.numel(); }
  float& operator[](int64_t i) { return buf_[i]; }
  float operator[](int64_t i) const { return buf_[i]; }
  float item() const;                  // the value of a one-element tensor

  Tensor reshape(const Shape& s) const;  // same buffer, new shape (numel must match)
  Tensor clone() const;                  // deep copy
  void fill(float v);
  std::vector<float> to_vector() const;

 private:
  std::shared_ptr<float[]> buf_;
  Shape shape_;
};

}  // namespace og
