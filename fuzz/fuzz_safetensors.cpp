// fuzz_safetensors.cpp — the safetensors loader: parse_safetensors (core/safetensors),
// then, for a file that parses, model_from_safetensors (model/weights) and one forward
// pass of the rebuilt network on a zero input — what `ordgrad eval --model X.safetensors`
// does. Input: the whole file.
#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_forward.h"
#include "model/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file(reinterpret_cast<const char*>(data), size);
  try {
    const og::SafeTensors s = og::parse_safetensors(file, "fuzz.safetensors");
    og::Model m = og::model_from_safetensors(s, "fuzz.safetensors");
    og::fuzz::check_forward(m);  // a loaded model must produce its declared outputs
  } catch (const og::Error&) {
  }
  return 0;
}
