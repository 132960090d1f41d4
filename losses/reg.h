// reg.h — the plain regression baseline (spec names `reg_l1`, `reg_l2`, `reg_huber`).
//
// The model outputs one score r per sample, read as a prediction of the label's
// value v_y (v_k = k unless LossTarget::values are given); the class is r rounded to
// the nearest class value and clipped to [0, K-1] (reg_classes). The baseline every
// ordinal loss should beat: it knows the labels are ordered and spaced, but has no
// class probabilities.
#pragma once
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

enum class RegDistance { l1, l2, huber };

// r [N,1] -> scalar weighted mean of L_i, d_i = r_i - v_{y_i}:
//   l1    (node "reg_l1")    L_i = |d_i|
//   l2    (node "reg_l2")    L_i = d_i^2
//   huber (node "reg_huber") L_i = d_i^2 / 2 for |d_i| <= delta, else delta (|d_i| - delta/2)
Var reg_loss(Var r, const LossTarget& t, RegDistance d, float huber_delta = 1.0f);

// r [N,1] (or [N]) -> N classes: the k whose value v_k is nearest to r_i (values
// empty = v_k = k), a tie going to the higher class. With the default values this
// is floor(r + 1/2) clipped to [0, K-1].
std::vector<int> reg_classes(const Tensor& r, int K, const std::vector<float>& values = {});

}  // namespace og
