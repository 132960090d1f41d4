// heads.h — everything that depends on which head a model has, in one table.
//
// A loss reads one kind of head (losses/loss.h: Head). For each head this file holds
// the width of the last layer, the module that computes it, the class probabilities,
// the P(y > k), the default prediction rule and the inverse link (the outputs that
// give a chosen distribution, used by `explain`):
//   softmax     K logits z          p = softmax(z)                 rule: mode
//   coral       K-1 logits s        P(y>k) = sigmoid(s_k)          rule: #{k: P(y>k) > 1/2}
//   corn        K-1 logits s        P(y>k) = prod_{j<=k} sigmoid(s_j)         (the same)
//   clm         K-1 logits c        P(y<=k) = F(c_k), F logistic or normal    (the same)
//   regression  one score r         all mass on round(r), clipped  rule: round(r)
// The table is checked at compile time: a head without one of these does not build.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/module.h"
#include "core/rng.h"
#include "losses/spec.h"

namespace og {

struct HeadDef {
  Head head;                 // its name: head_name(head) (losses/loss.h)
  const char* rule;          // the default prediction rule, in words
  int (*width)(int K);       // outputs of the last layer for K classes
  int64_t (*parameter_count)(int in, int K);  // of make(), before it allocates
  std::unique_ptr<Module> (*make)(int in, int K, Rng& rng);
  Tensor (*probs)(const Tensor& out, int K, const LossTerm& t);    // [N,K]
  Tensor (*greater)(const Tensor& out, int K, const LossTerm& t);  // [N,K-1] P(y > k)
  std::vector<int> (*predict)(const Tensor& out, int K, const LossTerm& t);  // default rule
  // Outputs of one row whose distribution is p (K entries), as far as the head can
  // express it (regression: the most probable class).
  std::vector<float> (*outputs_for)(const std::vector<double>& p, const LossTerm& t);
};

const HeadDef& head_def(Head h);
const std::vector<HeadDef>& all_heads();

// How a class is predicted from a row's distribution:
//   default: the head's rule; mode: argmax; median: smallest k with CDF >= 1/2;
//   mean: sum_k k p_k rounded to the nearest class.
enum class Rule { default_rule, mode, median, mean };
Rule parse_rule(const std::string& name);  // "default", "argmax"/"mode", "median", "mean"

// The same, for the head a loss spec reads (its first term carries the options).
Tensor class_probs(const LossSpec& spec, const Tensor& outputs, int K);
std::vector<int> predict_classes(const LossSpec& spec, const Tensor& outputs, int K,
                                 Rule rule = Rule::default_rule);
int head_width(const LossSpec& spec, int K);

}  // namespace og
