// sampler.cpp — class-balanced sampling with replacement; see sampler.h.
#include "optim/sampler.h"

#include "core/check.h"

namespace og {

std::vector<int64_t> balanced_order(const std::vector<int>& labels, int K, int64_t n, Rng& rng) {
  OG_CHECK(K >= 1, "balanced_order: K = ", K, " classes (need at least 1)");
  OG_CHECK(n >= 0, "balanced_order: cannot draw ", n, " indices");
  // Rows of each class, in row order, so the result depends only on labels and seed.
  std::vector<std::vector<int64_t>> rows(K);
  for (size_t i = 0; i < labels.size(); ++i) {
    OG_CHECK(labels[i] >= 0 && labels[i] < K, "balanced_order: label ", labels[i], " at row ", i,
             " is outside [0,", K, ")");
    rows[labels[i]].push_back(static_cast<int64_t>(i));
  }
  std::vector<int> present;
  for (int k = 0; k < K; ++k)
    if (!rows[k].empty()) present.push_back(k);
  OG_CHECK(n == 0 || !present.empty(), "balanced_order: no labels to draw ", n, " indices from");
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t& idx : order) {
    const std::vector<int64_t>& members = rows[present[rng.below(present.size())]];
    idx = members[rng.below(members.size())];
  }
  return order;
}

}  // namespace og
