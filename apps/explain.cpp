// explain.cpp — `ordgrad explain`: how a loss scores one prediction, and its gradient.
//
//   ordgrad explain --loss SPEC --logits z0,z1,... --label Y [--classes K] [--json]
//     {"loss": L, "grad": [dL/dz_0, ...]}   (K logits for softmax losses, K-1 for
//     coral/corn/clm, one score for the regression losses, which need --classes)
//   ordgrad explain --loss clm[:link=...] --score ETA --thresholds T0,T1,... --label Y
//     {"loss": L, "grad_score": dL/dETA, "grad_thresholds": [dL/dT_k ...]}
//   ordgrad explain --loss total_nll --group-logits "z..;z..;..." --total T [--json]
//     {"loss": L, "grad": [[dL/dz of item 1], ...]}  (one row of K logits per item;
//     total_* terms read the G given items as one group)
// The CLM form builds c_k = T_k - ETA, so dL/dT_k = dL/dc_k and dL/dETA = -sum_k dL/dc_k.
//   ordgrad explain --curves --classes K --label Y [--losses "ce;rps;..."] [--width S] [--plot F.svg]
//     for each j, the prediction p_k ~ exp(-(k-j)^2 / (2 S^2)) peaked at class j, and each
//     loss's value against j: which losses reward being close? Cumulative heads get
//     the same distribution through their link (coral: s_k = logit P(y>k); corn:
//     s_k = logit P(y>k | y>=k); clm: c_k = F^-1(P(y<=k))); regression: r = j.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/heads.h"
#include "core/ops.h"
#include "apps/plot.h"
#include "losses/spec.h"

namespace og::cli {

namespace {
constexpr int kMaxClasses = 65536;      // as a table's label range (io/csv.h)
constexpr int kMaxCurveClasses = 200;  // --curves: K^2 loss evaluations per loss, K^3 for sord
void print_json_array(const std::vector<double>& v) {
  std::printf("[");
  for (size_t i = 0; i < v.size(); ++i) std::printf("%s%.9g", i ? ", " : "", v[i]);
  std::printf("]");
}
int explain_curves(const Args& a) {
  OG_CHECK(a.has("classes") && a.has("label"), "explain: --curves needs --classes K and --label Y");
  const int K = a.integer("classes"), y = a.integer("label");
  // Each curve builds its loss at every class j for K classes: K^2 work per loss.
  OG_CHECK(K <= kMaxCurveClasses, "explain: --curves draws at most ", kMaxCurveClasses,
           " classes, got --classes ", K);
  std::vector<std::string> losses;
  std::stringstream in(a.str("losses"));
  for (std::string t; std::getline(in, t, ';');) losses.push_back(t);
  const std::vector<Series> series = loss_curves(losses, K, y, a.number("width"));
  std::printf("loss against a prediction peaked at class j (spread %g), true label %d, K = %d\n%4s", a.number("width"),
              y, K, "j");
  for (const Series& sr : series) std::printf(" %12s", sr.name.substr(0, 12).c_str());
  std::printf("\n");
  for (int j = 0; j < K; ++j) {
    std::printf("%4d", j);
    for (const Series& sr : series) std::printf(" %12.4f", sr.y[j]);
    std::printf("\n");
  }
  if (a.has("plot")) {
    plot_lines(a.str("plot"), cat("Loss of a prediction peaked at class j, true label ", y, " (K = ", K, ")"),
               "class j the prediction is peaked at", "loss", series);
    std::printf("wrote %s\n", a.str("plot").c_str());
  }
  return 0;
}

// --group-logits "z..;z..": the group's items, one row of K logits each, and --total T.
int explain_group(const Args& a) {
  OG_CHECK(a.has("total"), "explain: --group-logits needs --total T");
  OG_CHECK(!a.has("logits") && !a.has("label"), "explain: --group-logits goes with --total, not --logits/--label");
  std::vector<float> z;
  int G = 0, K = 0;
  std::string rows = a.str("group-logits");
  size_t start = 0;
  while (start <= rows.size()) {
    const size_t end = std::min(rows.find(';', start), rows.size());
    const std::vector<float> row = parse_floats(rows.substr(start, end - start), "explain: --group-logits");
    OG_CHECK(G == 0 || int(row.size()) == K, "explain: --group-logits row ", G + 1, " has ", row.size(),
             " logits, the first has ", K);
    K = static_cast<int>(row.size());
    z.insert(z.end(), row.begin(), row.end());
    ++G;
    start = end + 1;
  }
  OG_CHECK(K >= 2, "explain: --group-logits rows need at least 2 logits");
  const LossSpec spec = LossSpec::parse(a.str("loss")).with_default_group(G);
  for (const LossTerm& t : spec.terms())
    OG_CHECK(t.name.rfind("total_", 0) == 0, "explain: with --group-logits every term must be a total_* loss, not ",
             t.name);
  OG_CHECK(spec.group() == G, "explain: loss '", spec.text(), "' reads groups of ", spec.group(), ", got ", G,
           " rows");
  const int T = a.integer("total");
  OG_CHECK(T >= 0 && T <= G * (K - 1), "explain: total ", T, " out of range [0,", G * (K - 1), "]");
  std::vector<int> labels(G);  // any item labels summing to T: the total_* losses read only T
  for (int i = 0, left = T; i < G; ++i) left -= labels[i] = std::min(left, K - 1);
  Graph g;
  Var out = g.leaf(Tensor::from({G, K}, z));
  Var loss = spec.build(out, LossTarget{labels, K, {}, {}, {}});
  g.backward(loss);
  if (a.flag("json")) {
    std::printf("{\"loss\": %.9g, \"grad\": [", loss.value().item());
    for (int i = 0; i < G; ++i) {
      std::printf("%s", i ? ", " : "");
      print_json_array(std::vector<double>(out.grad().data() + i * K, out.grad().data() + (i + 1) * K));
    }
    std::printf("]}\n");
    return 0;
  }
  std::printf("loss %s, %d items, total %d: %.6f\nd loss / d logits (one row per item):\n", spec.text().c_str(),
              G, T, loss.value().item());
  for (int i = 0; i < G; ++i) {
    for (int k = 0; k < K; ++k) std::printf(" %10.6f", out.grad()[i * K + k]);
    std::printf("\n");
  }
  return 0;
}
}  // namespace

std::vector<Series> loss_curves(const std::vector<std::string>& losses, int K, int y, double width) {
  OG_CHECK(K >= 2 && y >= 0 && y < K, "explain: label ", y, " out of range for ", K, " classes");
  OG_CHECK(width > 0, "explain: the spread of the peaked predictions must be > 0, got ", width);
  std::vector<Series> series;
  for (const std::string& text : losses) {
    const LossSpec spec = LossSpec::parse(text);
    Series sr{spec.text(), {}, {}, {}};
    for (int j = 0; j < K; ++j) {
      std::vector<double> p(K);
      double total = 0;
      for (int k = 0; k < K; ++k) total += p[k] = std::exp(-0.5 * (k - j) * (k - j) / (width * width));
      for (double& v : p) v /= total;
      const std::vector<float> z = head_def(spec.head()).outputs_for(p, spec.terms()[0]);
      Graph g;
      g.set_grad_enabled(false);
      Var out = g.input(Tensor::from({1, int64_t(z.size())}, z));
      sr.x.push_back(j);
      sr.y.push_back(spec.build(out, LossTarget{{y}, K, {}, {}, {}}).value().item());
    }
    series.push_back(sr);
  }
  return series;
}

int run_explain(int argc, char** argv) {
  Args a("explain", {
                        {"loss", "", "loss spec, e.g. rps, ce+0.5*rps, clm:link=probit (required)"},
                        {"logits", "", "the model outputs for one sample, comma-separated"},
                        {"label", "", "the true class Y, 0-based (required)"},
                        {"classes", "", "number of classes K (needed for regression losses)"},
                        {"score", "", "CLM: the score eta"},
                        {"thresholds", "", "CLM: the ordered thresholds theta_0..theta_{K-2}"},
                        {"group-logits", "", "totals: one item's K logits per ';'-separated row"},
                        {"total", "", "totals: the group's true total T"},
                        {"curves", "", "each loss against predictions peaked at every class", true},
                        {"losses", "ce;rps;ev_l1;cdw_ce;sord;coral;clm;reg_l1", "curves: loss specs separated by ';'"},
                        {"width", "1", "curves: spread S of the peaked predictions, in classes"},
                        {"plot", "", "curves: also draw them to this SVG file"},
                        {"list", "", "list every loss with its head and options", true},
                        {"json", "", "print one JSON object", true},
                    });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.positional.empty(), "explain: unexpected argument '", a.positional.at(0), "'");
  if (a.flag("list")) {
    std::fputs(LossSpec::catalogue().c_str(), stdout);
    return 0;
  }
  if (a.flag("curves")) return explain_curves(a);
  OG_CHECK(a.has("loss"), "explain: --loss SPEC is required (e.g. rps, ce+0.5*rps, clm:link=probit)");
  if (a.has("group-logits")) return explain_group(a);
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
  const HeadDef& head = head_def(spec.head());
  int K = 0;  // the classes the outputs imply, unless every K gives that width (regression)
  for (int k : {int(z.size()), int(z.size()) + 1})
    if (k >= 2 && head.width(k) == int(z.size()) && head.width(k + 1) != int(z.size())) K = k;
  if (a.has("classes")) {
    OG_CHECK(a.integer("classes") <= kMaxClasses, "explain: --classes ", a.integer("classes"),
             " is more than ", kMaxClasses);
    OG_CHECK(K == 0 || a.integer("classes") == K, "explain: --classes ", a.integer("classes"),
             " does not match ", z.size(), " outputs for loss '", spec.text(), "' (which needs ",
             head.width(a.integer("classes")), ")");
    K = a.integer("classes");
  }
  OG_CHECK(K >= 2, "explain: loss '", spec.text(), "' needs --classes K (at least 2) for ", z.size(),
           " output(s)");
  OG_CHECK(static_cast<int>(z.size()) == head.width(K), "explain: loss '", spec.text(), "' reads ",
           head.width(K), " outputs for ", K, " classes, got ", z.size());
  const int y = a.integer("label");
  OG_CHECK(y >= 0 && y < K, "explain: label ", y, " out of range [0,", K, ")");

  Graph g;
  Var out = g.leaf(Tensor::from({1, static_cast<int64_t>(z.size())}, z));
  Var loss = spec.build(out, LossTarget{{y}, K, {}, {}, {}});
  g.backward(loss);
  std::vector<double> grad(out.grad().data(), out.grad().data() + z.size());
  const Tensor p = class_probs(spec, out.value(), K);

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
