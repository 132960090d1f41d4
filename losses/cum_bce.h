// cum_bce.h — cumulative binary cross-entropy on the softmax CDF (spec name
// `cum_bce`); see cum_bce.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i L_i / sum_i w_i.
Var cum_bce(Var logits, const LossTarget& t);

}  // namespace og
