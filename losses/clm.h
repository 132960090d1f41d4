// clm.h — cumulative link model loss (spec name `clm`, options link=logit|probit).
//
// McCullagh, "Regression models for ordinal data", JRSS B 42 (1980): the proportional
// odds model (logit link) and its probit counterpart. One score eta per sample and
// ordered thresholds theta_0 <= ... <= theta_{K-2}; the head (layers/ordinal_head.h:
// ClmHead) outputs the cumulative logits c_k = theta_k - eta, and
//   P(y <= k) = F(c_k),   F = logistic sigmoid (logit) or standard normal CDF Phi (probit)
//   p_k = F(c_k) - F(c_{k-1}),   F(c_{-1}) = 0,  F(c_{K-1}) = 1.
#pragma once

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

enum class ClmLink { logit, probit };

// c [N,K-1], non-decreasing along k in every row (else og::Error naming the row)
// -> scalar weighted mean of L_i = -log p_{y_i}, computed in log space (clm.cpp).
// Equal neighbours c_{k-1} = c_k make p_k = 0: a sample with that label has L = +inf.
Var clm(Var c, const LossTarget& t, ClmLink link);

// [N,K-1] ordered cumulative logits -> [N,K] class probabilities p_k (rows sum to 1).
Tensor clm_probs(const Tensor& c, ClmLink link);

// [N,K-1] -> [N,K-1] P(y > k) = 1 - F(c_k) = F(-c_k) (both links are symmetric).
// count_above_half(clm_greater(c, link)) (losses/cumulative.h) is the median class.
Tensor clm_greater(const Tensor& c, ClmLink link);

// log F(x) in double, accurate in both tails (also for |x| in the hundreds).
double clm_log_cdf(double x, ClmLink link);

}  // namespace og
