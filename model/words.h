// words.h — the table of layer words of the architecture language (internal to model/).
// Each word lists its arguments (name, default, range) and builds its module from an
// input shape, which it updates to the output shape. model/architecture.cpp parses
// text against this table; model/words.cpp holds it. Adding a layer: one entry there.
#pragma once
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "model/architecture.h"

namespace og::arch {

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

struct ParamDef {
  const char* name;
  double fallback;      // kNone: required
  double lo, hi;        // allowed range, inclusive
  bool integer = true;
  int same_as = -1;     // missing: the value of parameter same_as (pool stride = kernel)
};

// One parsed layer; `values` are resolved: one per ParamDef of its word.
struct Layer {
  std::string word;
  size_t pos = 0;  // 0-based character where the word starts
  std::vector<double> values;
  std::vector<Layer> body;  // res
};

struct Ctx;
using Build = std::function<std::unique_ptr<Module>(const Layer&, Shape&, Ctx&)>;

struct Def {
  LayerWord w;
  std::vector<ParamDef> params;
  Build build;  // null for res (model/architecture.cpp builds it)
};

struct Ctx {
  const std::string& text;
  Rng& rng;
  ParamBudget& budget;
  [[noreturn]] void fail(size_t pos, const std::string& what) const {
    const std::string near = text.substr(pos, 24);
    throw Error(cat("architecture '", text.size() > 200 ? text.substr(0, 200) + "..." : text,
                    "': at character ", pos + 1, " ('", near, near.size() < text.size() - pos ? "...'" : "'",
                    "): ", what));
  }
  void need(bool ok, const Layer& l, const std::string& what) const {
    if (!ok) fail(l.pos, l.word + ": " + what);
  }
};

const std::vector<Def>& words();
const Def* find_word(const std::string& w);  // null if unknown
std::string known_words();                   // "conv, maxpool, ..."

}  // namespace og::arch
