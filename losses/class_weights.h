// class_weights.h — per-class loss weights against label imbalance, from label counts.
//
// n_k = number of training labels equal to k (sum of their sample weights when given).
// Raw weights of the classes present (n_k > 0):
//   inverse         u_k = 1 / n_k
//   sqrt            u_k = 1 / sqrt(n_k)
//   effective:BETA  u_k = (1 - beta) / (1 - beta^n_k), beta in [0,1)
//                   (Cui et al. 2019, "Class-balanced loss based on effective number of
//                   samples"; beta = 0 gives all 1, beta -> 1 approaches inverse)
//   lds[:SIGMA]     u_k = 1 / s_k, s_k = sum_j exp(-(k-j)^2 / (2 sigma^2)) n_j over
//                   |k-j| <= ceil(3 sigma), j in [0,K) (no padding past the ends); sigma
//                   default 2 (Yang et al. 2021, "Delving into deep imbalanced
//                   regression": label-distribution smoothing, then inverse weighting.
//                   Their code defaults to a window of 5 labels (+-2); +-3 sigma keeps 99.7%
//                   of it, and the kernel's scale cancels in the normalisation below)
// Absent classes (n_k = 0) get weight 0: they never appear in a loss, and 0 keeps the
// normalisation below finite and a stray weight from hiding a data problem.
// Normalisation: w_k = c u_k with c chosen so that sum_k n_k w_k = sum_k n_k, i.e. the
// mean weight over the training rows is 1 and the loss keeps its usual scale.
#pragma once
#include <string>
#include <vector>

namespace og {

// K weights for labels in [0,K). scheme: "inverse", "sqrt", "effective:BETA" (e.g.
// effective:0.99), "lds" or "lds:SIGMA". sample_weights: empty = all 1, else one finite
// value >= 0 per label. Throws og::Error for an unknown scheme (listing the known ones),
// a bad parameter, a label out of range, or labels whose total weight is 0.
std::vector<float> class_weights(const std::string& scheme, const std::vector<int>& labels, int K,
                                 const std::vector<float>& sample_weights = {});

}  // namespace og
