// inspect.cpp — `ordgrad inspect FILE`: a model file's metadata and parameters.
//
// Without --json: the summary, an L-BFGS fit's status (meta lbfgs_*), parameter shapes.
// --json prints {"architecture": TEXT, "head": H, "parameter_count": N, "meta": {...},
// "parameters": {name: {"shape": [...], "values": [...]}}}; TEXT is the canonical
// architecture the file stores (`train --model TEXT` rebuilds the same network).
// For a linear model (architecture "flatten", the alias linear) that standardises its inputs, the first
// layer's weights (and bias) are given in the RAW feature scale, i.e. as they
// apply to the unstandardised features; a CLM head also gets its ordered
// thresholds as "<layer>.thresholds" in that scale:
//   model: c_k = theta_k - sum_j w'_j (x_j - m_j) / s_j
//   raw:   w_j = w'_j / s_j,   theta_raw_k = theta_k + sum_j w'_j m_j / s_j
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/architecture.h"
#include "model/model.h"
#include "layers/ordinal_head.h"

namespace og::cli {

namespace {
struct Entry {
  Shape shape;
  std::vector<float> values;
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

// Rewrite a linear model's first-layer parameters into the raw feature scale.
void to_raw_scale(const Model& m, std::map<std::string, Entry>& params) {
  const ModelInfo& info = m.info;
  if (info.architecture != canonical_architecture("linear") || info.feature_mean.empty()) return;
  const size_t F = info.feature_mean.size();
  const std::string layer = std::to_string(m.net->size() - 1) + ".";
  auto w = params.find(layer + "weight");
  if (w == params.end()) return;
  const int64_t rows = w->second.shape[0];
  std::vector<double> shift(rows, 0.0);  // sum_j w'_rj m_j / s_j per output row
  for (int64_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < F; ++j) {
      float& v = w->second.values[r * F + j];
      shift[r] += static_cast<double>(v) * info.feature_mean[j] / info.feature_std[j];
      v /= info.feature_std[j];
    }
  if (auto* clm = dynamic_cast<const ClmHead*>(&m.net->at(m.net->size() - 1))) {
    Tensor t = clm->thresholds();
    Entry e{t.shape(), t.to_vector()};
    for (float& v : e.values) v = static_cast<float>(v + shift[0]);
    params[layer + "thresholds"] = e;
    return;
  }
  auto b = params.find(layer + "bias");  // y_r = w'_r.x' + b_r  ->  b_r - shift_r
  if (b != params.end())
    for (int64_t r = 0; r < rows; ++r) b->second.values[r] = static_cast<float>(b->second.values[r] - shift[r]);
}
}  // namespace

int run_inspect(int argc, char** argv) {
  Args a("inspect", {{"json", "", "print one JSON object", true}});
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.size() == 1, "inspect: give one model file (ordgrad inspect DIR/model.ogm)");
  const Checkpoint ck = load_model_file(a.positional[0]);
  Model m = get_model(ck);
  std::map<std::string, Entry> params;
  for (NamedParam& p : m.net->parameters())
    params[p.name] = Entry{p.param->value.shape(), p.param->value.to_vector()};
  to_raw_scale(m, params);

  int64_t count = 0;
  for (const auto& [name, e] : params) count += int64_t(e.values.size());
  if (!a.flag("json")) {
    std::printf("%s: loss %s (%s head), %d classes, input %s, %ld parameters\narchitecture: %s\n",
                a.positional[0].c_str(), m.info.loss.c_str(), head_name(m.info.head()), m.info.classes,
                cat(m.info.input).c_str(), static_cast<long>(count), m.info.architecture.c_str());
    if (ck.meta.count("temperature"))  // ordgrad calibrate (model/calibrate.h)
      std::printf("calibration: temperature %s (outputs divided by it before the head)\n",
                  ck.meta_at("temperature").c_str());
    if (ck.meta.count("lbfgs_converged"))  // a full-batch L-BFGS fit (model/trainer.h)
      std::printf("L-BFGS fit: %s (stop: %s) after %s iterations, max|g| %s (tol %s), loss %s\n",
                  ck.meta_at("lbfgs_converged") == "1" ? "converged" : "did NOT converge",
                  ck.meta_at("lbfgs_reason").c_str(), ck.meta_at("lbfgs_iterations").c_str(),
                  ck.meta_at("lbfgs_grad_max").c_str(), ck.meta_at("lbfgs_tol").c_str(), ck.meta_at("lbfgs_loss").c_str());
    for (const auto& [name, e] : params) std::printf("  %-24s %s\n", name.c_str(), cat(e.shape).c_str());
    return 0;
  }
  std::printf("{\"architecture\": %s, \"head\": \"%s\", \"parameter_count\": %ld, \"meta\": {",
              json_string(m.info.architecture).c_str(), head_name(m.info.head()), static_cast<long>(count));
  bool first = true;
  for (const auto& [k, v] : ck.meta) {
    std::printf("%s%s: %s", first ? "" : ", ", json_string(k).c_str(), json_string(v).c_str());
    first = false;
  }
  std::printf("}, \"parameters\": {");
  first = true;
  for (const auto& [name, e] : params) {
    std::printf("%s%s: {\"shape\": [", first ? "" : ", ", json_string(name).c_str());
    for (int i = 0; i < e.shape.nd; ++i) std::printf("%s%ld", i ? ", " : "", static_cast<long>(e.shape[i]));
    std::printf("], \"values\": [");
    for (size_t i = 0; i < e.values.size(); ++i) std::printf("%s%.9g", i ? ", " : "", e.values[i]);
    std::printf("]}");
    first = false;
  }
  std::printf("}}\n");
  return 0;
}

}  // namespace og::cli
