// model.cpp — building a model from its info, and model files (see model.h).
#include "model/model.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/comm.h"
#include "core/safetensors.h"
#include "model/architecture.h"
#include "model/heads.h"
#include "model/weights.h"

namespace og {

Head ModelInfo::head() const { return LossSpec::parse(loss).head(); }

int ModelInfo::outputs() const { return head_def(head()).width(classes); }

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
  OG_CHECK(info.classes >= 2, "model: needs at least 2 classes, got ", info.classes);
  const HeadDef& h = head_def(info.head());  // a bad loss fails before anything is built
  Model m{info, std::make_unique<Rng>(seed), nullptr};
  m.info.architecture = canonical_architecture(info.architecture);
  ParamBudget budget(max_params, m.info.architecture);
  Shape out;
  m.net = build_architecture(m.info.architecture, info.input, *m.rng, budget, &out);
  OG_CHECK(out.nd == 1, "architecture '", m.info.architecture, "' ends with ", out,
           " per example; the head needs a flat input: end it with flatten or gap");
  OG_CHECK(out[0] <= INT32_MAX, "architecture '", m.info.architecture, "' ends with ", out[0], " features");
  budget.take(h.parameter_count(int(out[0]), info.classes));
  m.net->add(h.make(int(out[0]), info.classes, *m.rng));
  return m;
}

void put_model(Checkpoint& ck, const Model& m) {
  ck.meta["format"] = "ordgrad-model";
  ck.meta["architecture"] = m.info.architecture;
  ck.meta["input"] = shape_text(m.info.input);
  ck.meta["loss"] = m.info.loss;
  ck.meta["classes"] = std::to_string(m.info.classes);
  ck.meta["label_offset"] = std::to_string(m.info.label_offset);
  ck.meta["norm_mean"] = float_text(m.info.norm_mean);
  ck.meta["norm_std"] = float_text(m.info.norm_std);
  ck.meta["rng"] = encode_rng_state(m.rng->state());
  if (!m.info.label_names.empty()) {
    std::string names;
    for (const std::string& n : m.info.label_names) names += (names.empty() ? "" : ",") + n;
    ck.meta["label_names"] = names;
  }
  if (m.info.temperature != 1.0f) ck.meta["temperature"] = float_text(m.info.temperature);
  if (!m.info.data_split.empty()) {
    ck.meta["data_split"] = m.info.data_split;
    ck.meta["data_split_seed"] = std::to_string(m.info.data_split_seed);
  }
  if (!m.info.feature_mean.empty()) {
    ck.tensors.emplace_back("input.mean", Tensor::from({int64_t(m.info.feature_mean.size())}, m.info.feature_mean));
    ck.tensors.emplace_back("input.std", Tensor::from({int64_t(m.info.feature_std.size())}, m.info.feature_std));
  }
  put_tensors(ck, m.net->parameters(), "param.");
  put_tensors(ck, m.net->buffers(), "buffer.");
}

std::string stored_architecture(const Checkpoint& ck) {
  return ck.meta.count("architecture") ? ck.meta.at("architecture") : ck.meta_at("model");
}

Model get_model(const Checkpoint& ck, bool prefixed) {
  OG_CHECK(ck.meta.count("format") && ck.meta.at("format") == "ordgrad-model", ck.source,
           ": not an ordgrad model file (no model metadata)");
  ModelInfo info;
  info.architecture = stored_architecture(ck);
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
  if (ck.meta.count("label_names")) {
    std::stringstream names(ck.meta.at("label_names"));
    for (std::string n; std::getline(names, n, ',');) info.label_names.push_back(n);
    OG_CHECK(int64_t(info.label_names.size()) == classes, ck.source, ": ", info.label_names.size(),
             " label names for ", classes, " classes");
  }
  if (ck.meta.count("data_split")) {
    info.data_split = ck.meta.at("data_split");
    const std::string& seed = ck.meta_at("data_split_seed");
    const auto [end, ec] = std::from_chars(seed.data(), seed.data() + seed.size(), info.data_split_seed);
    OG_CHECK(!seed.empty() && ec == std::errc() && end == seed.data() + seed.size(), ck.source,
             ": bad value '", seed, "' for data_split_seed");
  }
  info.norm_std = meta_float(ck, "norm_std");
  if (ck.meta.count("temperature")) {
    info.temperature = meta_float(ck, "temperature");
    OG_CHECK(std::isfinite(info.temperature) && info.temperature > 0, ck.source, ": temperature ",
             info.temperature, " must be a positive number");
  }
  int64_t stored = 0;   // the file's parameters bound the architecture it may ask for
  for (const auto& [name, t] : ck.tensors)
    if (prefixed ? name.rfind("param.", 0) == 0 : name.rfind("input.", 0) != 0) stored += t.numel();
  Model m;
  try {
    m = make_model(info, 0, stored);  // the weights come from the file
  } catch (const Error& e) {
    throw Error(cat(ck.source, ": ", e.what()));
  }
  if (ck.meta.count("rng")) m.rng->set_state(decode_rng_state(ck.meta.at("rng")));
  get_tensors(ck, m.net->parameters(), prefixed ? "param." : "");
  get_tensors(ck, m.net->buffers(), prefixed ? "buffer." : "");
  return m;
}

std::string class_label(const ModelInfo& info, int k) {
  if (k >= 0 && k < int(info.label_names.size())) return info.label_names[size_t(k)];
  return std::to_string(k + info.label_offset);
}

namespace {
bool is_safetensors_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string head(9, '\0');
  f.read(head.data(), 9);
  head.resize(size_t(f.gcount()));
  return looks_like_safetensors(head);
}
}  // namespace

Checkpoint load_model_file(const std::string& path) {
  return is_safetensors_file(path) ? checkpoint_of(load_safetensors(path), path) : load_checkpoint(path);
}

Model load_model(const std::string& path) {
  // A safetensors file is rebuilt once, not turned into a checkpoint and rebuilt again.
  return is_safetensors_file(path) ? model_from_safetensors(load_safetensors(path), path)
                                   : get_model(load_checkpoint(path));
}

uint64_t state_fingerprint(Model& m) {
  uint64_t h = fingerprint(nullptr, 0);
  for (const NamedParam& p : m.net->parameters())
    h = fingerprint(p.param->value.data(), sizeof(float) * size_t(p.param->value.numel()), h);
  for (const NamedTensor& t : m.net->buffers())
    h = fingerprint(t.tensor->data(), sizeof(float) * size_t(t.tensor->numel()), h);
  return h;
}

}  // namespace og
