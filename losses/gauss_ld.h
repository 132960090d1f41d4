// gauss_ld.h — label distribution learning with Gaussian targets on softmax logits
// (spec name `gauss_ld`); see gauss_ld.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i L_i / sum_i w_i.
// sigma (> 0) is the width of the Gaussian target, in units of the class values.
Var gauss_ld(Var logits, const LossTarget& t, float sigma = 1.0f);

}  // namespace og
