// fuzz_idx.cpp — the IDX reader (io/idx): read_idx_images, read_idx_labels and
// load_idx_set, plain or gzip-compressed (zlib's gzread).
// Input: byte 0 picks the reader; for load_idx_set byte 1 splits the rest into the
// image file (first part) and the label file.
#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  og::fuzz::Input in{data, size};
  const uint8_t mode = in.byte() % 3;
  try {
    if (mode == 0) {
      const og::IdxImages im = og::read_idx_images(og::fuzz::write_scratch("images.idx", in.rest()));
      if (im.pixels.size() != size_t(im.n * im.rows * im.cols)) __builtin_trap();
    } else if (mode == 1) {
      og::read_idx_labels(og::fuzz::write_scratch("labels.idx", in.rest()));
    } else {
      const uint8_t cut = in.byte();
      const size_t split = cut % (in.size + 1);
      const std::string rest = in.rest();
      const og::ImageSet set =
          og::load_idx_set(og::fuzz::write_scratch("images.idx", rest.substr(0, split)),
                           og::fuzz::write_scratch("labels.idx", rest.substr(split)));
      if (set.images.shape()[0] != int64_t(set.labels.size())) __builtin_trap();
    }
  } catch (const og::Error&) {
  }
  return 0;
}
