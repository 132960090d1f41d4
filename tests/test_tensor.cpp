// Tensor and Shape basics.
#include <doctest/doctest.h>

#include "core/check.h"
#include "core/tensor.h"

using namespace og;

TEST_CASE("shape numel, rows, last and printing") {
  Shape s{2, 3, 4};
  CHECK(s.nd == 3);
  CHECK(s.numel() == 24);
  CHECK(s.last() == 4);
  CHECK(s.rows() == 6);
  CHECK(cat(s) == "[2,3,4]");
  CHECK(Shape{}.numel() == 1);
  CHECK_THROWS_AS(Shape({1, 2, 3, 4, 5}), Error);
}

TEST_CASE("tensor storage is aligned, zeroed, shared on copy and deep on clone") {
  Tensor t = Tensor::zeros({3, 5});
  CHECK(reinterpret_cast<uintptr_t>(t.data()) % 64 == 0);
  for (int64_t i = 0; i < t.numel(); ++i) CHECK(t[i] == 0.0f);
  Tensor shared = t;
  Tensor deep = t.clone();
  t[7] = 2.5f;
  CHECK(shared[7] == 2.5f);
  CHECK(deep[7] == 0.0f);
  Tensor r = t.reshape({15});
  CHECK(r.data() == t.data());
  CHECK_THROWS_WITH_AS(t.reshape({4, 4}), "reshape: cannot view [3,5] as [4,4]", Error);
}

TEST_CASE("tensor from values and item") {
  Tensor t = Tensor::from({2, 2}, {1, 2, 3, 4});
  CHECK(t[3] == 4.0f);
  CHECK_THROWS_AS(Tensor::from({2, 2}, {1, 2, 3}), Error);
  CHECK_THROWS_AS(t.item(), Error);
  CHECK(Tensor::full({1}, 3.0f).item() == 3.0f);
}
