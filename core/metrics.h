// metrics.h — ordinal metrics of predicted classes and probabilities, metrics of
// group totals, and a report of all of them as JSON.
//
// Inputs: true classes y and predicted classes pred (N ints in [0,K)), where needed
// probabilities probs [N,K] (rows used as given, not renormalised), and optional
// sample weights (empty = all 1; else N finite values >= 0, not all 0).
//
// Weights. Every per-sample metric below takes weights and treats them as frequency
// weights: a row of weight 3 counts exactly as three copies of that row. Means are
// sum_i w_i m_i / sum_i w_i; the confusion matrix holds sums of weights; Kendall and
// Spearman are computed from the weighted (true, pred) table, with the untied pair
// counts and midranks that integer repeats would give. The group metrics take no
// weights.
//
// Undefined values are NaN (and null in JSON): every metric on N = 0 samples;
// kendall_tau_b and spearman when y or pred is constant (no untied pairs / zero
// rank variance, as in scipy). qwk is defined as 1 when sum W E = 0, which happens
// only when every prediction is right and all labels are one class (or K = 1):
// no weighted disagreement is possible, so the agreement is called perfect
// (sklearn returns nan there).
//
// Cost: every class metric is O(N + K^2) through the K x K table of (true, pred)
// weights (confusion matrix): N = 40k with K = 30 takes about a millisecond, where a
// pairwise Kendall tau would take seconds. Reductions are serial, in a fixed order,
// in double.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace og {

using Matrix = std::vector<std::vector<double>>;

// Fractions, means of |pred - y| and root mean of (pred - y)^2; off_by_one is the
// fraction with |pred - y| <= 1. Any ints are accepted (no K needed).
double accuracy(const std::vector<int>& y, const std::vector<int>& pred,
                const std::vector<float>& weights = {});
double mae(const std::vector<int>& y, const std::vector<int>& pred,
           const std::vector<float>& weights = {});
double rmse(const std::vector<int>& y, const std::vector<int>& pred,
            const std::vector<float>& weights = {});
double off_by_one(const std::vector<int>& y, const std::vector<int>& pred,
                  const std::vector<float>& weights = {});

// K x K sums of weights: row = true class, column = predicted class.
Matrix confusion_matrix(const std::vector<int>& y, const std::vector<int>& pred, int K,
                        const std::vector<float>& weights = {});

// Quadratic weighted kappa: 1 - sum_ij W_ij O_ij / sum_ij W_ij E_ij with
// W_ij = (i-j)^2 / (K-1)^2, O the confusion matrix and E_ij = row_i col_j / n (the
// outer product of the marginals, same total as O). 1 when sum W E = 0 (see above).
double qwk(const std::vector<int>& y, const std::vector<int>& pred, int K,
           const std::vector<float>& weights = {});

// Per-class MAE_c = mean over samples of true class c of |pred - c|, over the
// classes present in y (positive total weight); amae is their mean, mmae their max.
double amae(const std::vector<int>& y, const std::vector<int>& pred, int K,
            const std::vector<float>& weights = {});
double mmae(const std::vector<int>& y, const std::vector<int>& pred, int K,
            const std::vector<float>& weights = {});

// Kendall's tau-b with ties in both: (P - Q) / sqrt(U_y U_pred), P / Q the
// concordant / discordant pairs, U_y the pairs not tied in y (U_pred likewise).
double kendall_tau_b(const std::vector<int>& y, const std::vector<int>& pred, int K,
                     const std::vector<float>& weights = {});

// Spearman's rho: Pearson correlation of the midranks (ties share their average rank).
double spearman(const std::vector<int>& y, const std::vector<int>& pred, int K,
                const std::vector<float>& weights = {});

// Ranked probability score from probs [N,K]: mean of sum_{k<K-1} (F_k - 1[k >= y])^2,
// F_k = p_0 + ... + p_k. Unnormalised (Epstein's form, as in DESIGN), so it lies in
// [0, K-1]; divide by K-1 for [0, 1].
double rps(const std::vector<int>& y, const Tensor& probs, const std::vector<float>& weights = {});

// Negative log-likelihood: mean of -log max(p_y, 1e-12). The clamp exists only so that
// a zero probability gives a large finite number (27.6) instead of inf in a report.
double nll(const std::vector<int>& y, const Tensor& probs, const std::vector<float>& weights = {});

// Group totals. total: true total T_g of each group; predicted / lo / hi: the point
// prediction and the interval bounds of each group (any real numbers).
// total_mae: mean |predicted_g - T_g|.
double total_mae(const std::vector<int>& total, const std::vector<double>& predicted);
// total_crps: dist [G,S] holds each group's distribution of the total over 0..S-1
// (D = convolution of its items' distributions); mean over groups of
// sum_t (CDF_t - 1[t >= T_g])^2, t from 0 to max(S, T_g) - 1 (CDF_t = 1 past the
// support, so a true total outside the support is scored, not rejected). T_g >= 0.
double total_crps(const std::vector<int>& total, const Tensor& dist);
// interval_coverage: fraction of groups with lo_g <= T_g <= hi_g.
double interval_coverage(const std::vector<int>& total, const std::vector<double>& lo,
                         const std::vector<double>& hi);

struct MetricReport {
  int64_t n = 0;   // samples (rows), whatever their weights
  int K = 0;
  double accuracy = 0, mae = 0, rmse = 0, off_by_one = 0, qwk = 0, amae = 0, mmae = 0;
  double kendall_tau = 0, spearman = 0;
  bool has_probs = false;
  double rps = 0, nll = 0;  // only when has_probs
  Matrix confusion;         // K x K, rows = true class
};

// All metrics at once; probs may be null (then no rps / nll).
MetricReport evaluate_metrics(const std::vector<int>& y, const std::vector<int>& pred,
                              const Tensor* probs, int K, const std::vector<float>& weights = {});

// One JSON object with keys accuracy, mae, rmse, off_by_one, qwk, amae, mmae,
// kendall_tau, spearman, [rps, nll,] confusion (array of K arrays), n.
// Undefined (non-finite) values are written as null. Numbers use the shortest of
// %.15g / %.17g that reads back to the same double.
std::string to_json(const MetricReport& r);
// The numbers of that JSON: the shortest of %.15g / %.17g that reads back as the same
// double, null when not finite; and an array of them.
std::string json_number(double v);
std::string json_numbers(const std::vector<double>& v);

}  // namespace og
