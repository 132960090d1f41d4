// calibration.h — how far predicted distributions can be trusted: expected calibration
// errors and the probability integral transform (PIT) of discrete predictions.
//
// Inputs: probs [N,S], one predictive distribution over 0..S-1 per row (class
// probabilities, or a group total's distribution), observed values y (classes, or
// totals; a total past S-1 has predictive CDF 1 there), optional frequency weights
// (empty = all 1) as in core/metrics.h.
//
// ece_top_label: rows binned by their top probability c_i = max_k p_ik into `bins`
//   equal-width bins of [0,1]; ECE = sum_b (W_b / W) |acc_b - conf_b|, with conf_b the
//   mean top probability and acc_b the fraction whose top class is y (weighted).
// ece_cumulative: the same over every threshold event y > k (k = 0..S-2), its
//   predicted probability P(y > k) = sum_{j>k} p_j and outcome 1[y > k], all N(S-1)
//   pairs binned together: calibration of the cumulative probabilities that ordinal
//   decisions use.
// PIT (non-randomised, Czado, Gneiting & Held 2009): with F the predictive CDF and
//   F(-1) = 0, row i's PIT is uniform on [F(y_i - 1), F(y_i)]:
//     F_i(u) = 0 for u <= F(y-1);  (u - F(y-1)) / (F(y) - F(y-1)) between;  1 for u >= F(y)
//   (a point at F(y) when the observed value had probability 0). pit_histogram gives the
//   weighted mean of F_i((j+1)/J) - F_i(j/J) for the J bins: 1/J each when the forecasts
//   are calibrated; U-shaped when they are over-confident, hump-shaped when under.
// pit_uniformity: J sum_j (f_j - 1/J)^2, 0 for a flat histogram (a chi-square-like
//   divergence; J = 10 gives at most 9).
#pragma once
#include <vector>

#include "core/tensor.h"

namespace og {

struct ReliabilityBins {            // for a reliability diagram
  std::vector<double> confidence;   // mean predicted probability per bin (NaN if empty)
  std::vector<double> frequency;    // observed frequency per bin (NaN if empty)
  std::vector<double> weight;       // total weight per bin
};

double ece_top_label(const std::vector<int>& y, const Tensor& probs, int bins = 15,
                     const std::vector<float>& weights = {}, ReliabilityBins* out = nullptr);
double ece_cumulative(const std::vector<int>& y, const Tensor& probs, int bins = 15,
                      const std::vector<float>& weights = {}, ReliabilityBins* out = nullptr);

std::vector<double> pit_histogram(const std::vector<int>& y, const Tensor& probs, int bins = 10,
                                  const std::vector<float>& weights = {});
double pit_uniformity(const std::vector<double>& histogram);

}  // namespace og
