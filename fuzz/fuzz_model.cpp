// fuzz_model.cpp — the model file loader: load_checkpoint (core/serialize) and
// get_model (model/model), i.e. what `ordgrad eval/predict` do with --model, then
// one forward pass of the rebuilt network on a zero input.
// Input: byte 0 bit 0 set = append the correct CRC-32 to the rest, so the fuzzer gets
// past the checksum and reaches the metadata and the architecture; clear = the rest
// is the whole file (checksum checking itself is fuzzed too).
#include <zlib.h>

#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_forward.h"
#include "model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  og::fuzz::Input in{data, size};
  const bool fix_crc = in.byte() & 1;
  std::string file = in.rest();
  if (fix_crc) {
    const uint32_t crc = static_cast<uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(file.data()), uInt(file.size())));
    for (int i = 0; i < 4; ++i) file += static_cast<char>(crc >> (8 * i));
  }
  try {
    const og::Checkpoint ck = og::load_checkpoint(og::fuzz::write_scratch("model.ogm", file));
    og::Model m = og::get_model(ck);
    og::fuzz::check_forward(m);  // a loaded model must produce its declared outputs
  } catch (const og::Error&) {
  }
  return 0;
}
