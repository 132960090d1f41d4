// calibration.cpp — ECEs and the PIT histogram (see calibration.h). Serial, in double.
#include "core/calibration.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace og {

namespace {
void check_inputs(const char* who, const std::vector<int>& y, const Tensor& probs, int bins,
                  const std::vector<float>& weights) {
  OG_CHECK(probs.shape().nd == 2 && probs.shape()[0] == int64_t(y.size()) && probs.shape()[1] >= 1, who,
           ": probabilities ", probs.shape(), " for ", y.size(), " observations");
  OG_CHECK(bins >= 1 && bins <= 1000, who, ": bins must be in 1..1000, got ", bins);
  OG_CHECK(weights.empty() || weights.size() == y.size(), who, ": ", weights.size(), " weights for ", y.size(),
           " observations");
  for (int v : y) OG_CHECK(v >= 0, who, ": observed value ", v, " is negative");
}

// Accumulates (predicted probability, outcome) pairs into equal-width bins.
class Binner {
 public:
  explicit Binner(int bins) : conf_(size_t(bins), 0), hit_(size_t(bins), 0), w_(size_t(bins), 0) {}
  void add(double p, bool happened, double w) {
    const size_t b = std::min(conf_.size() - 1, size_t(std::max(0.0, p) * double(conf_.size())));
    conf_[b] += w * p, hit_[b] += w * happened, w_[b] += w;
  }
  double ece(ReliabilityBins* out) const {
    double total = 0, e = 0;
    for (double w : w_) total += w;
    if (out) *out = ReliabilityBins{};
    for (size_t b = 0; b < w_.size(); ++b) {
      const double c = w_[b] > 0 ? conf_[b] / w_[b] : NAN, f = w_[b] > 0 ? hit_[b] / w_[b] : NAN;
      if (w_[b] > 0) e += w_[b] / total * std::fabs(f - c);
      if (out) out->confidence.push_back(c), out->frequency.push_back(f), out->weight.push_back(w_[b]);
    }
    return total > 0 ? e : NAN;
  }

 private:
  std::vector<double> conf_, hit_, w_;
};

double weight_of(const std::vector<float>& w, size_t i) { return w.empty() ? 1.0 : double(w[i]); }
}  // namespace

double ece_top_label(const std::vector<int>& y, const Tensor& probs, int bins, const std::vector<float>& weights,
                     ReliabilityBins* out) {
  check_inputs("ece_top_label", y, probs, bins, weights);
  const int64_t S = probs.shape()[1];
  Binner b(bins);
  for (size_t i = 0; i < y.size(); ++i) {
    const float* p = probs.data() + int64_t(i) * S;
    const int64_t top = std::max_element(p, p + S) - p;
    b.add(p[top], top == y[i], weight_of(weights, i));
  }
  return b.ece(out);
}

double ece_cumulative(const std::vector<int>& y, const Tensor& probs, int bins, const std::vector<float>& weights,
                      ReliabilityBins* out) {
  check_inputs("ece_cumulative", y, probs, bins, weights);
  const int64_t S = probs.shape()[1];
  Binner b(bins);
  for (size_t i = 0; i < y.size(); ++i) {
    const float* p = probs.data() + int64_t(i) * S;
    double above = 1;  // P(y > k), k = -1 first
    for (int64_t k = 0; k + 1 < S; ++k) {
      above -= p[k];
      b.add(std::clamp(above, 0.0, 1.0), y[i] > k, weight_of(weights, i));
    }
  }
  return b.ece(out);
}

std::vector<double> pit_histogram(const std::vector<int>& y, const Tensor& probs, int bins,
                                  const std::vector<float>& weights) {
  check_inputs("pit_histogram", y, probs, bins, weights);
  const int64_t S = probs.shape()[1];
  std::vector<double> h(size_t(bins), 0.0);
  double total = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const float* p = probs.data() + int64_t(i) * S;
    double lo = 0;  // F(y - 1)
    for (int64_t k = 0; k < std::min<int64_t>(y[i], S); ++k) lo += p[k];
    const double hi = std::min(1.0, y[i] < S ? lo + p[y[i]] : 1.0);  // F(y)
    lo = std::min(lo, hi);
    const double w = weight_of(weights, i);
    total += w;
    const auto cdf = [&](double u) {  // F_i(u)
      if (hi - lo <= 0) return u >= hi ? 1.0 : 0.0;
      return std::clamp((u - lo) / (hi - lo), 0.0, 1.0);
    };
    for (int j = 0; j < bins; ++j) {
      // The last bin is closed at 1, so a point mass at 1 lands in it.
      const double upper = j + 1 == bins ? 1.0 + 1e-12 : double(j + 1) / bins;
      h[size_t(j)] += w * (cdf(upper) - cdf(double(j) / bins));
    }
  }
  for (double& v : h) v = total > 0 ? v / total : NAN;
  return h;
}

double pit_uniformity(const std::vector<double>& h) {
  OG_CHECK(!h.empty(), "pit_uniformity: an empty histogram");
  const double J = double(h.size());
  double s = 0;
  for (double f : h) s += (f - 1 / J) * (f - 1 / J);
  return J * s;
}

}  // namespace og
