// row_loss — the node the softmax-head losses derive from (rps, ev_l1/ev_l2/ev_huber,
//            cum_bce, cdw_ce, sord and gauss_ld (soft_target), mean_var): the weighted
//            mean over rows, run in parallel. Not a loss itself: each loss file derives
//            a node from RowLossNode and writes row(), the loss L_i of one row of
//            logits and its gradient dL_i/dz_i; its own header comment gives both.
//            The loss's builder checks its input and gets the weights from
//            checked_weights (losses/reduce.h); row() usually starts from
//            softmax_row or another helper of losses/row_math.h.
//
// forward : L_i, dL_i/dz_i = row(z_i, y_i)   for every row i of the logits z
//           L = sum_i w_i L_i / sum_i w_i,   w_i = class_weight[y_i] * sample_weight_i
// backward: dz_i += g * w_i / sum_j w_j * dL_i/dz_i     (g = dLoss/dL, the node's grad)
// shapes  : z [N,K] (K = t.K >= 2), N labels in [0,K) -> scalar
// saves   : dL_i/dz_i per row [N,K], unweighted, and w_i / sum_j w_j. The row
//           gradient is computed in forward (only when a gradient is wanted):
//           it needs the same softmax and sums as L_i, so backward only scales it.
// parallel: rows are independent (parallel_for over rows; each writes its own L_i
//           and dL_i/dz_i); the weighted sum runs serially in row order, so the
//           result does not depend on the thread count. backward: parallel over rows.
#pragma once
#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "losses/loss.h"

namespace og {

struct RowLossNode : Node {
  std::vector<int> labels;
  std::vector<double> w;  // per-sample weights, normalised to sum 1
  Tensor dl;              // dL_i/dz_i, unweighted (only when needs_grad)

  RowLossNode(std::vector<int> y, std::vector<double> weights)
      : labels(std::move(y)), w(std::move(weights)) {}

  // L_i of one row z (K logits) with label y; writes dL_i/dz to dz if dz is not null.
  // Called concurrently for different rows: it must not write node state.
  virtual double row(const float* z, int64_t K, int y, float* dz) const = 0;

  void forward() override;
  void backward() override;
};

// The class values v_0..v_{K-1} of t in double (k when t gives none), for the row
// losses that measure distances or means in them (ev_*, cdw_ce, mean_var).
inline std::vector<double> class_values(const LossTarget& t) {
  std::vector<double> v(t.K);
  for (int k = 0; k < t.K; ++k) v[k] = t.value(k);
  return v;
}

}  // namespace og
