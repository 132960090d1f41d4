// class_weights.cpp — class weights from label counts; formulas and conventions in
// class_weights.h. Counts are summed serially in row order, in double.
#include "losses/class_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/check.h"

namespace og {

namespace {

const char* const kKnown = "inverse, sqrt, effective:BETA, lds, lds:SIGMA";

// The number after "name:" in a scheme, or NaN when it is not one whole finite number.
double parameter(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  return (end == begin || *end != '\0' || !std::isfinite(v)) ? std::nan("") : v;
}

std::vector<double> label_counts(const std::vector<int>& labels, int K,
                                 const std::vector<float>& sample_weights) {
  OG_CHECK(K >= 1, "class_weights: K = ", K, " classes (need at least 1)");
  OG_CHECK(sample_weights.empty() || sample_weights.size() == labels.size(), "class_weights: ",
           sample_weights.size(), " sample weights for ", labels.size(), " labels");
  std::vector<double> n(K, 0.0);
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    OG_CHECK(labels[i] >= 0 && labels[i] < K, "class_weights: label ", labels[i], " at row ", i,
             " is outside [0,", K, ")");
    const double w = sample_weights.empty() ? 1.0 : sample_weights[i];
    OG_CHECK(std::isfinite(w) && w >= 0, "class_weights: sample weight of row ", i, " is ", w,
             " (weights must be finite and >= 0)");
    n[labels[i]] += w;
    total += w;
  }
  OG_CHECK(total > 0, "class_weights: no labels to count (", labels.size(),
           " labels, total weight 0)");
  return n;
}

// Gaussian-smoothed counts, kernel exp(-d^2 / (2 sigma^2)) truncated at |d| <= ceil(3 sigma).
// The radius is capped at K (a wider kernel reaches no further class), so a huge sigma
// cannot overflow an int; the kernel is 1 at d = 0 even when sigma^2 underflows to 0.
std::vector<double> smoothed(const std::vector<double>& n, double sigma) {
  const int K = static_cast<int>(n.size());
  const int radius = static_cast<int>(std::min(std::ceil(3 * sigma), static_cast<double>(K)));
  std::vector<double> s(K, 0.0);
  for (int k = 0; k < K; ++k)
    for (int j = std::max(0, k - radius); j <= std::min(K - 1, k + radius); ++j)
      s[k] += (j == k ? 1.0 : std::exp(-static_cast<double>(k - j) * (k - j) / (2 * sigma * sigma))) * n[j];
  return s;
}

}  // namespace

std::vector<float> class_weights(const std::string& scheme, const std::vector<int>& labels, int K,
                                 const std::vector<float>& sample_weights) {
  const size_t colon = scheme.find(':');
  const std::string name = scheme.substr(0, colon);
  const bool has_param = colon != std::string::npos;
  const double param = has_param ? parameter(scheme.substr(colon + 1)) : std::nan("");
  OG_CHECK(name == "inverse" || name == "sqrt" || name == "effective" || name == "lds",
           "class_weights: unknown scheme '", scheme, "' (known: ", kKnown, ")");
  OG_CHECK(!has_param || name == "effective" || name == "lds", "class_weights: scheme '", name,
           "' takes no parameter, got '", scheme, "'");
  const double beta = param;
  OG_CHECK(name != "effective" || (beta >= 0 && beta < 1), "class_weights: '", scheme,
           "' needs a beta in [0,1), e.g. effective:0.99");
  const double sigma = has_param ? param : 2.0;
  OG_CHECK(name != "lds" || sigma > 0, "class_weights: '", scheme,
           "' needs a sigma > 0, e.g. lds:2");

  const std::vector<double> n = label_counts(labels, K, sample_weights);
  const std::vector<double> s = name == "lds" ? smoothed(n, sigma) : n;
  std::vector<double> u(K, 0.0);
  double count = 0, weighted = 0;
  for (int k = 0; k < K; ++k) {
    if (n[k] == 0) continue;  // absent: weight 0
    if (name == "inverse" || name == "lds") u[k] = 1 / s[k];
    else if (name == "sqrt") u[k] = 1 / std::sqrt(n[k]);
    else u[k] = (1 - beta) / -std::expm1(n[k] * std::log(beta));  // 1 - beta^n, accurate near 1
    count += n[k];
    weighted += n[k] * u[k];
  }
  std::vector<float> w(K);
  for (int k = 0; k < K; ++k) w[k] = static_cast<float>(u[k] * count / weighted);
  return w;
}

}  // namespace og
