// blobs.h — the small image task the training tests share: 8x8 images of noise
// (sd 0.3) with a bright 3x3 blob (+1.5) in one quadrant; the label is the quadrant.
#pragma once
#include <cstdint>

#include "model/trainer.h"

namespace og::test {

// n examples from Rng(seed). rare_keep < 1 makes class 3 rare: a drawn 3 is kept with
// probability rare_keep and redrawn from 0..2 otherwise (for class-balanced sampling).
inline Dataset blob_images(int64_t n, uint64_t seed, float rare_keep = 1.0f) {
  Rng rng(seed);
  Dataset d{Tensor::empty({n, 1, 8, 8}), std::vector<int>(n), {}};
  for (int64_t i = 0; i < n; ++i) {
    int q = static_cast<int>(rng.below(4));
    if (rare_keep < 1.0f && q == 3 && rng.uniform() >= rare_keep) q = static_cast<int>(rng.below(3));
    float* x = d.x.data() + i * 64;
    for (int p = 0; p < 64; ++p) x[p] = 0.3f * rng.normal();
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) x[((q / 2) * 4 + r) * 8 + (q % 2) * 4 + c] += 1.5f;
    d.y[i] = q;
  }
  return d;
}

}  // namespace og::test
