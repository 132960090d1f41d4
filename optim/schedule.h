// schedule.h — learning rate as a function of the step (or epoch) count.
//
// With s = step - warmup (the steps after warm-up) and base = base_lr:
//   constant : lr = base
//   step     : lr = base * gamma^floor(s / every)              (decay by gamma every k)
//   cosine   : lr = min + (base - min) * (1 + cos(pi * min(s, total) / total)) / 2
//              (base at s = 0, min at s >= total, then stays at min)
//   warm-up  : for step < warmup, lr = base * (step + 1) / warmup, composable with any
//              of the three (linear ramp reaching base at step warmup - 1)
// `step` counts from 0: the usual call is opt.lr = sched.lr(opt.steps) before
// opt.step(). Pass the epoch instead to schedule per epoch. Computed in double.
//
// Spec strings, as for losses: name[:key=value,...]
//   "constant"   "step:every=30,gamma=0.1"   "cosine:total=1000,min=1e-5"
// plus "warmup=W" accepted by each, e.g. "cosine:total=1000,warmup=100".
#pragma once
#include <cstdint>
#include <string>

namespace og {

struct LrSchedule {
  enum class Kind { constant, step, cosine };
  Kind kind = Kind::constant;
  float base_lr = 0.0f;
  int64_t every = 1;      // step: steps between decays
  float gamma = 0.1f;     // step: decay factor
  int64_t total = 1;      // cosine: length of the decay
  float min_lr = 0.0f;    // cosine: floor
  int64_t warmup = 0;     // linear warm-up steps (0 = none)

  float lr(int64_t step) const;

  static LrSchedule constant(float base_lr);
  static LrSchedule step_decay(float base_lr, int64_t every, float gamma);
  static LrSchedule cosine(float base_lr, int64_t total, float min_lr = 0.0f);
  LrSchedule with_warmup(int64_t steps) const;  // a copy with linear warm-up
  // Throws og::Error naming the spec for an unknown name or key, or a bad value.
  static LrSchedule parse(const std::string& spec, float base_lr);
};

}  // namespace og
