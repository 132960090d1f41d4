// The architecture language (model/architecture.h): canonical text, errors with
// positions, aliases, shapes, parameter counts, residual blocks, and a check that
// every module in layers/ can be written in it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <typeinfo>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "helpers.h"
#include "layers/residual.h"
#include "model/architecture.h"
#include "model/model.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

int64_t numel_of(Module& m) {
  int64_t n = 0;
  for (const NamedParam& p : m.parameters()) n += p.param->value.numel();
  return n;
}

std::unique_ptr<Sequential> build(const std::string& text, const Shape& in, Shape* out = nullptr,
                                  ParamBudget* budget = nullptr) {
  Rng rng(1);
  ParamBudget none;
  return build_architecture(text, in, rng, budget ? *budget : none, out);
}

// The C++ class names of every module in the tree (Residual bodies included).
void class_names(Module& m, std::vector<std::string>& out) {
  out.push_back(typeid(m).name());  // mangled, e.g. "N2og6Conv2dE": contains "6Conv2d"
  if (auto* s = dynamic_cast<Sequential*>(&m))
    for (size_t i = 0; i < s->size(); ++i) class_names((*s)[i], out);
  if (auto* r = dynamic_cast<Residual*>(&m)) {
    class_names(r->body(), out);
    if (r->projection()) class_names(*r->projection(), out);
  }
}

bool contains_class(Module& m, const std::string& cls) {
  std::vector<std::string> names;
  class_names(m, names);
  const std::string mangled = std::to_string(cls.size()) + cls;
  for (const std::string& n : names)
    if (n.find(mangled) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("architecture text: canonical form, positional and keyword arguments, defaults") {
  CHECK(canonical_architecture("conv( 32 , 3 , 1 , 1 ),relu") == "conv(32,3,pad=1), relu");
  CHECK(canonical_architecture("conv(32,3,stride=1,pad=1,bias=1)") == "conv(32,3,pad=1)");
  CHECK(canonical_architecture("conv(out=8,k=5,bias=0)") == "conv(8,5,bias=0)");
  CHECK(canonical_architecture("maxpool(2,stride=2), avgpool(3, 1)") == "maxpool(2), avgpool(3,stride=1)");
  CHECK(canonical_architecture("bn(momentum=0.1), bn(0.2, eps=1e-3), dropout(0.5)") ==
        "bn, bn(momentum=0.2,eps=0.001), dropout(0.5)");
  CHECK(canonical_architecture("leakyrelu(slope=0.01), leakyrelu(0.2), sigmoid, tanh, gap") ==
        "leakyrelu, leakyrelu(slope=0.2), sigmoid, tanh, gap");
  CHECK(canonical_architecture("res( conv(4,3,pad=1) , res(relu) ), flatten") == "res(conv(4,3,pad=1), res(relu)), flatten");
  // Canonical text is a fixed point, and every alias expands to text.
  for (const ArchitectureAlias& a : architecture_aliases()) {
    INFO(a.name);
    CHECK(canonical_architecture(a.text) == a.text);
  }
  CHECK(canonical_architecture("linear") == "flatten");
  CHECK(canonical_architecture("mlp:64,32") == "flatten, dense(64), relu, dense(32), relu");
  CHECK(canonical_architecture("fashion-cnn") ==
        "conv(32,3,pad=1), relu, maxpool(2), conv(64,3,pad=1), relu, maxpool(2), flatten, dense(128), relu");
}

TEST_CASE("architecture text: a mistake is one line naming the position and what was expected") {
  struct Bad {
    const char* text;
    const char* expect;
  };
  const Bad bad[] = {
      {"conv(32,3), relu, maxpol(2)", "at character 19 ('maxpol(2)'): unknown layer or network 'maxpol'"},
      {"conv(32)", "at character 1 ('conv(32)'): conv needs its argument 'k': conv(OUT,K,stride=1,pad=0,bias=1)"},
      {"conv(32,3,pad=-1)", "at character 15 ('-1)'): conv's pad must be a whole number in [0, 255], got -1"},
      {"conv(32,3", "at character 10 (''): expected ',' or ')' in conv(OUT,K"},
      {"relu(2)", "at character 5 ('(2)'): relu takes no arguments"},
      {"dense(0)", "dense's out must be a whole number in [1, 16777216], got 0"},
      {"dense(2.5)", "dense's out must be a whole number"},
      {"conv(32,3) relu", "at character 12 ('relu'): expected ',' between layers or the end of the text"},
      {"res()", "at character 5 (')'): expected a layer"},
      {"conv(32,3,stride=2,stride=1)", "at character 20 ('stride=1)'): conv: argument 'stride' given twice"},
      {"conv(32,3,foo=1)", "conv has no argument 'foo'"},
      {"conv(32,3,1,1,1,1)", "too many arguments"},
      {"", "at character 1 (''): expected a layer"},
      {"relu,", "at character 6 (''): expected a layer"},
      {"dropout(1)", "dropout's p must be in [0, 0.999], got 1"},
      {"conv(4,x)", "at character 8 ('x)'): expected a number for conv's k"},
      {"res relu", "expected '(' after res"},
      {"count-cnm", "unknown layer or network 'count-cnm' (networks: fashion-cnn, count-cnn, mlp:H1,H2,..., linear, "
                    "resnet8; layers: conv, maxpool"},
      {"mlp:64,x", "model 'mlp:64,x': bad layer width 'x'"},
  };
  for (const Bad& b : bad) {
    INFO(std::string(b.text));
    const std::string msg = test::error_of([&] { canonical_architecture(b.text); });
    CHECK_MESSAGE(msg.find(b.expect) != std::string::npos, msg);
    CHECK(msg.find('\n') == std::string::npos);
  }
  std::string deep = "relu";
  for (int i = 0; i < 17; ++i) deep = "res(" + deep + ")";
  CHECK(test::error_of([&] { canonical_architecture(deep); }).find("res nested more than 16 deep") != std::string::npos);
}

TEST_CASE("architecture shapes: inferred, and a layer that does not fit says where and why") {
  Shape out;
  build("conv(8,3,stride=2,pad=1), maxpool(2), avgpool(2,stride=1)", Shape{3, 16, 20}, &out);
  CHECK(out == Shape{8, 3, 4});  // 16x20 -> 8x10 -> 4x5 -> 3x4
  build("conv(8,3), gap", Shape{1, 5, 5}, &out);
  CHECK(out == Shape{8});
  build("flatten, dense(7), bn, dropout(0.1), tanh", Shape{2, 3, 4}, &out);
  CHECK(out == Shape{7});
  const std::string e1 = test::error_of([] { build("conv(8,3), relu, dense(4)", Shape{1, 8, 8}); });
  CHECK(e1.find("at character 18 ('dense(4)'): dense: needs a flat input, got [8,6,6]: put flatten or gap before it") !=
        std::string::npos);
  CHECK(test::error_of([] { build("conv(8,5)", Shape{1, 4, 4}); }).find("kernel 5 does not fit the input [1,4,4]") !=
        std::string::npos);
  CHECK(test::error_of([] { build("conv(8,3)", Shape{12}); }).find("conv: needs an input C,H,W, got [12]") !=
        std::string::npos);
  CHECK(test::error_of([] { build("maxpool(9)", Shape{1, 8, 8}); }).find("window 9 does not fit") != std::string::npos);
  // The head needs a flat input.
  const std::string e2 = test::error_of([] { make_model({"conv(4,3)", Shape{1, 8, 8}, "ce", 3, 0, 1, {}, {}, 0}, 0); });
  CHECK(e2.find("ends with [4,6,6] per example; the head needs a flat input: end it with flatten or gap") !=
        std::string::npos);
}

TEST_CASE("aliases build the networks older model files hold: names, shapes, fused relus") {
  Model m = make_model({"fashion-cnn", Shape{1, 28, 28}, "ce", 10, 0, 1, {}, {}, 0}, 0);
  std::vector<std::string> names;
  std::vector<Shape> shapes;
  for (const NamedParam& p : m.net->parameters()) names.push_back(p.name), shapes.push_back(p.param->value.shape());
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias",
                                          "6.weight", "6.bias"});
  CHECK(shapes[4] == Shape{128, 3136});
  CHECK(m.net->describe() ==
        "sequential(conv2d_relu(1->32, k3 s1 p1), max_pool2d(k2 s2), conv2d_relu(32->64, k3 s1 p1), max_pool2d(k2 s2), "
        "flatten, linear(3136->128) +relu, linear(128->10))");
  Model c = make_model({"count-cnn", Shape{1, 32, 32}, "coral", 30, 0, 1, {}, {}, 0}, 0);
  CHECK(numel_of(*c.net) == 32 * 9 + 32 + 32 * 64 * 9 + 64 + 64 * 64 * 9 + 64 + 64 * 8 * 8 * 128 + 128 + 128 + 29);
  Model l = make_model({"linear", Shape{5}, "clm", 4, 0, 1, {}, {}, 0}, 0);
  CHECK(numel_of(*l.net) == 5 + 1 + 2);
}

TEST_CASE("resnet8: gray or RGB, any size from 16x16 up; parameters as the design counts them") {
  for (const Shape in : {Shape{1, 16, 16}, Shape{3, 16, 16}, Shape{3, 64, 64}, Shape{3, 17, 23}}) {
    INFO(in);
    Model m = make_model({"resnet8", in, "ce", 30, 0, 1, {}, {}, 0}, 0);
    const int64_t C = in[0];
    const int64_t stem = C * 16 * 9 + 2 * 16;
    const int64_t b1 = 2 * 16 * 16 * 9 + 4 * 16;
    const int64_t b2 = 16 * 32 * 9 + 32 * 32 * 9 + 4 * 32 + 16 * 32 + 32;  // + 1x1 projection with bias
    const int64_t b3 = 32 * 64 * 9 + 64 * 64 * 9 + 4 * 64 + 32 * 64 + 64;
    CHECK(numel_of(*m.net) == stem + b1 + b2 + b3 + 64 * 30 + 30);
    CHECK(m.net->buffers().size() == 14);  // running mean and variance of 7 batch norms
    Graph g;
    Rng rng(2);
    CHECK(m.net->forward(g.input(test::randn(Shape{2, in[0], in[1], in[2]}, rng))).shape() == Shape{2, 30});
  }
}

TEST_CASE("parameter counts come from the modules, and a budget stops a build before it allocates") {
  const char* texts[] = {"conv(8,3,pad=1), bn, relu, res(conv(8,3,pad=1), bn), res(conv(16,3,stride=2,pad=1)), gap",
                         "flatten, dense(9), bn, res(dense(5), tanh), dense(3,bias=0)", "resnet8", "count-cnn"};
  for (const char* t : texts) {
    INFO(t);
    ParamBudget counted;
    auto net = build(t, Shape{3, 16, 16}, nullptr, &counted);
    CHECK(counted.used() == numel_of(*net));
    ParamBudget tight(counted.used() - 1, t);
    CHECK(test::error_of([&] { build(t, Shape{3, 16, 16}, nullptr, &tight); })
              .find("needs more than the " + std::to_string(counted.used() - 1) + " parameters the file stores") !=
          std::string::npos);
  }
}

TEST_CASE("residual blocks: identity or projection, and gradients through both branches") {
  auto same = build("res(conv(4,3,pad=1), relu)", Shape{4, 6, 6});
  auto* r = dynamic_cast<Residual*>(&(*same)[0]);
  REQUIRE(r);
  CHECK(r->projection() == nullptr);
  auto down = build("res(conv(8,3,stride=2,pad=1), bn)", Shape{4, 7, 7});
  r = dynamic_cast<Residual*>(&(*down)[0]);
  REQUIRE(r);
  REQUIRE(r->projection());
  CHECK(r->projection()->describe() == "conv2d(4->8, k1 s2 p0)");
  auto flat = build("res(dense(3))", Shape{5});
  CHECK(dynamic_cast<Residual*>(&(*flat)[0])->projection()->describe() == "linear(5->3)");
  CHECK(test::error_of([] { build("res(conv(4,3))", Shape{1, 8, 8}); })
            .find("res: its body maps [1,8,8] to [4,6,6], which no 1x1 convolution with one stride matches") !=
        std::string::npos);
  CHECK(test::error_of([] { build("res(gap)", Shape{2, 4, 4}); }).find("which no projection can join") !=
        std::string::npos);

  // Whole-block gradient check: input and every parameter, projection included.
  for (const char* t : {"res(conv(3,3,pad=1), tanh, conv(3,3,pad=1))", "res(conv(5,3,stride=2,pad=1), sigmoid)"}) {
    INFO(t);
    auto net = build(t, Shape{3, 5, 5});
    Graph g;
    Rng rng(3);
    Var x = g.leaf(test::randn(Shape{2, 3, 5, 5}, rng));
    std::vector<Var> wrt{x};
    for (const NamedParam& p : net->parameters()) wrt.push_back(g.param(*p.param));
    Var y = net->forward(x);
    const GradCheckResult res = grad_check(g, y, wrt);
    CHECK_MESSAGE(res.ok, res.report);
  }
}

TEST_CASE("every Module in layers/ can be written in the architecture language") {
  // Scan the headers for classes deriving from Module: a new layer without a word fails here.
  std::vector<std::string> classes;
  const std::regex decl(R"(class\s+(\w+)\s*:\s*public\s+Module\b)");
  for (const auto& f : fs::directory_iterator("layers")) {
    if (f.path().extension() != ".h") continue;
    const std::string text = test::read_file(f.path().string());
    for (std::sregex_iterator it(text.begin(), text.end(), decl), end; it != end; ++it) classes.push_back((*it)[1]);
  }
  REQUIRE(classes.size() >= 14);  // the scan ran from the repository root
  // Written otherwise: the text itself is a Sequential; heads come from the loss (model/heads.h).
  const std::vector<std::string> not_words = {"Sequential", "CoralHead", "ClmHead"};
  for (const std::string& cls : classes) {
    INFO(cls);
    if (std::find(not_words.begin(), not_words.end(), cls) != not_words.end()) continue;
    const LayerWord* w = nullptr;
    for (const LayerWord& lw : architecture_words())
      if (cls == lw.module) w = &lw;
    REQUIRE_MESSAGE(w, "no word of the architecture language builds ", cls, " (model/words.cpp, words())");
    auto net = build(w->example, Shape{1, 16, 16});  // the example really builds that class
    CHECK(contains_class(*net, cls));
    CHECK(canonical_architecture(w->example).find(w->word) != std::string::npos);
  }
  // The heads are reachable through their losses.
  CHECK(contains_class(*make_model({"linear", Shape{4}, "coral", 3, 0, 1, {}, {}, 0}, 0).net, "CoralHead"));
  CHECK(contains_class(*make_model({"linear", Shape{4}, "clm", 3, 0, 1, {}, {}, 0}, 0).net, "ClmHead"));
}
