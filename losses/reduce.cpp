// reduce — per-sample loss weights, their normalisation and the weighted sum, and
// the softmax-head input checks; formulas and checks are in reduce.h.
#include "losses/reduce.h"

#include <cmath>

namespace og {

std::vector<double> loss_weights(const char* op, const std::vector<int>& labels, int64_t K,
                                 const std::vector<float>& class_weights,
                                 const std::vector<float>& sample_weights) {
  const size_t N = labels.size();
  OG_CHECK(class_weights.empty() || static_cast<int64_t>(class_weights.size()) == K, op, ": ",
           class_weights.size(), " class weights for ", K, " classes");
  OG_CHECK(sample_weights.empty() || sample_weights.size() == N, op, ": ", sample_weights.size(),
           " sample weights for ", N, " samples");
  std::vector<double> w(N, 1.0);
  double total = 0;
  for (size_t i = 0; i < N; ++i) {
    OG_CHECK(labels[i] >= 0 && labels[i] < K, op, ": label ", labels[i], " out of range [0,", K,
             ") at row ", i);
    if (!class_weights.empty()) w[i] *= class_weights[labels[i]];
    if (!sample_weights.empty()) w[i] *= sample_weights[i];
    OG_CHECK(std::isfinite(w[i]) && w[i] >= 0, op, ": weight of row ", i, " is ", w[i],
             " (weights must be finite and >= 0)");
    total += w[i];
  }
  OG_CHECK(N == 0 || total > 0, op, ": the weights of the batch sum to zero");
  return w;
}

std::vector<double> normalised_loss_weights(const char* op, const std::vector<int>& labels,
                                            int64_t K, const std::vector<float>& class_weights,
                                            const std::vector<float>& sample_weights) {
  std::vector<double> w = loss_weights(op, labels, K, class_weights, sample_weights);
  double total = 0;
  for (double x : w) total += x;
  for (double& x : w) x /= total;
  return w;
}

double weighted_sum(const std::vector<double>& w, const std::vector<double>& losses) {
  double loss = 0;
  for (size_t i = 0; i < losses.size(); ++i) loss += w[i] * losses[i];
  return loss;
}

void check_softmax_input(const char* op, const Shape& s, const LossTarget& t) {
  OG_CHECK(s.nd == 2, op, ": logits must be [N,K], got ", s);
  OG_CHECK(s[1] == t.K, op, ": logits ", s, " have ", s[1], " classes, the target has K = ", t.K);
  OG_CHECK(t.K >= 2, op, ": needs at least 2 classes, got K = ", t.K);
  OG_CHECK(static_cast<int64_t>(t.labels.size()) == s[0], op, ": ", t.labels.size(),
           " labels for logits ", s);
}

std::vector<double> checked_weights(const char* op, Var logits, const LossTarget& t) {
  check_softmax_input(op, logits.shape(), t);
  OG_CHECK(t.values.empty() || static_cast<int64_t>(t.values.size()) == t.K, op, ": ",
           t.values.size(), " class values for K = ", t.K);
  for (float v : t.values) OG_CHECK(std::isfinite(v), op, ": class value ", v, " is not finite");
  return normalised_loss_weights(op, t.labels, t.K, t.class_weights, t.sample_weights);
}

}  // namespace og
