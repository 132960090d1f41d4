// sord.h — soft ordinal labels on softmax logits (spec name `sord`); see sord.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i L_i / sum_i w_i.
// alpha (> 0) sharpens the soft label; squared uses the squared class distance.
Var sord(Var logits, const LossTarget& t, float alpha = 1.0f, bool squared = false);

}  // namespace og
