// models.cpp — the named architectures of models.h.
#include "layers/models.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>

#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/linear.h"
#include "layers/ordinal_head.h"
#include "losses/spec.h"
#include "layers/pool2d.h"

namespace og {

namespace {
std::vector<int> parse_widths(const std::string& text, const std::string& spec) {
  std::vector<int> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    OG_CHECK(!item.empty() && *end == '\0' && v > 0 && v <= 1 << 20, "model '", spec,
             "': bad layer width '", item, "'");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

// Parameters the layers may still take, counted before each layer is built: a model
// file whose metadata asks for more weights than the file stores fails here, before
// any allocation, instead of allocating what a few corrupt bytes asked for. left < 0:
// no limit (a fresh model).
struct ParamBudget {
  const std::string& spec;
  int64_t stored, left;
  void take(int64_t n) {
    if (left < 0) return;
    OG_CHECK(n <= left, "model '", spec, "': the architecture needs more than the ", stored,
             " parameters the file stores");
    left -= n;
  }
};

std::unique_ptr<Linear> dense(int in, int out, Rng& rng, bool relu, ParamBudget& budget) {
  budget.take(int64_t(in) * out + out);
  auto l = std::make_unique<Linear>(in, out, rng);
  l->fuse_relu = relu;
  return l;
}

std::unique_ptr<Module> make_head(const std::string& head, int in, int K, Rng& rng,
                                  ParamBudget& budget) {
  if (head == "softmax") return dense(in, K, rng, false, budget);
  if (head == "corn") return dense(in, K - 1, rng, false, budget);
  if (head == "regression") return dense(in, 1, rng, false, budget);
  if (head == "coral" || head == "clm") budget.take(int64_t(in) + K - 1);   // weight, K-1 cuts
  if (head == "coral") return std::make_unique<CoralHead>(in, K, rng);
  if (head == "clm") return std::make_unique<ClmHead>(in, K, rng);
  throw Error(cat("unknown head '", head, "' (known: softmax, coral, corn, clm, regression)"));
}
}  // namespace

std::string ModelInfo::head() const {
  const LossSpec s = LossSpec::parse(loss);
  if (s.head() == Head::softmax) return "softmax";
  if (s.head() == Head::regression) return "regression";
  return s.terms()[0].name;  // coral, corn or clm
}

int ModelInfo::outputs() const { return head_width(LossSpec::parse(loss).head(), classes); }

std::unique_ptr<Sequential> build_model(const std::string& spec, const Shape& input,
                                        const std::string& head, int classes, Rng& rng,
                                        int64_t max_params) {
  OG_CHECK(classes >= 2, "model '", spec, "': needs at least 2 classes, got ", classes);
  ParamBudget budget{spec, max_params, max_params};
  auto net = std::make_unique<Sequential>();
  if (spec == "fashion-cnn") {
    OG_CHECK(input.nd == 3 && input[1] % 4 == 0 && input[2] % 4 == 0, "model fashion-cnn: input ",
             input, " must be C,H,W with H and W multiples of 4");
    const int C = int(input[0]), H = int(input[1]), W = int(input[2]);
    budget.take(int64_t(C) * 32 * 9 + 32 + 32 * 64 * 9 + 64);
    auto c1 = std::make_unique<Conv2d>(C, 32, 3, 1, 1, rng);
    c1->fuse_relu = true;
    auto c2 = std::make_unique<Conv2d>(32, 64, 3, 1, 1, rng);
    c2->fuse_relu = true;
    net->add(std::move(c1));
    net->add(std::make_unique<MaxPool2d>(2, 2));
    net->add(std::move(c2));
    net->add(std::make_unique<MaxPool2d>(2, 2));
    net->add(std::make_unique<Flatten>());
    net->add(dense(64 * (H / 4) * (W / 4), 128, rng, true, budget));
    net->add(make_head(head, 128, classes, rng, budget));
    return net;
  }
  if (spec == "count-cnn") {  // counting objects: three convolutions keep the blobs' layout
    OG_CHECK(input.nd == 3 && input[1] % 4 == 0 && input[2] % 4 == 0, "model count-cnn: input ", input,
             " must be C,H,W with H and W multiples of 4");
    const int C = int(input[0]), H = int(input[1]), W = int(input[2]);
    const int widths[3] = {32, 64, 64};
    for (int i = 0, in = C; i < 3; in = widths[i++]) {
      budget.take(int64_t(in) * widths[i] * 9 + widths[i]);
      auto c = std::make_unique<Conv2d>(in, widths[i], 3, 1, 1, rng);
      c->fuse_relu = true;
      net->add(std::move(c));
      if (i < 2) net->add(std::make_unique<MaxPool2d>(2, 2));  // H/4 x W/4 after two pools
    }
    net->add(std::make_unique<Flatten>());
    net->add(dense(64 * (H / 4) * (W / 4), 128, rng, true, budget));
    net->add(make_head(head, 128, classes, rng, budget));
    return net;
  }
  const int features = static_cast<int>(input.numel());
  std::vector<int> hidden;
  if (spec.rfind("mlp:", 0) == 0) hidden = parse_widths(spec.substr(4), spec);
  else OG_CHECK(spec == "linear", "unknown model '", spec,
                "' (known: fashion-cnn, count-cnn, mlp:H1,H2,..., linear)");
  net->add(std::make_unique<Flatten>());
  int width = features;
  for (int h : hidden) {
    net->add(dense(width, h, rng, true, budget));
    width = h;
  }
  net->add(make_head(head, width, classes, rng, budget));
  return net;
}

namespace {
std::string shape_text(const Shape& s) {
  std::string t;
  for (int i = 0; i < s.nd; ++i) t += (i ? "," : "") + std::to_string(s[i]);
  return t;
}

// One example has at most 2^24 values (e.g. 3x2048x2048), so sizes derived from the
// input shape stay far from int overflow.
constexpr int64_t kMaxInput = int64_t(1) << 24;
// At most this many classes (as io/csv's label range).
constexpr int64_t kMaxClasses = 65536;

Shape parse_shape(const std::string& text, const std::string& where) {
  std::vector<int64_t> dims;
  int64_t numel = 1;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    OG_CHECK(!item.empty() && *end == '\0' && v > 0 && v <= kMaxInput && dims.size() < 4, where,
             ": bad input shape '", text, "'");
    numel *= v;   // <= 2^24 * 2^24: no overflow
    OG_CHECK(numel <= kMaxInput, where, ": input shape '", text, "' has more than ", kMaxInput,
             " values per example");
    dims.push_back(v);
  }
  OG_CHECK(!dims.empty(), where, ": bad input shape '", text, "'");
  return Shape::of(dims);
}

float meta_float(const Checkpoint& ck, const std::string& key) {
  const std::string& v = ck.meta_at(key);
  char* end = nullptr;
  const float x = std::strtof(v.c_str(), &end);
  OG_CHECK(!v.empty() && *end == '\0' && std::isfinite(x), ck.source, ": bad value '", v,
           "' for ", key);
  return x;
}

std::string float_text(float x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", x);  // round-trips a float exactly
  return buf;
}
}  // namespace

Model make_model(const ModelInfo& info, uint64_t seed, int64_t max_params) {
  Model m{info, std::make_unique<Rng>(seed), nullptr};
  m.net = build_model(info.spec, info.input, info.head(), info.classes, *m.rng, max_params);
  return m;
}

void put_model(Checkpoint& ck, const Model& m) {
  ck.meta["format"] = "ordgrad-model";
  ck.meta["model"] = m.info.spec;
  ck.meta["input"] = shape_text(m.info.input);
  ck.meta["loss"] = m.info.loss;
  ck.meta["classes"] = std::to_string(m.info.classes);
  ck.meta["label_offset"] = std::to_string(m.info.label_offset);
  ck.meta["norm_mean"] = float_text(m.info.norm_mean);
  ck.meta["norm_std"] = float_text(m.info.norm_std);
  ck.meta["rng"] = encode_rng_state(m.rng->state());
  if (!m.info.feature_mean.empty()) {
    ck.tensors.emplace_back("input.mean", Tensor::from({int64_t(m.info.feature_mean.size())}, m.info.feature_mean));
    ck.tensors.emplace_back("input.std", Tensor::from({int64_t(m.info.feature_std.size())}, m.info.feature_std));
  }
  put_tensors(ck, m.net->parameters(), "param.");
  put_tensors(ck, m.net->buffers(), "buffer.");
}

Model get_model(const Checkpoint& ck) {
  OG_CHECK(ck.meta.count("format") && ck.meta.at("format") == "ordgrad-model", ck.source,
           ": not an ordgrad model file (no model metadata)");
  ModelInfo info;
  info.spec = ck.meta_at("model");
  info.input = parse_shape(ck.meta_at("input"), ck.source);
  info.loss = ck.meta_at("loss");
  const int64_t classes = ck.meta_int("classes"), offset = ck.meta_int("label_offset");
  OG_CHECK(classes >= 2 && classes <= kMaxClasses, ck.source, ": classes ", classes,
           " is not in [2, ", kMaxClasses, "]");
  OG_CHECK(offset >= INT32_MIN && offset <= INT32_MAX && offset + classes - 1 <= INT32_MAX,
           ck.source, ": label_offset ", offset, " puts the labels outside the int range");
  info.classes = static_cast<int>(classes);
  info.label_offset = static_cast<int>(offset);
  const Tensor *mean = ck.find("input.mean"), *sd = ck.find("input.std");
  OG_CHECK((mean == nullptr) == (sd == nullptr) && (!mean || mean->shape() == sd->shape()), ck.source,
           ": input standardisation is incomplete");
  if (mean) {
    info.feature_mean = mean->to_vector();
    info.feature_std = sd->to_vector();
    OG_CHECK(int64_t(info.feature_mean.size()) == info.input.numel(), ck.source, ": ",
             info.feature_mean.size(), " standardisation entries for input ", info.input);
  }
  info.norm_mean = meta_float(ck, "norm_mean");
  info.norm_std = meta_float(ck, "norm_std");
  int64_t stored = 0;   // the file's parameters bound the architecture it may ask for
  for (const auto& [name, t] : ck.tensors)
    if (name.rfind("param.", 0) == 0) stored += t.numel();
  Model m;
  try {
    m = make_model(info, 0, stored);  // the weights come from the file
  } catch (const Error& e) {
    throw Error(cat(ck.source, ": ", e.what()));
  }
  if (ck.meta.count("rng")) m.rng->set_state(decode_rng_state(ck.meta.at("rng")));
  get_tensors(ck, m.net->parameters(), "param.");
  get_tensors(ck, m.net->buffers(), "buffer.");
  return m;
}

Model load_model(const std::string& path) { return get_model(load_checkpoint(path)); }

}  // namespace og
