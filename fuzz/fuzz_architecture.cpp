// fuzz_architecture.cpp — the architecture language (model/architecture): parsing,
// printing and building any text, as a model file's "architecture" metadata or
// `--model` gives it. Properties checked beyond "no crash": the canonical text is a
// fixed point, and the text and its canonical form build the same network (the same
// parameter count and output shape), which is what model files rely on.
// Input: byte 0 picks the input shape (C,H,W or F, small), the rest is the text.
// Builds under a budget of 2^20 parameters, so a valid text that asks for more is
// rejected like a damaged model file, before allocating.
#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "model/architecture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  og::fuzz::Input in{data, size};
  const uint8_t b = in.byte();
  const og::Shape input = b & 1 ? og::Shape{int64_t(1 + b % 3), int64_t(4 + (b >> 1) % 13), int64_t(4 + (b >> 4))}
                                : og::Shape{int64_t(1 + (b >> 1))};
  const std::string text = in.rest();
  std::string canon;
  try {
    canon = og::canonical_architecture(text);
  } catch (const og::Error&) {
    return 0;
  }
  if (og::canonical_architecture(canon) != canon) __builtin_trap();  // a fixed point
  int64_t params[2] = {-1, -1};
  og::Shape out[2];
  const std::string* texts[2] = {&text, &canon};
  for (int i = 0; i < 2; ++i) {
    try {
      og::Rng rng(1);
      og::ParamBudget budget(int64_t(1) << 20, *texts[i]);
      og::build_architecture(*texts[i], input, rng, budget, &out[i]);
      params[i] = budget.used();
    } catch (const og::Error&) {
    }
  }
  if (params[0] != params[1] || (params[0] >= 0 && out[0] != out[1])) __builtin_trap();
  return 0;
}
