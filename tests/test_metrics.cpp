// Ordinal metrics (core/metrics.h): hand-computed cases, values from scipy / sklearn
// (scipy.stats.kendalltau = tau-b, spearmanr, sklearn cohen_kappa_score with
// weights='quadratic', written here as literals), naive O(N^2) references, weights as
// repeated rows, absent classes, a large N, group totals, and the JSON report.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <string>

#include "core/check.h"
#include "core/metrics.h"
#include "core/rng.h"

using namespace og;

namespace {

// Kendall tau-b over all pairs, the textbook way.
double naive_kendall(const std::vector<int>& y, const std::vector<int>& p) {
  double P = 0, Q = 0, untied_y = 0, untied_p = 0;
  for (size_t i = 0; i < y.size(); ++i)
    for (size_t j = i + 1; j < y.size(); ++j) {
      const int dy = (y[i] > y[j]) - (y[i] < y[j]), dp = (p[i] > p[j]) - (p[i] < p[j]);
      P += dy * dp > 0;
      Q += dy * dp < 0;
      untied_y += dy != 0;
      untied_p += dp != 0;
    }
  return (P - Q) / std::sqrt(untied_y * untied_p);
}

// Ranks 1..N with ties given their average rank, by sorting.
std::vector<double> average_ranks(const std::vector<int>& v) {
  std::vector<size_t> order(v.size());
  for (size_t i = 0; i < v.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t s = 0; s < order.size();) {
    size_t e = s;
    while (e < order.size() && v[order[e]] == v[order[s]]) ++e;
    for (size_t k = s; k < e; ++k) rank[order[k]] = (s + 1 + e) / 2.0;  // mean of s+1..e
    s = e;
  }
  return rank;
}

double naive_spearman(const std::vector<int>& y, const std::vector<int>& p) {
  const std::vector<double> a = average_ranks(y), b = average_ranks(p);
  const double n = static_cast<double>(y.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < y.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) * (a[i] - ma);
    vb += (b[i] - mb) * (b[i] - mb);
  }
  return cov / std::sqrt(va * vb);
}

// A minimal JSON reader that only says whether the text is one valid value.
struct JsonCheck {
  const std::string& s;
  size_t i = 0;
  void ws() { while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i; }
  bool lit(const char* w) {
    const std::string t(w);
    if (s.compare(i, t.size(), t) != 0) return false;
    i += t.size();
    return true;
  }
  bool string() {
    if (s[i] != '"') return false;
    for (++i; i < s.size() && s[i] != '"'; ++i)
      if (s[i] == '\\') ++i;
    return i++ < s.size();
  }
  bool number() {
    const size_t start = i;
    while (i < s.size() && std::string("+-0123456789.eE").find(s[i]) != std::string::npos) ++i;
    if (i == start) return false;
    char* end = nullptr;
    const std::string t = s.substr(start, i - start);
    std::strtod(t.c_str(), &end);
    return *end == '\0';
  }
  bool value() {
    ws();
    if (i >= s.size()) return false;
    bool ok;
    if (s[i] == '{') ok = container('}', true);
    else if (s[i] == '[') ok = container(']', false);
    else if (s[i] == '"') ok = string();
    else if (s[i] == 'n') ok = lit("null");
    else ok = number();
    ws();
    return ok;
  }
  bool container(char close, bool object) {
    ++i;
    ws();
    if (i < s.size() && s[i] == close) return ++i, true;
    for (;;) {
      if (object) {
        ws();
        if (!string()) return false;
        ws();
        if (i >= s.size() || s[i++] != ':') return false;
      }
      if (!value()) return false;
      if (i < s.size() && s[i] == ',') { ++i; continue; }
      return i < s.size() && s[i++] == close;
    }
  }
  bool whole() { return value() && i == s.size(); }
};

bool valid_json(const std::string& s) { return JsonCheck{s}.whole(); }

std::vector<int> repeat_rows(const std::vector<int>& v, const std::vector<float>& times) {
  std::vector<int> out;
  for (size_t i = 0; i < v.size(); ++i)
    for (int r = 0; r < static_cast<int>(times[i]); ++r) out.push_back(v[i]);
  return out;
}

}  // namespace

TEST_CASE("metrics: accuracy, mae, rmse, off_by_one by hand") {
  const std::vector<int> y = {0, 1, 2, 3}, p = {0, 2, 0, 3};
  CHECK(accuracy(y, p) == doctest::Approx(0.5));
  CHECK(mae(y, p) == doctest::Approx(0.75));          // (0 + 1 + 2 + 0) / 4
  CHECK(rmse(y, p) == doctest::Approx(std::sqrt(1.25)));  // (0 + 1 + 4 + 0) / 4
  CHECK(off_by_one(y, p) == doctest::Approx(0.75));
  // weights 1,1,2,0: (0 + 1 + 2*2 + 0) / 4
  const std::vector<float> w = {1, 1, 2, 0};
  CHECK(mae(y, p, w) == doctest::Approx(1.25));
  CHECK(accuracy(y, p, w) == doctest::Approx(0.25));
  CHECK(off_by_one(y, p, w) == doctest::Approx(0.5));
  CHECK(rmse(y, p, w) == doctest::Approx(std::sqrt(9.0 / 4)));
}

TEST_CASE("metrics: confusion matrix has rows = true, columns = predicted") {
  const std::vector<int> y = {0, 0, 1, 2, 2, 2}, p = {0, 1, 1, 0, 2, 2};
  const Matrix m = confusion_matrix(y, p, 4);
  // Built element by element: GCC 12.2 at -O2 with AVX-512 (this machine's -march=native)
  // miscompiles a 4-element list of doubles {a, a, 0, 0} into {a, a, a, a}.
  Matrix want(4, std::vector<double>(4, 0.0));
  want[0][0] = want[0][1] = want[1][1] = want[2][0] = 1;
  want[2][2] = 2;
  CHECK(m == want);
  const Matrix mw = confusion_matrix(y, p, 4, {1, 2, 3, 0.5f, 1, 1});
  CHECK(mw[0][1] == 2);
  CHECK(mw[2][0] == 0.5);
  CHECK(mw[2][2] == 2);
}

TEST_CASE("metrics: qwk by hand, perfect, worst and degenerate") {
  // O: (0,0) (1,2) (2,2); rows 1,1,1, columns 1,0,2: num = 1, den = (8 + 3 + 4) / 3 = 5
  CHECK(qwk({0, 1, 2}, {0, 2, 2}, 3) == doctest::Approx(0.8));
  CHECK(qwk({0, 1, 2, 3, 3}, {0, 1, 2, 3, 3}, 6) == doctest::Approx(1.0));
  // The two ends swapped: num = 2 (K-1)^2, den = (K-1)^2.
  CHECK(qwk({0, 5}, {5, 0}, 6) == doctest::Approx(-1.0));
  // All labels and predictions in one class: sum W E = 0, defined as perfect agreement.
  CHECK(qwk({2, 2, 2}, {2, 2, 2}, 5) == 1.0);
  CHECK(qwk({0, 0}, {0, 0}, 1) == 1.0);
  // One class in truth only but wrong predictions: defined by the formula.
  // O = E here (rows are a single class), so kappa = 0.
  CHECK(qwk({1, 1, 1}, {0, 1, 2}, 3) == doctest::Approx(0.0));
}

TEST_CASE("metrics: ties in both, absent classes, against scipy and sklearn") {
  // K = 5: class 2 never true, class 4 never predicted.
  const std::vector<int> y = {0, 0, 0, 1, 1, 3, 3, 3, 4, 4, 0, 1, 3, 4, 0, 1};
  const std::vector<int> p = {0, 1, 0, 1, 2, 3, 2, 3, 3, 2, 0, 0, 1, 3, 1, 1};
  CHECK(kendall_tau_b(y, p, 5) == doctest::Approx(0.705263157894737).epsilon(1e-12));
  CHECK(spearman(y, p, 5) == doctest::Approx(0.8026729559748429).epsilon(1e-12));
  CHECK(qwk(y, p, 5) == doctest::Approx(0.7520661157024793).epsilon(1e-12));
  CHECK(accuracy(y, p) == doctest::Approx(0.4375));
  CHECK(mae(y, p) == doctest::Approx(0.6875));
  CHECK(rmse(y, p) == doctest::Approx(0.9682458365518543));
  CHECK(off_by_one(y, p) == doctest::Approx(0.875));
  CHECK(amae(y, p, 5) == doctest::Approx(0.7458333333333333).epsilon(1e-12));
  CHECK(mmae(y, p, 5) == doctest::Approx(1.3333333333333333).epsilon(1e-12));
  // The same with more classes that nobody uses changes nothing.
  CHECK(kendall_tau_b(y, p, 9) == doctest::Approx(0.705263157894737).epsilon(1e-12));
  CHECK(spearman(y, p, 9) == doctest::Approx(0.8026729559748429).epsilon(1e-12));
  CHECK(qwk(y, p, 9) == doctest::Approx(0.7520661157024793).epsilon(1e-12));
  CHECK(amae(y, p, 9) == doctest::Approx(0.7458333333333333).epsilon(1e-12));
}

TEST_CASE("metrics: amae and mmae skip classes absent from the truth") {
  // class 0: |1-0|, |0-0| -> 0.5; class 2: |0-2| -> 2; classes 1 and 3 absent.
  CHECK(amae({0, 0, 2}, {1, 0, 0}, 4) == doctest::Approx(1.25));
  CHECK(mmae({0, 0, 2}, {1, 0, 0}, 4) == doctest::Approx(2.0));
  // Weights: class 0 becomes (3*1 + 1*0) / 4, class 2 is unchanged.
  CHECK(amae({0, 0, 2}, {1, 0, 0}, 4, {3, 1, 5}) == doctest::Approx((0.75 + 2) / 2));
  // A class whose rows all have weight 0 counts as absent.
  CHECK(amae({0, 0, 2}, {1, 0, 0}, 4, {1, 1, 0}) == doctest::Approx(0.5));
  // Perfect predictions.
  CHECK(mmae({3, 1, 0}, {3, 1, 0}, 4) == 0.0);
}

TEST_CASE("metrics: kendall and spearman are +-1 at the ends and undefined for a constant") {
  const std::vector<int> y = {0, 1, 1, 2, 4, 4};
  std::vector<int> rev(y.size());
  for (size_t i = 0; i < y.size(); ++i) rev[i] = 4 - y[i];
  CHECK(kendall_tau_b(y, y, 5) == doctest::Approx(1.0));
  CHECK(spearman(y, y, 5) == doctest::Approx(1.0));
  CHECK(kendall_tau_b(y, rev, 5) == doctest::Approx(-1.0));
  CHECK(spearman(y, rev, 5) == doctest::Approx(-1.0));
  // Strictly monotone but not equal: still 1.
  CHECK(kendall_tau_b({0, 1, 2}, {0, 3, 4}, 5) == doctest::Approx(1.0));
  CHECK(std::isnan(kendall_tau_b(y, std::vector<int>(6, 2), 5)));
  CHECK(std::isnan(spearman(y, std::vector<int>(6, 2), 5)));
  CHECK(std::isnan(kendall_tau_b(std::vector<int>(6, 3), y, 5)));
  CHECK(std::isnan(spearman(std::vector<int>(6, 3), y, 5)));
}

TEST_CASE("metrics: integer weights equal repeated rows; all agree with naive references") {
  Rng rng(11);
  const int K = 7, N = 400;
  std::vector<int> y(N), p(N);
  std::vector<float> w(N);
  for (int i = 0; i < N; ++i) {
    y[i] = static_cast<int>(rng.below(K - 1));  // class 6 never true
    p[i] = std::min(K - 1, std::max(0, y[i] + static_cast<int>(rng.below(5)) - 2));
    if (p[i] == 3) p[i] = 4;                    // class 3 never predicted
    w[i] = static_cast<float>(rng.below(4));    // 0..3 copies
  }
  const std::vector<int> yr = repeat_rows(y, w), pr = repeat_rows(p, w);
  REQUIRE(yr.size() > 300);
  const double kt = kendall_tau_b(y, p, K, w), sp = spearman(y, p, K, w);
  CHECK(kt == doctest::Approx(kendall_tau_b(yr, pr, K)).epsilon(1e-12));
  CHECK(kt == doctest::Approx(naive_kendall(yr, pr)).epsilon(1e-12));
  CHECK(sp == doctest::Approx(spearman(yr, pr, K)).epsilon(1e-12));
  CHECK(sp == doctest::Approx(naive_spearman(yr, pr)).epsilon(1e-12));
  CHECK(kt > 0.3);  // the data are correlated: the comparison is not between zeros
  CHECK(qwk(y, p, K, w) == doctest::Approx(qwk(yr, pr, K)).epsilon(1e-12));
  CHECK(amae(y, p, K, w) == doctest::Approx(amae(yr, pr, K)).epsilon(1e-12));
  CHECK(mmae(y, p, K, w) == doctest::Approx(mmae(yr, pr, K)).epsilon(1e-12));
  CHECK(mae(y, p, w) == doctest::Approx(mae(yr, pr)).epsilon(1e-12));
  CHECK(rmse(y, p, w) == doctest::Approx(rmse(yr, pr)).epsilon(1e-12));
  CHECK(accuracy(y, p, w) == doctest::Approx(accuracy(yr, pr)).epsilon(1e-12));
  CHECK(off_by_one(y, p, w) == doctest::Approx(off_by_one(yr, pr)).epsilon(1e-12));
  CHECK(confusion_matrix(y, p, K, w) == confusion_matrix(yr, pr, K));
  // Scaling every weight changes nothing.
  std::vector<float> w3(w);
  for (float& v : w3) v *= 0.37f;
  CHECK(kendall_tau_b(y, p, K, w3) == doctest::Approx(kt).epsilon(1e-6));
  CHECK(spearman(y, p, K, w3) == doctest::Approx(sp).epsilon(1e-6));
  CHECK(qwk(y, p, K, w3) == doctest::Approx(qwk(y, p, K, w)).epsilon(1e-6));
}

TEST_CASE("metrics: 40,000 samples, 30 classes, against scipy and sklearn, fast") {
  // y_i = 29 - isqrt((7919 i) mod 900): class 29 - r takes 2r + 1 of every 900 rows,
  // so low classes are common; pred_i = clamp(y_i + (31 i mod 7) - 3, 0, 28) never
  // predicts class 29.
  const int N = 40000, K = 30;
  std::vector<int> y(N), p(N);
  for (int i = 0; i < N; ++i) {
    const int v = static_cast<int>((static_cast<int64_t>(i) * 7919) % 900);
    int r = 0;
    while ((r + 1) * (r + 1) <= v) ++r;
    y[i] = 29 - r;
    p[i] = std::min(28, std::max(0, y[i] + (i * 31) % 7 - 3));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const MetricReport m = evaluate_metrics(y, p, nullptr, K);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(seconds < 0.5);  // O(N + K^2); a pairwise tau would take seconds here
  CHECK(m.kendall_tau == doctest::Approx(0.8436205930702386).epsilon(1e-12));
  CHECK(m.spearman == doctest::Approx(0.955443836133543).epsilon(1e-12));
  CHECK(m.qwk == doctest::Approx(0.9635889226114894).epsilon(1e-12));
  CHECK(m.accuracy == doctest::Approx(0.1723));
  CHECK(m.mae == doctest::Approx(1.615375));
  CHECK(m.rmse == doctest::Approx(1.924246605817456));
  CHECK(m.off_by_one == doctest::Approx(0.468325));
  CHECK(m.amae == doctest::Approx(1.609821853847308).epsilon(1e-12));
  CHECK(m.mmae == doctest::Approx(1.7172131147540983).epsilon(1e-12));
}

TEST_CASE("metrics: rps and nll from probabilities") {
  // rows: y=1 -> F = .2,.7: .2^2 + .3^2 = .13; y=2 -> F = .7,.9: .49 + .81 = 1.3;
  //       y=0, all mass on 2 -> F = 0,0: 1 + 1 = 2 (the worst, K-1)
  const Tensor probs = Tensor::from({3, 3}, {0.2f, 0.5f, 0.3f, 0.7f, 0.2f, 0.1f, 0, 0, 1});
  const std::vector<int> y = {1, 2, 0};
  CHECK(rps(y, probs) == doctest::Approx((0.13 + 1.3 + 2) / 3).epsilon(1e-6));
  CHECK(rps(y, probs, {2, 0, 1}) == doctest::Approx((2 * 0.13 + 2) / 3).epsilon(1e-6));
  // The zero probability is clamped at 1e-12: -log(1e-12) = 27.631...
  CHECK(nll(y, probs) ==
        doctest::Approx((-std::log(0.5) - std::log(0.1) - std::log(1e-12)) / 3).epsilon(1e-6));
  CHECK(std::isfinite(nll(y, probs)));
  // A perfect one-hot prediction scores 0 on both.
  const Tensor one_hot = Tensor::from({2, 3}, {0, 0, 1, 1, 0, 0});
  CHECK(rps({2, 0}, one_hot) == 0.0);
  CHECK(nll({2, 0}, one_hot) == 0.0);
}

TEST_CASE("metrics: totals of groups") {
  CHECK(total_mae({10, 20, 5}, {12, 19.5, 5}) == doctest::Approx((2 + 0.5 + 0) / 3));
  // Group 0: D = (.5,.5,0) over 0..2, T = 1: CDF .5,1,1 vs 0,1,1 -> .25.
  // Group 1: D = (0,0,1), T = 0: CDF 0,0,1 vs 1,1,1 -> 2.
  const Tensor D = Tensor::from({2, 3}, {0.5f, 0.5f, 0, 0, 0, 1});
  CHECK(total_crps({1, 0}, D) == doctest::Approx((0.25 + 2) / 2));
  // A true total past the support: D = (.5,.5,0), T = 5: CDF .5,1,1,1,1 vs 0 -> .25 + 4.
  CHECK(total_crps({5}, Tensor::from({1, 3}, {0.5f, 0.5f, 0})) == doctest::Approx(4.25));
  CHECK(interval_coverage({3, 7, 10, 0}, {2, 8, 10, 0}, {3, 9, 12, 1}) == doctest::Approx(0.75));
  CHECK_THROWS_WITH_AS(total_crps({-1}, Tensor::from({1, 2}, {0.5f, 0.5f})),
                       "total_crps: true total -1 of group 0 is negative", Error);
  CHECK_THROWS_AS(total_crps({1, 2}, D.reshape({6})), Error);
  CHECK_THROWS_AS(total_mae({1, 2}, {1}), Error);
  CHECK_THROWS_AS(interval_coverage({1, 2}, {1, 2}, {3}), Error);
  CHECK(std::isnan(total_mae({}, {})));
}

TEST_CASE("metrics: no samples give NaN, not a crash") {
  const std::vector<int> none;
  CHECK(std::isnan(accuracy(none, none)));
  CHECK(std::isnan(mae(none, none)));
  CHECK(std::isnan(qwk(none, none, 3)));
  CHECK(std::isnan(amae(none, none, 3)));
  CHECK(std::isnan(kendall_tau_b(none, none, 3)));
  const MetricReport r = evaluate_metrics(none, none, nullptr, 3);
  CHECK(r.n == 0);
  CHECK(valid_json(to_json(r)));
}

TEST_CASE("metrics: user errors name the metric") {
  CHECK_THROWS_WITH_AS(accuracy({0, 1}, {0}), "accuracy: 2 true classes but 1 predictions", Error);
  CHECK_THROWS_WITH_AS(qwk({0, 3}, {0, 1}, 3), "qwk: true class 3 at row 1 is outside [0,3)",
                       Error);
  CHECK_THROWS_WITH_AS(spearman({0, 1}, {0, -1}, 3),
                       "spearman: predicted class -1 at row 1 is outside [0,3)", Error);
  CHECK_THROWS_WITH_AS(mae({0, 1}, {0, 1}, {1, -1}),
                       "mae: weight of row 1 is -1 (weights must be finite and >= 0)", Error);
  CHECK_THROWS_WITH_AS(mae({0, 1}, {0, 1}, {0, 0}), "mae: the weights sum to zero", Error);
  CHECK_THROWS_WITH_AS(mae({0, 1}, {0, 1}, {1}), "mae: 1 weights for 2 samples", Error);
  CHECK_THROWS_WITH_AS(rps({0, 1}, Tensor::zeros({3, 2})),
                       "rps: probabilities [3,2] do not match 2 labels (expected [2,K])", Error);
  CHECK_THROWS_AS(nll({0, 2}, Tensor::zeros({2, 2})), Error);  // label 2 outside [0,2)
  CHECK_THROWS_AS(kendall_tau_b({0}, {0}, 0), Error);
  const Tensor p4 = Tensor::zeros({2, 4});
  CHECK_THROWS_WITH_AS(evaluate_metrics({0, 1}, {0, 1}, &p4, 3),
                       "evaluate_metrics: probabilities [2,4] for K = 3 classes", Error);
}

TEST_CASE("metrics: evaluate_metrics agrees with the single metrics") {
  const std::vector<int> y = {0, 0, 0, 1, 1, 3, 3, 3, 4, 4, 0, 1, 3, 4, 0, 1};
  const std::vector<int> p = {0, 1, 0, 1, 2, 3, 2, 3, 3, 2, 0, 0, 1, 3, 1, 1};
  std::vector<float> w(y.size());
  Tensor probs = Tensor::empty({16, 5});
  Rng rng(3);
  for (size_t i = 0; i < y.size(); ++i) {
    w[i] = rng.uniform(0.5f, 2.0f);
    float s = 0;
    for (int k = 0; k < 5; ++k) s += probs[i * 5 + k] = rng.uniform(0.1f, 1.0f);
    for (int k = 0; k < 5; ++k) probs[i * 5 + k] /= s;
  }
  const MetricReport r = evaluate_metrics(y, p, &probs, 5, w);
  CHECK(r.n == 16);
  CHECK(r.K == 5);
  CHECK(r.has_probs);
  CHECK(r.accuracy == accuracy(y, p, w));
  CHECK(r.mae == mae(y, p, w));
  CHECK(r.rmse == rmse(y, p, w));
  CHECK(r.off_by_one == off_by_one(y, p, w));
  CHECK(r.qwk == qwk(y, p, 5, w));
  CHECK(r.amae == amae(y, p, 5, w));
  CHECK(r.mmae == mmae(y, p, 5, w));
  CHECK(r.kendall_tau == kendall_tau_b(y, p, 5, w));
  CHECK(r.spearman == spearman(y, p, 5, w));
  CHECK(r.rps == rps(y, probs, w));
  CHECK(r.nll == nll(y, probs, w));
  CHECK(r.confusion == confusion_matrix(y, p, 5, w));
  const std::string js = to_json(r);
  CHECK(valid_json(js));
  for (const char* key : {"accuracy", "mae", "rmse", "off_by_one", "qwk", "amae", "mmae",
                          "kendall_tau", "spearman", "rps", "nll", "confusion", "n"})
    CHECK(js.find(std::string("\"") + key + "\": ") != std::string::npos);
  CHECK(js.find("\"n\": 16}") != std::string::npos);
}

TEST_CASE("metrics: JSON writes undefined values as null and numbers that read back") {
  // y is constant: kendall and spearman are undefined. No probabilities: no rps / nll.
  const MetricReport r = evaluate_metrics({1, 1, 1}, {0, 1, 1}, nullptr, 3);
  CHECK(std::isnan(r.spearman));
  const std::string js = to_json(r);
  CHECK(js ==
        "{\"accuracy\": 0.66666666666666663, \"mae\": 0.33333333333333331, "
        "\"rmse\": 0.57735026918962573, \"off_by_one\": 1, \"qwk\": 0, "
        "\"amae\": 0.33333333333333331, \"mmae\": 0.33333333333333331, "
        "\"kendall_tau\": null, \"spearman\": null, "
        "\"confusion\": [[0, 0, 0], [1, 2, 0], [0, 0, 0]], \"n\": 3}");
  CHECK(valid_json(js));
  CHECK(std::strtod("0.66666666666666663", nullptr) == r.accuracy);
  CHECK(js.find("nan") == std::string::npos);
  // With probabilities the two extra keys appear before the confusion matrix.
  const Tensor probs = Tensor::from({2, 2}, {0.75f, 0.25f, 0.5f, 0.5f});
  const std::string jp = to_json(evaluate_metrics({0, 1}, {0, 0}, &probs, 2));
  // rps: F_0 = .75 vs 1 -> .0625, F_0 = .5 vs 0 -> .25; mean .15625
  CHECK(jp.find("\"rps\": 0.15625, \"nll\": ") != std::string::npos);
  CHECK(valid_json(jp));
  // And the checker itself rejects broken text.
  CHECK_FALSE(valid_json("{\"a\": nan}"));
  CHECK_FALSE(valid_json("{\"a\": [1, 2}"));
  CHECK_FALSE(valid_json("{\"a\": 1,}"));
}
