// spec.h — the loss spec language shared by the library and the CLI.
//
//   spec  := term ('+' term)*
//   term  := [coef '*'] name [':' key '=' value (',' key '=' value)*]
// e.g. "ce+0.5*rps", "cdw_ce:alpha=2", "sord:alpha=1", "gauss_ld:sigma=2",
// "mean_var:l1=0.2,l2=0.05", "clm:link=probit". A spec is a sum of loss nodes:
// "ce+0.5*rps" records a ce node, an rps node, a scale and an add. Every term must
// read the same head (losses/loss.h): softmax terms combine freely; a cumulative
// loss (coral, corn, clm) or the regression losses cannot be mixed with others.
// Unknown names and keys give one og::Error listing what exists.
// Every term also takes `weights=SCHEME` (inverse, sqrt, effective:BETA, lds[:SIGMA];
// losses/class_weights.h): class weights fitted to the training labels by fit(),
// e.g. "ce:weights=inverse" — the class-weighted cross-entropy.
// Totals of groups: total_nll, total_crps, total_ev_l1 take group=G (default 8, at most 65536),
// e.g. "total_crps:group=8+rps" (losses/group_total.h).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "losses/loss.h"

namespace og {

struct LossTerm {
  float coef = 1.0f;
  std::string name;
  std::map<std::string, std::string> options;
  std::vector<float> class_weights;  // fitted from options["weights"] by LossSpec::fit
};

class LossSpec {
 public:
  static LossSpec parse(const std::string& text);

  const std::string& text() const { return text_; }
  const std::vector<LossTerm>& terms() const { return terms_; }
  Head head() const { return head_; }  // what the outputs mean: model/heads.h
  // Size of the groups its total_* terms read (consecutive rows), 0 if none:
  // training then shuffles whole groups and keeps them together in batches.
  int group() const;
  // A copy whose total_* terms without a group= option read groups of G.
  LossSpec with_default_group(int G) const;

  // Fit the class weights of terms with a weights= option to training labels.
  void fit(const std::vector<int>& labels, int K, const std::vector<float>& sample_weights);

  // The loss node (a sum of the terms' nodes) for the outputs of its head, [N,W].
  // Class probabilities and predictions from outputs: model/heads.h.
  Var build(Var outputs, const LossTarget& target) const;
  // The same with term i's coefficient times scales[i] (empty: 1).
  Var build(Var outputs, const LossTarget& target, const std::vector<double>& scales) const;
  // Each term's weighted mean divides by a sum over the rows (sum_i w_i; corn: weighted
  // task counts; totals: group weights): its value on `target`. The rows of a batch split
  // into shards give, per term, D = sum_k D_k, and the batch's loss and gradients are
  // the shards' built with scales D_k / D (the data-parallel step).
  std::vector<double> denominators(const LossTarget& target) const;

  // Every loss name with its head and keys, for help texts and errors.
  static std::string catalogue();

 private:
  std::string text_;
  std::vector<LossTerm> terms_;
  Head head_ = Head::softmax;
};

}  // namespace og
