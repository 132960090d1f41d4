// ev.h — expected-value losses on softmax logits (spec names `ev_l1`, `ev_l2`,
// `ev_huber`); see ev.cpp.
#pragma once
#include "core/graph.h"
#include "losses/loss.h"

namespace og {

enum class EvDistance { l1, l2, huber };

// logits [N,K] with K == t.K -> scalar sum_i w_i d(mu_i - v_{y_i}) / sum_i w_i,
// mu_i = sum_k v_k softmax(z_i)_k. huber_delta (> 0) is used by EvDistance::huber only.
Var ev_loss(Var logits, const LossTarget& t, EvDistance d, float huber_delta = 1.0f);

}  // namespace og
