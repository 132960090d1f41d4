// mean_var.h — mean-variance loss on softmax logits (spec name `mean_var`); see
// mean_var.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i L_i / sum_i w_i.
// lambda1 weighs the squared error of the mean, lambda2 the variance (both >= 0).
Var mean_var(Var logits, const LossTarget& t, float lambda1 = 0.2f, float lambda2 = 0.05f);

}  // namespace og
