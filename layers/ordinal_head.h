// ordinal_head.h — the heads of the cumulative losses: CORAL (one shared score + K-1
// biases) and the cumulative link model (one score + ordered thresholds).
//
// coral_head (node "coral_head"), Cao, Mirjalili & Raschka (2020):
//   forward : eta_i = sum_j w_j x_ij,   s_ik = eta_i + b_k               (k = 0..K-2)
//   backward: with G = dL/ds and r_i = sum_k G_ik:
//             dx_ij += r_i w_j,   dw_j += sum_i r_i x_ij,   db_k += sum_i G_ik
//   The weight is shared by all K-1 tasks; that sharing is what makes the trained
//   biases ordered and the P(y > k) rank consistent (the paper's Theorem 1).
// clm_head (node "clm_head"), McCullagh (1980):
//   forward : theta_0 = t,  theta_k = theta_{k-1} + softplus(d_k)  (k = 1..K-2), so the
//             thresholds increase by construction (no clipping or re-sorting);
//             eta_i = sum_j w_j x_ij (no intercept: the thresholds are the intercepts),
//             c_ik = theta_k - eta_i
//   backward: with G = dL/dc, q_k = sum_i G_ik (dL/dtheta_k), r_i = sum_k G_ik:
//             dt += sum_k q_k,   dd_k += sigmoid(d_k) sum_{m >= k} q_m,
//             dx_ij -= r_i w_j,  dw_j -= sum_i r_i x_ij
// shapes  : x [N,in], w [1,in], b [K-1], t [1], d [K-2] (stored at index k-1), s and c [N,K-1]
// saves   : nothing beyond the inputs (eta and theta are recomputed in backward).
// parallel: forward and dx over rows (disjoint); dw, db, dt, dd are serial sums in
//           a fixed order, in double.
#pragma once
#include <string>
#include <vector>

#include "core/module.h"
#include "core/rng.h"

namespace og {

Var coral_head(Var x, Var w, Var b);
Var clm_head(Var x, Var w, Var threshold_first, Var threshold_gaps);

// CORAL head for K classes; feed its output to coral() (losses/coral.h).
// Init: weight U(-1/sqrt(in), 1/sqrt(in)) (fan_in_uniform), biases 0.
class CoralHead : public Module {
 public:
  CoralHead(int in, int K, Rng& rng);
  static int64_t parameter_count(int in, int K) { return int64_t(in) + K - 1; }
  Var forward(Var x) override;             // [N,in] -> [N,K-1]
  std::string describe() const override;  // "coral_head(128->29)"
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;

  int in_features, num_classes;
  Parameter weight;  // "weight" [1,in]
  Parameter biases;  // "biases" [K-1]
};

// Cumulative link head for K classes; feed its output to clm() (losses/clm.h).
// Init: weight U(-1/sqrt(in), 1/sqrt(in)); thresholds evenly spread one unit apart
// and centred on 0, theta_k = k - (K-2)/2 (e.g. -1, 0, 1 for K = 4), so at eta = 0
// the middle classes start with comparable probabilities.
// Strictly increasing in exact arithmetic; in float32 as long as softplus(d_k) exceeds
// the rounding of theta (d_k > -15 or so for |theta| ~ 1).
class ClmHead : public Module {
 public:
  ClmHead(int in, int K, Rng& rng);
  static int64_t parameter_count(int in, int K) { return int64_t(in) + 1 + (K - 2); }
  Var forward(Var x) override;             // [N,in] -> [N,K-1] cumulative logits c
  std::string describe() const override;  // "clm_head(128->29)"
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;

  Tensor thresholds() const;  // the ordered theta, [K-1]
  // Set the raw parameters so that thresholds() == theta (up to float rounding):
  // t = theta_0, d_k = softplus^-1(theta_k - theta_{k-1}). theta must have K-1 finite,
  // strictly increasing entries, else og::Error.
  void set_thresholds(const std::vector<float>& theta);

  int in_features, num_classes;
  Parameter weight;           // "weight" [1,in]
  Parameter threshold_first;  // "threshold_first" [1]: theta_0
  Parameter threshold_gaps;   // "threshold_gaps" [K-2]: raw d_k, gap = softplus(d_k)
};

}  // namespace og
