// architecture.cpp — parsing, printing and building the architecture text (see
// architecture.h). What each layer word takes and builds is in one table,
// model/words.cpp; this file knows the syntax, residual blocks, fusion and aliases.
#include "model/architecture.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/linear.h"
#include "layers/residual.h"
#include "model/words.h"

namespace og {

void ParamBudget::take(int64_t n) {
  OG_CHECK(limit_ < 0 || n <= limit_ - used_, "architecture '", text_, "' needs more than the ", limit_,
           " parameters the file stores");
  used_ += n;
}

namespace {

constexpr size_t kMaxText = 1 << 16;  // characters: a model file's text is bounded too
constexpr int kMaxDepth = 16;         // res( nesting

using namespace arch;

std::string num_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Recursive descent over the text; positions are 0-based here, 1-based in errors.
class Parser {
 public:
  explicit Parser(const Ctx& c) : c_(c), s_(c.text) {}

  std::vector<Layer> parse() {
    if (s_.size() > kMaxText) c_.fail(0, cat("longer than ", kMaxText, " characters"));
    std::vector<Layer> net = list(0);
    skip();
    if (i_ < s_.size()) c_.fail(i_, "expected ',' between layers or the end of the text");
    return net;
  }

 private:
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char ch) {
    skip();
    if (i_ < s_.size() && s_[i_] == ch) return ++i_, true;
    return false;
  }
  std::string ident() {
    skip();
    const size_t b = i_;
    // Letters, digits, '_' and '-': a misspelt word is reported whole ("count-cnm").
    while (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                              (i_ > b && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-'))))
      ++i_;
    return s_.substr(b, i_ - b);
  }

  std::vector<Layer> list(int depth) {
    std::vector<Layer> out;
    do out.push_back(layer(depth));
    while (eat(','));
    return out;
  }

  Layer layer(int depth) {
    skip();
    Layer l;
    l.pos = i_;
    l.word = ident();
    if (l.word.empty()) c_.fail(i_, cat("expected a layer (", known_words(), ")"));
    const Def* d = find_word(l.word);
    if (!d)
      c_.fail(l.pos, cat("unknown layer or network '", l.word, "' (networks: fashion-cnn, count-cnn, "
                         "mlp:H1,H2,..., linear, resnet8; layers: ", known_words(), ")"));
    if (l.word == "res") {
      if (depth >= kMaxDepth) c_.fail(l.pos, cat("res nested more than ", kMaxDepth, " deep"));
      if (!eat('(')) c_.fail(i_, "expected '(' after res: res(LAYER, ...)");
      l.body = list(depth + 1);
      if (!eat(')')) c_.fail(i_, "expected ',' or ')' in res(...)");
      return l;
    }
    std::vector<bool> given(d->params.size(), false);
    l.values.assign(d->params.size(), kNone);
    if (eat('(')) {
      if (d->params.empty()) c_.fail(i_ - 1, cat(l.word, " takes no arguments"));
      size_t next = 0;  // positional arguments fill the parameters in order
      do {
        skip();
        const size_t at = i_;
        size_t idx = next;
        const size_t save = i_;
        const std::string key = ident();
        if (!key.empty() && eat('=')) {
          idx = d->params.size();
          for (size_t k = 0; k < d->params.size(); ++k)
            if (key == d->params[k].name) idx = k;
          if (idx == d->params.size()) c_.fail(at, cat(l.word, " has no argument '", key, "' (", d->w.syntax, ")"));
        } else {
          i_ = save;
          if (next >= d->params.size()) c_.fail(at, cat("too many arguments: ", d->w.syntax));
          ++next;
        }
        if (given[idx]) c_.fail(at, cat(l.word, ": argument '", d->params[idx].name, "' given twice"));
        given[idx] = true;
        l.values[idx] = number(l, d->params[idx]);
      } while (eat(','));
      if (!eat(')')) c_.fail(i_, cat("expected ',' or ')' in ", d->w.syntax));
    }
    for (size_t k = 0; k < d->params.size(); ++k) {
      const ParamDef& p = d->params[k];
      if (given[k]) continue;
      if (p.same_as >= 0) l.values[k] = l.values[size_t(p.same_as)];
      else if (std::isnan(p.fallback)) c_.fail(l.pos, cat(l.word, " needs its argument '", p.name, "': ", d->w.syntax));
      else l.values[k] = p.fallback;
    }
    return l;
  }

  double number(const Layer& l, const ParamDef& p) {
    skip();
    const size_t at = i_;
    size_t e = i_;
    while (e < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[e])) || std::strchr("+-.eE", s_[e]))) ++e;
    const std::string tok = s_.substr(i_, e - i_);
    char* end = nullptr;
    const double v = std::strtod(tok.c_str(), &end);
    if (tok.empty() || *end != '\0' || !std::isfinite(v))
      c_.fail(at, cat("expected a number for ", l.word, "'s ", p.name));
    if (v < p.lo || v > p.hi || (p.integer && v != std::floor(v)))
      c_.fail(at, cat(l.word, "'s ", p.name, " must be ", p.integer ? "a whole number " : "", "in [", num_text(p.lo),
                      ", ", num_text(p.hi), "], got ", tok));
    i_ = e;
    return v;
  }

  const Ctx& c_;
  const std::string& s_;
  size_t i_ = 0;
};

std::string print(const std::vector<Layer>& net) {
  std::string s;
  for (const Layer& l : net) {
    s += (s.empty() ? "" : ", ") + l.word;
    if (l.word == "res") {
      s += "(" + print(l.body) + ")";
      continue;
    }
    const Def& d = *find_word(l.word);
    std::string args;
    for (size_t k = 0; k < d.params.size(); ++k) {
      const ParamDef& p = d.params[k];
      const bool required = std::isnan(p.fallback) && p.same_as < 0;
      const double def = p.same_as >= 0 ? l.values[size_t(p.same_as)] : p.fallback;
      if (required) args += (args.empty() ? "" : ",") + num_text(l.values[k]);
      else if (l.values[k] != def) args += (args.empty() ? "" : ",") + std::string(p.name) + "=" + num_text(l.values[k]);
    }
    if (!args.empty()) s += "(" + args + ")";
  }
  return s;
}

std::unique_ptr<Sequential> build_seq(const std::vector<Layer>& layers, Shape& s, Ctx& c);

// res(...): the body, and the projection that joins x to it where the shape changes.
std::unique_ptr<Module> build_res(const Layer& l, Shape& s, Ctx& c) {
  const Shape in = s;
  auto body = build_seq(l.body, s, c);
  std::unique_ptr<Module> proj;
  if (s != in) {
    c.need(s.nd == in.nd && (s.nd == 1 || s.nd == 3), l,
           cat("its body maps ", in, " to ", s, ", which no projection can join"));
    if (s.nd == 1) {
      c.budget.take(Linear::parameter_count(int(in[0]), int(s[0]), true));
      proj = std::make_unique<Linear>(int(in[0]), int(s[0]), c.rng);
    } else {
      int64_t stride = 0;  // the smallest that maps H -> H' and W -> W' as a 1x1 conv
      for (int64_t t = 255; t >= 1; --t)
        if ((in[1] - 1) / t + 1 == s[1] && (in[2] - 1) / t + 1 == s[2]) stride = t;
      c.need(stride > 0, l, cat("its body maps ", in, " to ", s, ", which no 1x1 convolution with one stride matches"));
      c.budget.take(Conv2d::parameter_count(int(in[0]), int(s[0]), 1, true));
      proj = std::make_unique<Conv2d>(int(in[0]), int(s[0]), 1, int(stride), 0, c.rng);
    }
  }
  return std::make_unique<Residual>(std::move(body), std::move(proj));
}

// Sets the module's fused relu if it has one; false if it has none.
bool fuse_relu_into(Module& m) {
  if (auto* cv = dynamic_cast<Conv2d*>(&m)) return cv->fuse_relu = true;
  if (auto* d = dynamic_cast<Linear*>(&m)) return d->fuse_relu = true;
  if (auto* bn = dynamic_cast<BatchNorm*>(&m)) return bn->fuse_relu = true;
  if (auto* r = dynamic_cast<Residual*>(&m)) return r->fuse_relu = true;
  return false;
}

// The modules of a layer list, shape threaded through; a relu after conv, dense, bn
// or res(...) is fused into it (the same values; one node and one pass fewer each way).
std::unique_ptr<Sequential> build_seq(const std::vector<Layer>& layers, Shape& s, Ctx& c) {
  auto seq = std::make_unique<Sequential>();
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    std::unique_ptr<Module> m = l.word == "res" ? build_res(l, s, c) : find_word(l.word)->build(l, s, c);
    if (i + 1 < layers.size() && layers[i + 1].word == "relu" && fuse_relu_into(*m)) ++i;
    seq->add(std::move(m));
  }
  return seq;
}

std::string widths_text(const std::string& spec, const std::string& list) {
  std::string out;
  size_t b = 0;
  while (true) {
    const size_t e = list.find(',', b);
    const std::string item = list.substr(b, e == std::string::npos ? std::string::npos : e - b);
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    OG_CHECK(!item.empty() && *end == '\0' && v > 0 && v <= 1 << 20, "model '", spec, "': bad layer width '",
             item, "'");
    out += cat(", dense(", v, "), relu");
    if (e == std::string::npos) return out;
    b = e + 1;
  }
}

const char* const kFashionCnn =
    "conv(32,3,pad=1), relu, maxpool(2), conv(64,3,pad=1), relu, maxpool(2), flatten, dense(128), relu";
const char* const kCountCnn =
    "conv(32,3,pad=1), relu, maxpool(2), conv(64,3,pad=1), relu, maxpool(2), conv(64,3,pad=1), relu, "
    "flatten, dense(128), relu";

std::string resnet_block(int C, int stride) {
  const std::string s = stride == 1 ? "" : cat(",stride=", stride);
  return cat("res(conv(", C, ",3", s, ",pad=1,bias=0), bn, relu, conv(", C, ",3,pad=1,bias=0), bn), relu");
}

// The alias's text, or "" if name is not an alias.
std::string alias_text(const std::string& name) {
  if (name == "fashion-cnn") return kFashionCnn;
  if (name == "count-cnn") return kCountCnn;
  if (name == "linear") return "flatten";
  if (name.rfind("mlp:", 0) == 0) return "flatten" + widths_text(name, name.substr(4));
  if (name == "resnet8")
    return "conv(16,3,pad=1,bias=0), bn, relu, " + resnet_block(16, 1) + ", " + resnet_block(32, 2) + ", " +
           resnet_block(64, 2) + ", gap";
  return "";
}

std::string resolve(const std::string& name_or_text) {
  const std::string alias = alias_text(name_or_text);
  return alias.empty() ? name_or_text : alias;
}

}  // namespace

std::string canonical_architecture(const std::string& name_or_text) {
  const std::string text = resolve(name_or_text);
  Rng unused(0);
  ParamBudget none;
  return print(Parser(Ctx{text, unused, none}).parse());
}

std::unique_ptr<Sequential> build_architecture(const std::string& name_or_text, const Shape& input, Rng& rng,
                                               ParamBudget& budget, Shape* output) {
  const std::string text = resolve(name_or_text);
  Ctx c{text, rng, budget};
  const std::vector<Layer> layers = Parser(c).parse();
  Shape s = input;
  auto net = build_seq(layers, s, c);
  if (output) *output = s;
  return net;
}

std::vector<ArchitectureAlias> architecture_aliases() {
  return {{"fashion-cnn", alias_text("fashion-cnn")},
          {"count-cnn", alias_text("count-cnn")},
          {"mlp:H1,H2", alias_text("mlp:64,64")},
          {"linear", alias_text("linear")},
          {"resnet8", alias_text("resnet8")}};
}

const std::vector<LayerWord>& architecture_words() {
  static const std::vector<LayerWord> out = [] {
    std::vector<LayerWord> w;
    for (const Def& d : words()) w.push_back(d.w);
    return w;
  }();
  return out;
}

}  // namespace og
