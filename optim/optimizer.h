// optimizer.h — Optimizer: the interface of the first-order optimisers (sgd.h, adam.h).
//
// An optimiser holds the model's named parameters (core/module.h) and, per
// parameter, its state tensors (momentum buffer, Adam moments).
//   step()      one update of every p.value from p.grad; then steps += 1
//   zero_grad() sets every p.grad to 0 (gradients accumulate across graphs)
//   lr          public: a schedule (schedule.h) sets it before each step,
//               opt.lr = schedule.lr(opt.steps)
//   state()     the state tensors by name, "momentum.0.weight", "adam.m.0.weight".
//               The constructor allocates them (zeros) and step() updates them in
//               place, never reallocating, so a checkpoint can read or overwrite
//               them through the returned pointers at any time. `steps` is not a
//               tensor: the caller saves and restores it beside state().
// Subnormal flush: state that decays geometrically (the momentum of a dead unit,
// buf = mu * buf each step) sinks into subnormal floats (< 1.2e-38), where x86
// arithmetic is many times slower (measured: see ../shared/bench/README.md).
// Updates therefore store flush_tiny(x): |x| < 1e-30 becomes exactly 0. This is
// explicit and portable; no -ffast-math, no FTZ/DAZ CPU flags.
// Parallelism: every update is elementwise within a parameter; og::parallel_for
// over its elements (disjoint outputs), so results do not depend on thread count.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/module.h"

namespace og {

constexpr float kFlushBelow = 1e-30f;
inline float flush_tiny(float x) { return std::fabs(x) < kFlushBelow ? 0.0f : x; }

// Shared by Optimizer and LBFGS: throw og::Error (naming `op`) on a null parameter
// or a grad whose shape differs from the value's; set every grad to 0.
void check_params(const char* op, const std::vector<NamedParam>& params);
void zero_grads(const std::vector<NamedParam>& params);

class Optimizer {
 public:
  // `op` names the optimiser in error messages (check_params, lr >= 0).
  Optimizer(const char* op, std::vector<NamedParam> params, float lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;             // state() hands out pointers
  Optimizer& operator=(const Optimizer&) = delete;

  virtual void step() = 0;
  virtual const char* name() const = 0;
  virtual std::vector<NamedTensor> state() { return {}; }
  void zero_grad() { zero_grads(params_); }
  const std::vector<NamedParam>& params() const { return params_; }

  float lr;
  int64_t steps = 0;  // completed step() calls

 protected:
  std::vector<Tensor> zeros_like_params() const;  // one zero tensor per parameter
  // {prefix + "." + parameter name, &tensors[k]} for every parameter k.
  std::vector<NamedTensor> named(const std::string& prefix, std::vector<Tensor>& tensors) const;

  std::vector<NamedParam> params_;
};

}  // namespace og
