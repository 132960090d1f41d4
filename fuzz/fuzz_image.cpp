// fuzz_image.cpp — the image decode path of load_manifest / load_folder (decode_image:
// signature check, size limit, stb_image, colour conversion, resize).
// Input: byte 0 picks the options (channels, strict size, expected channels), byte 1
// the target size (1..32 on each side, so both up- and downsampling run), the rest
// is the image file.
#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "io/images.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  og::fuzz::Input in{data, size};
  const uint8_t mode = in.byte(), dims = in.byte();
  og::ImageOptions opt;
  opt.channels = mode & 1 ? 3 : 1;
  opt.strict_size = (mode & 2) != 0;
  opt.expect_channels = (mode >> 2) % 3 == 0 ? 0 : (mode >> 2) % 3 == 1 ? 1 : 3;
  opt.height = 1 + (dims & 15) * 2;
  opt.width = 1 + (dims >> 4) * 2;
  try {
    const og::Tensor t = og::decode_image(in.rest(), "fuzz", opt);
    for (int64_t i = 0; i < t.numel(); ++i)   // pixels are byte/255 mixes: within [0,1]
      if (!(t[i] >= -1e-6f && t[i] <= 1 + 1e-6f)) __builtin_trap();
  } catch (const og::Error&) {
  }
  return 0;
}
