// architecture.h — networks as text: the one-line language that `--model` takes and
// that a model file stores, and the builder that turns it into modules.
//
//   net    := layer (',' layer)*
//   layer  := word ['(' args ')']  |  'res' '(' net ')'
//   args   := arg (',' arg)*,  arg := number | key '=' number
// e.g. "conv(32,3,pad=1), relu, maxpool(2), flatten, dense(128), relu". Words and
// their arguments (positional in this order, or by key; [..] = optional, its default):
//   conv(OUT, K, stride=1, pad=0, bias=1)   maxpool(K, stride=K)   avgpool(K, stride=K)
//   gap (global average pool)   flatten   dense(OUT, bias=1)   bn(momentum=0.1, eps=1e-5)
//   dropout(P)   relu   leakyrelu(slope=0.01)   sigmoid   tanh
//   res(net): y = net(x) + x, with a 1x1 projection where net changes the shape
// Shapes are inferred from the input (C,H,W or F), so a layer states only its outputs.
// A relu right after conv or dense is fused into that layer's node (same values).
// Aliases expand to text: fashion-cnn, count-cnn, mlp:H1,H2,..., linear, resnet8.
// The canonical text (canonical_architecture) spells every layer the same way and
// omits default arguments: that is what model files store and `inspect` prints.
// Mistakes throw og::Error naming the character position and what was expected.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "layers/sequential.h"

namespace og {

// Parameters the layers may still take, counted before each module is built (from
// the modules' static parameter_count): a model file whose text asks for more weights
// than the file stores fails before any allocation. limit < 0: no limit.
class ParamBudget {
 public:
  explicit ParamBudget(int64_t limit = -1, std::string text = "") : limit_(limit), text_(std::move(text)) {}
  void take(int64_t n);  // throws og::Error when the total would pass the limit
  int64_t used() const { return used_; }

 private:
  int64_t limit_, used_ = 0;
  std::string text_;  // the architecture, for the error
};

// The alias's text, or the text itself checked and in canonical form.
std::string canonical_architecture(const std::string& name_or_text);

// The modules of the text (no head) for one example of shape `input` (C,H,W or F),
// initialised from rng in text order; *output gets the shape they produce.
std::unique_ptr<Sequential> build_architecture(const std::string& name_or_text, const Shape& input,
                                               Rng& rng, ParamBudget& budget, Shape* output);

struct ArchitectureAlias {
  const char* name;  // "mlp:H1,H2" stands for mlp:<widths>
  std::string text;  // expansion (mlp shown for widths 64,64)
};
std::vector<ArchitectureAlias> architecture_aliases();

// Every word of the language with the layers/ class it builds and a text using it
// (tests check that every Module in layers/ has one, and help lists them).
struct LayerWord {
  const char* word;
  const char* module;   // the C++ class, e.g. "Conv2d"
  const char* syntax;   // e.g. "conv(OUT,K,stride=1,pad=0,bias=1)"
  const char* example;  // a whole text that uses it, for a [1,16,16] input
};
const std::vector<LayerWord>& architecture_words();

}  // namespace og
