// batchnorm.h — batch normalisation over the channel axis of [N,C] or [N,C,H,W].
//
// Per channel c, over its M = N*H*W values x_i (H = W = 1 for 2-D input):
// training (node "batchnorm"), batch statistics with the biased variance:
//   mu = (1/M) sum_i x_i,   var = (1/M) sum_i (x_i - mu)^2,   r = 1/sqrt(var + eps)
//   xh_i = (x_i - mu) r,    y_i = gamma xh_i + beta
//   dbeta  += sum_i g_i
//   dgamma += sum_i g_i xh_i
//   dx_i   += (gamma r / M) (M g_i - sum_j g_j - xh_i sum_j g_j xh_j)
//   (the last two terms are the gradient through mu and through var).
// eval (node "batchnorm_eval"), with the running statistics held fixed:
//   r = 1/sqrt(running_var + eps),  y_i = gamma (x_i - running_mean) r + beta
//   dx_i += g_i gamma r,  dgamma += sum_i g_i (x_i - running_mean) r,  dbeta += sum_i g_i
// shapes  : x [N,C] or [N,C,H,W]; gamma, beta, running_mean, running_var [C]; y like x.
// with relu (nodes "batchnorm_relu", "batchnorm_eval_relu"; the architecture's
// "bn, relu"): y_i = max(z_i, 0) for the z_i above, and backward uses
//   gz_i = g_i where y_i > 0, else 0   in place of g_i in every formula.
// dx is stored, not added, when nothing has written it yet (Node::in_grad_fresh).
// saves   : per channel mu, var and r (xh is recomputed from x in backward; the relu
//           mask is y > 0).
// parallel: over channels. Each channel's sums run in a fixed order, in double, over
//           8 lanes (element k of each H*W run to lane k % 8, so the loops vectorise),
//           so results do not depend on the thread count.
// The BatchNorm module updates its running statistics after recording the node
// (momentum m, unbiased variance as PyTorch does):
//   running_mean = (1-m) running_mean + m mu
//   running_var  = (1-m) running_var  + m var * M/(M-1)
// That update lives outside the node, whose forward() stays a pure function of
// its inputs so that Graph::replay() (gradient checks) can re-run it. A graph with a
// stat log (Graph::set_stat_log) gets the update deferred: mu and var are logged and
// applied later by the same code (sharded steps replay every shard's in shard order).
#pragma once
#include <string>
#include <vector>

#include "core/module.h"

namespace og {

struct BatchStats {
  Tensor mean;  // [C]
  Tensor var;   // [C], biased (divided by M)
};

// Training mode: normalise with the batch's own statistics; if `stats` is given,
// the batch mean and biased variance are copied into it. relu: y = max(bn(x), 0).
Var batch_norm(Var x, Var gamma, Var beta, float eps = 1e-5f, BatchStats* stats = nullptr,
               bool relu = false);
// Eval mode: normalise with the given (constant) statistics.
Var batch_norm_eval(Var x, Var gamma, Var beta, const Tensor& running_mean,
                    const Tensor& running_var, float eps = 1e-5f, bool relu = false);

// Batch statistics in training graphs (Graph::training()), running ones in eval graphs.
class BatchNorm : public Module {
 public:
  explicit BatchNorm(int channels, float momentum = 0.1f, float eps = 1e-5f);
  static int64_t parameter_count(int channels) { return 2 * int64_t(channels); }  // + 2C buffers
  Var forward(Var x) override;
  std::string describe() const override;  // "batchnorm(32)", "batchnorm_relu(32)"
  void visit_params(const std::string& prefix, std::vector<NamedParam>& out) override;
  void visit_buffers(const std::string& prefix, std::vector<NamedTensor>& out) override;

  int channels;
  float momentum, eps;
  Parameter weight;     // "weight" (gamma) [C], ones
  Parameter bias;       // "bias" (beta) [C], zeros
  Tensor running_mean;  // [C], zeros
  Tensor running_var;   // [C], ones
  bool fuse_relu = false;  // forward() records batchnorm_relu (batchnorm_eval_relu)
};

}  // namespace og
