// rps.h — ranked probability score on softmax logits (spec name `rps`); see rps.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

// logits [N,K] with K == t.K -> scalar sum_i w_i RPS_i / sum_i w_i.
// normalize divides RPS_i by K-1, its largest possible value (all mass on the
// class farthest from the label), so the loss lies in [0, 1].
Var rps(Var logits, const LossTarget& t, bool normalize = false);

}  // namespace og
