// metrics.cpp — ordinal metrics; see metrics.h for definitions and conventions.
//
// Every class metric reads the K x K table n_ij = sum of the weights of the rows with
// true class i and predicted class j (the confusion matrix), in O(N) once, then
// works in O(K^2):
//   qwk     : num = sum_ij (i-j)^2 n_ij, den = sum_ij (i-j)^2 r_i c_j / n
//             (r, c the row / column sums; the 1/(K-1)^2 of W cancels in the ratio)
//   kendall : S[k][l] = sum_{i<k, j<l} n_ij (a 2-D prefix sum), then
//             P = sum_kl n_kl S[k][l]              (pairs below-left: concordant)
//             Q = sum_kl n_kl (S[k][K] - S[k][l+1]) (pairs below-right: discordant)
//             U_y = sum_k r_k (r_0 + ... + r_{k-1}) (pairs in different rows), U_pred alike
//   spearman: midrank of true class i is a_i = r_0 + ... + r_{i-1} + r_i / 2 (the usual
//             average rank minus 1/2, a shift that leaves a correlation unchanged);
//             rho = sum_ij n_ij (a_i - mean a)(b_j - mean b) / sqrt(var a * var b)
// With integer weights every quantity equals the one for repeated rows, because it
// is a sum over pairs of distinct rows or a weighted mean.
// parallel: none; all sums are serial, in index order, in double.
#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "core/check.h"

namespace og {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per-row weights as doubles (all 1 when none are given), validated.
std::vector<double> row_weights(const char* op, size_t N, const std::vector<float>& weights) {
  OG_CHECK(weights.empty() || weights.size() == N, op, ": ", weights.size(), " weights for ", N,
           " samples");
  std::vector<double> w(N, 1.0);
  double total = 0;
  for (size_t i = 0; i < N; ++i) {
    if (!weights.empty()) w[i] = weights[i];
    OG_CHECK(std::isfinite(w[i]) && w[i] >= 0, op, ": weight of row ", i, " is ", w[i],
             " (weights must be finite and >= 0)");
    total += w[i];
  }
  OG_CHECK(N == 0 || total > 0, op, ": the weights sum to zero");
  return w;
}

void check_lengths(const char* op, const std::vector<int>& y, const std::vector<int>& pred) {
  OG_CHECK(y.size() == pred.size(), op, ": ", y.size(), " true classes but ", pred.size(),
           " predictions");
}

void check_range(const char* op, const std::vector<int>& v, const char* what, int K) {
  for (size_t i = 0; i < v.size(); ++i)
    OG_CHECK(v[i] >= 0 && v[i] < K, op, ": ", what, " ", v[i], " at row ", i,
             " is outside [0,", K, ")");
}

void check_classes(const char* op, const std::vector<int>& y, const std::vector<int>& pred, int K) {
  OG_CHECK(K >= 1, op, ": K = ", K, " classes (need at least 1)");
  check_lengths(op, y, pred);
  check_range(op, y, "true class", K);
  check_range(op, pred, "predicted class", K);
}

// Weighted mean over rows of f(y_i, pred_i); NaN for no rows.
template <class F>
double row_mean(const char* op, const std::vector<int>& y, const std::vector<int>& pred,
                const std::vector<float>& weights, F f) {
  check_lengths(op, y, pred);
  const std::vector<double> w = row_weights(op, y.size(), weights);
  double num = 0, den = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    num += w[i] * f(static_cast<double>(pred[i]) - static_cast<double>(y[i]));
    den += w[i];
  }
  return y.empty() ? kNaN : num / den;
}

// The K x K table of weights; the inputs must already be validated.
Matrix table(const std::vector<int>& y, const std::vector<int>& pred, int K,
             const std::vector<double>& w) {
  Matrix n(K, std::vector<double>(K, 0.0));
  for (size_t i = 0; i < y.size(); ++i) n[y[i]][pred[i]] += w[i];
  return n;
}

Matrix checked_table(const char* op, const std::vector<int>& y, const std::vector<int>& pred, int K,
                     const std::vector<float>& weights) {
  check_classes(op, y, pred, K);
  return table(y, pred, K, row_weights(op, y.size(), weights));
}

std::vector<double> row_sums(const Matrix& n) {
  std::vector<double> r(n.size(), 0.0);
  for (size_t i = 0; i < n.size(); ++i)
    for (double v : n[i]) r[i] += v;
  return r;
}

std::vector<double> col_sums(const Matrix& n) {
  std::vector<double> c(n.size(), 0.0);
  for (const auto& row : n)
    for (size_t j = 0; j < row.size(); ++j) c[j] += row[j];
  return c;
}

double total_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

int count_present(const std::vector<double>& v) {
  return static_cast<int>(std::count_if(v.begin(), v.end(), [](double x) { return x > 0; }));
}

double qwk_of(const Matrix& n) {
  const int K = static_cast<int>(n.size());
  const std::vector<double> r = row_sums(n), c = col_sums(n);
  const double total = total_of(r);
  if (total == 0) return kNaN;
  double num = 0, den = 0;
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) {
      const double W = static_cast<double>(i - j) * (i - j);
      num += W * n[i][j];
      den += W * r[i] * c[j] / total;
    }
  // den = 0 only if all rows and predictions sit in one class (or K = 1); then num = 0 too.
  return den == 0 ? 1.0 : 1.0 - num / den;
}

// MAE of each class present in y (positive weight), in class order.
std::vector<double> class_maes(const Matrix& n) {
  const int K = static_cast<int>(n.size());
  std::vector<double> out;
  for (int i = 0; i < K; ++i) {
    double err = 0, count = 0;
    for (int j = 0; j < K; ++j) {
      err += n[i][j] * std::abs(i - j);
      count += n[i][j];
    }
    if (count > 0) out.push_back(err / count);
  }
  return out;
}

double amae_of(const Matrix& n) {
  const std::vector<double> m = class_maes(n);
  return m.empty() ? kNaN : total_of(m) / static_cast<double>(m.size());
}

double mmae_of(const Matrix& n) {
  const std::vector<double> m = class_maes(n);
  return m.empty() ? kNaN : *std::max_element(m.begin(), m.end());
}

// Pairs of rows (as weights) that fall in different classes: sum_k v_k (v_0 + ... + v_{k-1}).
double untied_pairs(const std::vector<double>& v) {
  double before = 0, pairs = 0;
  for (double x : v) {
    pairs += x * before;
    before += x;
  }
  return pairs;
}

double kendall_of(const Matrix& n) {
  const int K = static_cast<int>(n.size());
  const std::vector<double> r = row_sums(n), c = col_sums(n);
  if (count_present(r) < 2 || count_present(c) < 2) return kNaN;  // a constant: tau undefined
  // S[k][l] = sum of n_ij over i < k, j < l.
  std::vector<std::vector<double>> S(K + 1, std::vector<double>(K + 1, 0.0));
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) S[i + 1][j + 1] = S[i][j + 1] + S[i + 1][j] - S[i][j] + n[i][j];
  double concordant = 0, discordant = 0;
  for (int k = 0; k < K; ++k)
    for (int l = 0; l < K; ++l) {
      if (n[k][l] == 0) continue;
      concordant += n[k][l] * S[k][l];
      discordant += n[k][l] * (S[k][K] - S[k][l + 1]);
    }
  return (concordant - discordant) / (std::sqrt(untied_pairs(r)) * std::sqrt(untied_pairs(c)));
}

// Midranks (minus 1/2) of the classes with counts v, and their weighted mean.
std::vector<double> midranks(const std::vector<double>& v, double& mean) {
  std::vector<double> a(v.size());
  double before = 0, num = 0;
  for (size_t k = 0; k < v.size(); ++k) {
    a[k] = before + v[k] / 2;
    before += v[k];
    num += v[k] * a[k];
  }
  mean = num / before;
  return a;
}

double spearman_of(const Matrix& n) {
  const int K = static_cast<int>(n.size());
  const std::vector<double> r = row_sums(n), c = col_sums(n);
  if (count_present(r) < 2 || count_present(c) < 2) return kNaN;  // zero rank variance
  double mean_a = 0, mean_b = 0;
  const std::vector<double> a = midranks(r, mean_a), b = midranks(c, mean_b);
  double var_a = 0, var_b = 0, cov = 0;
  for (int k = 0; k < K; ++k) {
    var_a += r[k] * (a[k] - mean_a) * (a[k] - mean_a);
    var_b += c[k] * (b[k] - mean_b) * (b[k] - mean_b);
  }
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) cov += n[i][j] * (a[i] - mean_a) * (b[j] - mean_b);
  return cov / std::sqrt(var_a * var_b);
}

// Validates probs [N,K] against the labels; returns K.
int64_t check_probs(const char* op, const std::vector<int>& y, const Tensor& probs) {
  OG_CHECK(probs.defined() && probs.shape().nd == 2 && probs.shape()[1] >= 1 &&
               probs.shape()[0] == static_cast<int64_t>(y.size()),
           op, ": probabilities ", probs.shape(), " do not match ", y.size(),
           " labels (expected [", y.size(), ",K])");
  const int64_t K = probs.shape()[1];
  check_range(op, y, "true class", static_cast<int>(K));
  return K;
}

}  // namespace

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string json_numbers(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + json_number(v[i]);
  return s + "]";
}

double accuracy(const std::vector<int>& y, const std::vector<int>& pred,
                const std::vector<float>& weights) {
  return row_mean("accuracy", y, pred, weights, [](double d) { return d == 0 ? 1.0 : 0.0; });
}

double mae(const std::vector<int>& y, const std::vector<int>& pred,
           const std::vector<float>& weights) {
  return row_mean("mae", y, pred, weights, [](double d) { return std::abs(d); });
}

double rmse(const std::vector<int>& y, const std::vector<int>& pred,
            const std::vector<float>& weights) {
  return std::sqrt(row_mean("rmse", y, pred, weights, [](double d) { return d * d; }));
}

double off_by_one(const std::vector<int>& y, const std::vector<int>& pred,
                  const std::vector<float>& weights) {
  return row_mean("off_by_one", y, pred, weights,
                  [](double d) { return std::abs(d) <= 1 ? 1.0 : 0.0; });
}

Matrix confusion_matrix(const std::vector<int>& y, const std::vector<int>& pred, int K,
                        const std::vector<float>& weights) {
  return checked_table("confusion_matrix", y, pred, K, weights);
}

double qwk(const std::vector<int>& y, const std::vector<int>& pred, int K,
           const std::vector<float>& weights) {
  return qwk_of(checked_table("qwk", y, pred, K, weights));
}

double amae(const std::vector<int>& y, const std::vector<int>& pred, int K,
            const std::vector<float>& weights) {
  return amae_of(checked_table("amae", y, pred, K, weights));
}

double mmae(const std::vector<int>& y, const std::vector<int>& pred, int K,
            const std::vector<float>& weights) {
  return mmae_of(checked_table("mmae", y, pred, K, weights));
}

double kendall_tau_b(const std::vector<int>& y, const std::vector<int>& pred, int K,
                     const std::vector<float>& weights) {
  return kendall_of(checked_table("kendall_tau_b", y, pred, K, weights));
}

double spearman(const std::vector<int>& y, const std::vector<int>& pred, int K,
                const std::vector<float>& weights) {
  return spearman_of(checked_table("spearman", y, pred, K, weights));
}

double rps(const std::vector<int>& y, const Tensor& probs, const std::vector<float>& weights) {
  const int64_t K = check_probs("rps", y, probs);
  const std::vector<double> w = row_weights("rps", y.size(), weights);
  double num = 0, den = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const float* p = probs.data() + static_cast<int64_t>(i) * K;
    double F = 0, s = 0;
    for (int64_t k = 0; k + 1 < K; ++k) {
      F += p[k];
      const double d = F - (k >= y[i] ? 1.0 : 0.0);
      s += d * d;
    }
    num += w[i] * s;
    den += w[i];
  }
  return y.empty() ? kNaN : num / den;
}

double nll(const std::vector<int>& y, const Tensor& probs, const std::vector<float>& weights) {
  const int64_t K = check_probs("nll", y, probs);
  const std::vector<double> w = row_weights("nll", y.size(), weights);
  double num = 0, den = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double p = probs[static_cast<int64_t>(i) * K + y[i]];
    num += w[i] * -std::log(std::max(p, 1e-12));
    den += w[i];
  }
  return y.empty() ? kNaN : num / den;
}

double total_mae(const std::vector<int>& total, const std::vector<double>& predicted) {
  OG_CHECK(total.size() == predicted.size(), "total_mae: ", total.size(), " true totals but ",
           predicted.size(), " predictions");
  double s = 0;
  for (size_t g = 0; g < total.size(); ++g) s += std::abs(predicted[g] - total[g]);
  return total.empty() ? kNaN : s / static_cast<double>(total.size());
}

double total_crps(const std::vector<int>& total, const Tensor& dist) {
  OG_CHECK(dist.defined() && dist.shape().nd == 2 && dist.shape()[1] >= 1 &&
               dist.shape()[0] == static_cast<int64_t>(total.size()),
           "total_crps: distributions ", dist.shape(), " do not match ", total.size(),
           " groups (expected [", total.size(), ",S])");
  const int64_t S = dist.shape()[1];
  double sum = 0;
  for (size_t g = 0; g < total.size(); ++g) {
    OG_CHECK(total[g] >= 0, "total_crps: true total ", total[g], " of group ", g, " is negative");
    const float* D = dist.data() + static_cast<int64_t>(g) * S;
    const int64_t T = total[g];
    double F = 0, s = 0;
    for (int64_t t = 0; t < std::max(S, T); ++t) {
      if (t < S) F += D[t];  // past the support the CDF stays at its last value
      const double d = F - (t >= T ? 1.0 : 0.0);
      s += d * d;
    }
    sum += s;
  }
  return total.empty() ? kNaN : sum / static_cast<double>(total.size());
}

double interval_coverage(const std::vector<int>& total, const std::vector<double>& lo,
                         const std::vector<double>& hi) {
  OG_CHECK(lo.size() == total.size() && hi.size() == total.size(), "interval_coverage: ",
           total.size(), " true totals but ", lo.size(), " lower and ", hi.size(), " upper bounds");
  double inside = 0;
  for (size_t g = 0; g < total.size(); ++g)
    if (lo[g] <= total[g] && total[g] <= hi[g]) inside += 1;
  return total.empty() ? kNaN : inside / static_cast<double>(total.size());
}

MetricReport evaluate_metrics(const std::vector<int>& y, const std::vector<int>& pred,
                              const Tensor* probs, int K, const std::vector<float>& weights) {
  MetricReport r;
  r.n = static_cast<int64_t>(y.size());
  r.K = K;
  r.confusion = checked_table("evaluate_metrics", y, pred, K, weights);  // validates everything
  r.accuracy = accuracy(y, pred, weights);
  r.mae = mae(y, pred, weights);
  r.rmse = rmse(y, pred, weights);
  r.off_by_one = off_by_one(y, pred, weights);
  r.qwk = qwk_of(r.confusion);
  r.amae = amae_of(r.confusion);
  r.mmae = mmae_of(r.confusion);
  r.kendall_tau = kendall_of(r.confusion);
  r.spearman = spearman_of(r.confusion);
  if (probs) {
    OG_CHECK(probs->defined() && probs->shape().nd == 2 && probs->shape()[1] == K,
             "evaluate_metrics: probabilities ", probs->shape(), " for K = ", K, " classes");
    r.has_probs = true;
    r.rps = rps(y, *probs, weights);
    r.nll = nll(y, *probs, weights);
  }
  return r;
}

std::string to_json(const MetricReport& r) {
  std::ostringstream s;
  s << "{\"accuracy\": " << json_number(r.accuracy) << ", \"mae\": " << json_number(r.mae)
    << ", \"rmse\": " << json_number(r.rmse) << ", \"off_by_one\": " << json_number(r.off_by_one)
    << ", \"qwk\": " << json_number(r.qwk) << ", \"amae\": " << json_number(r.amae)
    << ", \"mmae\": " << json_number(r.mmae) << ", \"kendall_tau\": " << json_number(r.kendall_tau)
    << ", \"spearman\": " << json_number(r.spearman);
  if (r.has_probs) s << ", \"rps\": " << json_number(r.rps) << ", \"nll\": " << json_number(r.nll);
  s << ", \"confusion\": [";
  for (size_t i = 0; i < r.confusion.size(); ++i) {
    s << (i ? ", [" : "[");
    for (size_t j = 0; j < r.confusion[i].size(); ++j)
      s << (j ? ", " : "") << json_number(r.confusion[i][j]);
    s << "]";
  }
  s << "], \"n\": " << r.n << "}";
  return s.str();
}

}  // namespace og
