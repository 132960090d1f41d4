// loss.h — what every ordgrad loss node shares: targets, weights, class values,
// and the kinds of model output (heads) the losses read.
//
// Heads (the width W of the model's last layer for K classes; model/heads.cpp):
//   softmax           W = K     logits z, p = softmax(z): ce rps ev_* cum_bce cdw_ce sord
//                               gauss_ld mean_var total_*
//   coral, corn, clm  W = K-1   one logit per threshold k = 0..K-2 (each its own head)
//   regression        W = 1     a score r predicting the label value: reg_l1 reg_l2 reg_huber
// Every loss takes class weights (K) and sample weights (N) and reduces as
// L = sum_i w_i L_i / sum_i w_i with w_i = class_weight[y_i] * sample_weight_i.
// Losses that use label values take v_k (default k).
// Shared machinery, one place each (a loss file holds only its own loss):
//   losses/reduce.h       the weights w_i, their checks and normalisation, the
//                         weighted sum, the softmax-head input check (checked_weights)
//   losses/row_math.h     softmax / log-softmax / log-sum-exp of one row in double,
//                         prefix and suffix log-sum-exps, soft-target cross-entropy
//   losses/row_loss.h     RowLossNode: the node of the softmax-head losses (rps ...
//                         mean_var) — a loss writes row(), it does the parallel rows
//                         and the weighted mean
//   losses/cumulative.h   the cumulative heads' input check, P(y > k) -> class
//                         probabilities and labels, ThresholdBceNode (coral, corn)
//   losses/total_common.h the group-total nodes' convolutions and GroupLossNode
// docs/adding-a-loss.md says which files and table entries a new loss touches.
#pragma once
#include <iterator>
#include <vector>

#include "core/elementwise.h"  // softplus(double), shared by the cumulative losses
#include "core/graph.h"

namespace og {

// Which head a loss reads. What each head computes (width, probabilities, prediction
// rule, module) lives in one table, model/heads.cpp; count_ sizes that table.
enum class Head { softmax, coral, corn, clm, regression, count_ };
inline const char* head_name(Head h) {
  static constexpr const char* names[] = {"softmax", "coral", "corn", "clm", "regression"};
  static_assert(std::size(names) == static_cast<size_t>(Head::count_), "one name per Head");
  return names[static_cast<size_t>(h)];
}

struct LossTarget {
  std::vector<int> labels;            // N labels in [0, K)
  int K = 0;                          // number of classes
  std::vector<float> class_weights;   // empty = all 1, else K entries >= 0
  std::vector<float> sample_weights;  // empty = all 1, else N entries >= 0
  std::vector<float> values;          // class values v_k; empty = 0..K-1 (increasing)

  float value(int k) const { return values.empty() ? static_cast<float>(k) : values[k]; }
};

}  // namespace og
