// explain.cpp — `ordgrad explain`: how a loss scores one prediction, and its gradient.
//
//   ordgrad explain --loss SPEC --logits z0,z1,... --label Y [--classes K] [--json]
//     {"loss": L, "grad": [dL/dz_0, ...]}   (K logits for softmax losses, K-1 for
//     coral/corn/clm, one score for the regression losses, which need --classes)
//   ordgrad explain --loss clm[:link=...] --score ETA --thresholds T0,T1,... --label Y
//     {"loss": L, "grad_score": dL/dETA, "grad_thresholds": [dL/dT_k ...]}
// The CLM form builds c_k = T_k - ETA, so dL/dT_k = dL/dc_k and dL/dETA = -sum_k dL/dc_k.
#include <cstdio>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/ops.h"
#include "losses/spec.h"

namespace og::cli {

namespace {
void print_json_array(const std::vector<double>& v) {
  std::printf("[");
  for (size_t i = 0; i < v.size(); ++i) std::printf("%s%.9g", i ? ", " : "", v[i]);
  std::printf("]");
}
}  // namespace

int run_explain(int argc, char** argv) {
  Args a("explain", {
                        {"loss", "", "loss spec, e.g. rps, ce+0.5*rps, clm:link=probit (required)"},
                        {"logits", "", "the model outputs for one sample, comma-separated"},
                        {"label", "", "the true class Y, 0-based (required)"},
                        {"classes", "", "number of classes K (needed for regression losses)"},
                        {"score", "", "CLM: the score eta"},
                        {"thresholds", "", "CLM: the ordered thresholds theta_0..theta_{K-2}"},
                        {"json", "", "print one JSON object", true},
                    });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "explain: unexpected argument '", a.positional.at(0), "'");
  OG_CHECK(a.has("loss"), "explain: --loss SPEC is required\nlosses:\n", LossSpec::catalogue());
  OG_CHECK(a.has("label"), "explain: --label Y is required");
  const LossSpec spec = LossSpec::parse(a.str("loss"));
  const bool clm_form = a.has("score") || a.has("thresholds");
  std::vector<float> z;
  if (clm_form) {
    OG_CHECK(a.has("score") && a.has("thresholds") && !a.has("logits"),
             "explain: give --score and --thresholds together (and no --logits)");
    OG_CHECK(spec.terms().size() == 1 && spec.terms()[0].name == "clm",
             "explain: --score/--thresholds are for the clm loss, not '", spec.text(), "'");
    const float eta = static_cast<float>(a.number("score"));
    for (float t : parse_floats(a.str("thresholds"), "explain: --thresholds")) z.push_back(t - eta);
  } else {
    OG_CHECK(a.has("logits"), "explain: --logits z0,z1,... is required");
    z = parse_floats(a.str("logits"), "explain: --logits");
  }
  int K = 0;
  if (spec.head() == Head::softmax) K = static_cast<int>(z.size());
  else if (spec.head() == Head::cumulative) K = static_cast<int>(z.size()) + 1;
  if (a.has("classes")) {
    OG_CHECK(K == 0 || a.integer("classes") == K, "explain: --classes ", a.integer("classes"),
             " does not match ", z.size(), " outputs for loss '", spec.text(), "' (which needs ",
             spec.width(a.integer("classes")), ")");
    K = a.integer("classes");
  }
  OG_CHECK(K >= 2, "explain: loss '", spec.text(), "' needs --classes K (at least 2) for ", z.size(),
           " output(s)");
  OG_CHECK(static_cast<int>(z.size()) == spec.width(K), "explain: loss '", spec.text(), "' reads ",
           spec.width(K), " outputs for ", K, " classes, got ", z.size());
  const int y = a.integer("label");
  OG_CHECK(y >= 0 && y < K, "explain: label ", y, " out of range [0,", K, ")");

  Graph g;
  Var out = g.leaf(Tensor::from({1, static_cast<int64_t>(z.size())}, z));
  Var loss = spec.build(out, LossTarget{{y}, K, {}, {}, {}});
  g.backward(loss);
  std::vector<double> grad(out.grad().data(), out.grad().data() + z.size());
  const Tensor p = spec.probs(out.value(), K);

  if (clm_form) {
    double gs = 0;
    for (double v : grad) gs -= v;
    if (a.flag("json")) {
      std::printf("{\"loss\": %.9g, \"grad_score\": %.9g, \"grad_thresholds\": ", loss.value().item(), gs);
      print_json_array(grad);
      std::printf("}\n");
    } else {
      std::printf("loss %s, label %d: %.6f\nd loss / d score = %.6f\n", spec.text().c_str(), y,
                  loss.value().item(), gs);
      std::printf("%4s %12s %12s\n", "k", "threshold", "d/dthreshold");
      for (size_t k = 0; k < z.size(); ++k)
        std::printf("%4zu %12.6f %12.6f\n", k, z[k] + a.number("score"), grad[k]);
    }
    return 0;
  }
  if (a.flag("json")) {
    std::printf("{\"loss\": %.9g, \"grad\": ", loss.value().item());
    print_json_array(grad);
    std::printf("}\n");
    return 0;
  }
  std::printf("loss %s, label %d: %.6f\n", spec.text().c_str(), y, loss.value().item());
  std::printf("%4s %12s %12s %12s\n", "k", "output", "d/doutput", "P(class k)");
  for (int k = 0; k < K; ++k) {
    if (k < static_cast<int>(z.size()))
      std::printf("%4d %12.6f %12.6f %12.6f\n", k, z[k], grad[k], p[k]);
    else
      std::printf("%4d %12s %12s %12.6f\n", k, "", "", p[k]);
  }
  return 0;
}

}  // namespace og::cli
