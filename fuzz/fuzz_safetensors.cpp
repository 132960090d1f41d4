// fuzz_safetensors.cpp — the safetensors loader: parse_safetensors (core/safetensors),
// then, for a file that parses, model_from_safetensors (model/weights) and one forward
// pass of the rebuilt network on a zero input — what `ordgrad eval --model X.safetensors`
// does. Input: the whole file.
#include "core/check.h"
#include "core/graph.h"
#include "fuzz/fuzz_common.h"
#include "model/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file(reinterpret_cast<const char*>(data), size);
  try {
    const og::SafeTensors s = og::parse_safetensors(file, "fuzz.safetensors");
    og::Model m = og::model_from_safetensors(s, "fuzz.safetensors");
    og::Graph g;
    g.set_grad_enabled(false);
    g.set_training(false);
    std::vector<int64_t> dims{1};
    for (int i = 0; i < m.info.input.nd; ++i) dims.push_back(m.info.input[i]);
    const og::Var out = m.net->forward(g.input(og::Tensor::zeros(og::Shape::of(dims))));
    if (!(out.shape().nd == 2 && out.shape()[0] == 1 && out.shape()[1] == m.info.outputs()))
      __builtin_trap();   // a loaded model must produce its declared outputs
  } catch (const og::Error&) {
  }
  return 0;
}
