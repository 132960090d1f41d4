// cdw_ce.h — class-distance weighted cross-entropy on softmax logits (spec name
// `cdw_ce`); see cdw_ce.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i L_i / sum_i w_i.
// alpha (> 0) is the power of the class distance; normalize divides L_i by the
// largest distance to the power alpha ((K-1)^alpha for the default class values).
Var cdw_ce(Var logits, const LossTarget& t, float alpha = 1.0f, bool normalize = false);

}  // namespace og
