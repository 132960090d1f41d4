// words.cpp — every layer word of the architecture language: its arguments, and how
// it turns an input shape into a module and an output shape (see words.h).
#include "model/words.h"

#include "layers/activation.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/dropout.h"
#include "layers/linear.h"
#include "layers/pool2d.h"

namespace og::arch {

namespace {

int iv(const Layer& l, int i) { return static_cast<int>(l.values[size_t(i)]); }

std::unique_ptr<Module> conv(const Layer& l, Shape& s, Ctx& c) {
  c.need(s.nd == 3, l, cat("needs an input C,H,W, got ", s));
  const int O = iv(l, 0), K = iv(l, 1), S = iv(l, 2), P = iv(l, 3);
  const int64_t C = s[0], H = s[1] + 2 * P, W = s[2] + 2 * P;
  c.need(H >= K && W >= K, l, cat("kernel ", K, " does not fit the input ", s, " padded by ", P));
  c.budget.take(Conv2d::parameter_count(int(C), O, K, iv(l, 4)));
  s = Shape{O, (H - K) / S + 1, (W - K) / S + 1};
  return std::make_unique<Conv2d>(int(C), O, K, S, P, c.rng, iv(l, 4) == 1);
}

template <class Pool>
std::unique_ptr<Module> pool(const Layer& l, Shape& s, Ctx& c) {
  c.need(s.nd == 3, l, cat("needs an input C,H,W, got ", s));
  const int K = iv(l, 0), S = iv(l, 1);
  c.need(s[1] >= K && s[2] >= K, l, cat("window ", K, " does not fit the input ", s));
  s = Shape{s[0], (s[1] - K) / S + 1, (s[2] - K) / S + 1};
  return std::make_unique<Pool>(K, S);
}

std::unique_ptr<Module> dense(const Layer& l, Shape& s, Ctx& c) {
  c.need(s.nd == 1, l, cat("needs a flat input, got ", s, ": put flatten or gap before it"));
  const int in = int(s[0]), out = iv(l, 0);
  c.budget.take(Linear::parameter_count(in, out, iv(l, 1)));
  s = Shape{out};
  return std::make_unique<Linear>(in, out, c.rng, iv(l, 1) == 1);
}

}  // namespace

const std::vector<Def>& words() {
  static const std::vector<Def> defs = {
      {{"conv", "Conv2d", "conv(OUT,K,stride=1,pad=0,bias=1)", "conv(4,3,stride=2,pad=1), relu, conv(2,1,bias=0)"},
       {{"out", kNone, 1, 65536}, {"k", kNone, 1, 255}, {"stride", 1, 1, 255}, {"pad", 0, 0, 255}, {"bias", 1, 0, 1}},
       conv},
      {{"maxpool", "MaxPool2d", "maxpool(K,stride=K)", "maxpool(2), maxpool(3,stride=1)"},
       {{"k", kNone, 1, 65536}, {"stride", kNone, 1, 65536, true, 0}},
       pool<MaxPool2d>},
      {{"avgpool", "AvgPool2d", "avgpool(K,stride=K)", "avgpool(2), avgpool(3,stride=2)"},
       {{"k", kNone, 1, 65536}, {"stride", kNone, 1, 65536, true, 0}},
       pool<AvgPool2d>},
      {{"gap", "GlobalAvgPool", "gap", "conv(3,3), gap"},
       {},
       [](const Layer& l, Shape& s, Ctx& c) -> std::unique_ptr<Module> {
         c.need(s.nd == 3, l, cat("needs an input C,H,W, got ", s));
         s = Shape{s[0]};
         return std::make_unique<GlobalAvgPool>();
       }},
      {{"flatten", "Flatten", "flatten", "flatten, dense(5)"},
       {},
       [](const Layer&, Shape& s, Ctx&) -> std::unique_ptr<Module> {
         s = Shape{s.numel()};
         return std::make_unique<Flatten>();
       }},
      {{"dense", "Linear", "dense(OUT,bias=1)", "flatten, dense(8), relu, dense(4,bias=0)"},
       {{"out", kNone, 1, 1 << 24}, {"bias", 1, 0, 1}},
       dense},
      {{"bn", "BatchNorm", "bn(momentum=0.1,eps=1e-5)", "conv(4,3), bn, relu, flatten, dense(3), bn(momentum=0.2)"},
       {{"momentum", 0.1, 0, 1, false}, {"eps", 1e-5, 1e-12, 1, false}},
       [](const Layer& l, Shape& s, Ctx& c) -> std::unique_ptr<Module> {
         c.need(s.nd == 1 || s.nd == 3, l, cat("needs an input C,H,W or F, got ", s));
         c.budget.take(BatchNorm::parameter_count(int(s[0])));
         return std::make_unique<BatchNorm>(int(s[0]), float(l.values[0]), float(l.values[1]));
       }},
      {{"dropout", "Dropout", "dropout(P)", "flatten, dropout(0.25), dense(4)"},
       {{"p", kNone, 0, 0.999, false}},
       [](const Layer& l, Shape&, Ctx& c) -> std::unique_ptr<Module> {
         return std::make_unique<Dropout>(float(l.values[0]), c.rng);
       }},
      {{"relu", "ReLU", "relu", "gap, relu"},
       {},
       [](const Layer&, Shape&, Ctx&) -> std::unique_ptr<Module> { return std::make_unique<ReLU>(); }},
      {{"leakyrelu", "LeakyReLU", "leakyrelu(slope=0.01)", "leakyrelu, leakyrelu(0.2)"},
       {{"slope", 0.01, 0, 1, false}},
       [](const Layer& l, Shape&, Ctx&) -> std::unique_ptr<Module> {
         return std::make_unique<LeakyReLU>(float(l.values[0]));
       }},
      {{"sigmoid", "Sigmoid", "sigmoid", "sigmoid"},
       {},
       [](const Layer&, Shape&, Ctx&) -> std::unique_ptr<Module> { return std::make_unique<Sigmoid>(); }},
      {{"tanh", "Tanh", "tanh", "tanh"},
       {},
       [](const Layer&, Shape&, Ctx&) -> std::unique_ptr<Module> { return std::make_unique<Tanh>(); }},
      {{"res", "Residual", "res(LAYER, ...)",
        "res(conv(1,3,pad=1), relu), res(conv(4,3,stride=2,pad=1), bn), flatten, res(dense(8), tanh)"},
       {},
       nullptr},
  };
  return defs;
}

const Def* find_word(const std::string& w) {
  for (const Def& d : words())
    if (w == d.w.word) return &d;
  return nullptr;
}

std::string known_words() {
  std::string s;
  for (const Def& d : words()) s += std::string(s.empty() ? "" : ", ") + d.w.word;
  return s;
}

}  // namespace og::arch
