// soft_target.h — cross-entropy to a soft ordinal target on softmax logits: one
// node, two target rules, spec names `sord` and `gauss_ld`; see soft_target.cpp.
#pragma once
#include <cmath>
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i L_i / sum_i w_i, where
// L_i = -sum_k q_k log p_k fits p = softmax(z_i) to the soft target q of label y_i.
// Rule sord: q_k proportional to e^(-alpha |v_k - v_y|); alpha (> 0) sharpens the
// soft label, squared uses the squared class distance (v_k - v_y)^2.
Var sord(Var logits, const LossTarget& t, float alpha = 1.0f, bool squared = false);

// Rule gauss_ld: q_k proportional to e^(-(v_k - v_y)^2 / (2 sigma^2)); sigma (> 0) is
// the width of the Gaussian target, in units of the class values.
Var gauss_ld(Var logits, const LossTarget& t, float sigma = 1.0f);

// The targets of every label: q [K,K], row y = softmax_k(score(y, k)), the
// distribution that label y is turned into. score(y, y) = 0 is the largest score
// (both rules), so no exponent overflows.
template <class Score>
std::vector<double> soft_targets(int K, Score score) {
  std::vector<double> q(size_t(K) * K);
  for (int y = 0; y < K; ++y) {
    double* qy = q.data() + size_t(y) * K;
    double s = 0;
    for (int k = 0; k < K; ++k) s += qy[k] = std::exp(score(y, k));
    for (int k = 0; k < K; ++k) qy[k] /= s;
  }
  return q;
}

}  // namespace og
