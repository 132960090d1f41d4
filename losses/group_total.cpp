// group_total.cpp — resolving groups, and the plain (graph-free) functions on
// totals: total_distribution and predict_total. The nodes are in total_dist.cpp,
// total_nll.cpp, total_crps.cpp and total_ev_l1.cpp. Formulas: group_total.h.
#include "losses/group_total.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "losses/total_common.h"

namespace og {

GroupLayout group_layout(const char* op, int64_t N, int group, const std::vector<int>* group_ids) {
  OG_CHECK(N >= 1, op, ": needs at least one row, got N = ", N);
  GroupLayout l;
  if (group_ids == nullptr) {
    OG_CHECK(group >= 1, op, ": group size ", group, " must be >= 1");
    OG_CHECK(N % group == 0, op, ": N = ", N, " rows are not a multiple of the group size ", group);
    const int count = static_cast<int>(N / group);
    l.rows.resize(N);
    for (int64_t i = 0; i < N; ++i) l.rows[i] = static_cast<int>(i);
    for (int g = 0; g <= count; ++g) l.start.push_back(g * group);
    l.max_size = group;
    return l;
  }
  const std::vector<int>& ids = *group_ids;
  OG_CHECK(static_cast<int64_t>(ids.size()) == N, op, ": ", ids.size(), " group ids for N = ", N, " rows");
  std::unordered_map<int, int> index;  // id -> group number, in order of first appearance
  std::vector<int> group_of(N), size;
  for (int64_t i = 0; i < N; ++i) {
    auto it = index.emplace(ids[i], static_cast<int>(size.size())).first;
    if (it->second == static_cast<int>(size.size())) size.push_back(0);
    group_of[i] = it->second;
    ++size[it->second];
  }
  l.start.assign(size.size() + 1, 0);
  for (size_t g = 0; g < size.size(); ++g) {
    l.start[g + 1] = l.start[g] + size[g];
    l.max_size = std::max(l.max_size, size[g]);
  }
  std::vector<int> fill(l.start.begin(), l.start.end() - 1);
  l.rows.resize(N);
  for (int64_t i = 0; i < N; ++i) l.rows[fill[group_of[i]]++] = static_cast<int>(i);
  return l;
}

std::vector<int> group_totals(const GroupLayout& layout, const std::vector<int>& labels) {
  std::vector<int> totals(layout.count(), 0);
  for (int g = 0; g < layout.count(); ++g)
    for (int i = 0; i < layout.size(g); ++i) totals[g] += labels[layout.members(g)[i]];
  return totals;
}

std::vector<double> total_distribution(const float* probs, int G, int K) {
  OG_CHECK(G >= 1 && K >= 1, "total_distribution: needs G >= 1 items of K >= 1 classes, got G = ",
           G, ", K = ", K);
  std::vector<double> d = {1.0}, next;
  for (int i = 0; i < G; ++i) {
    std::vector<double> p(probs + static_cast<int64_t>(i) * K, probs + static_cast<int64_t>(i + 1) * K);
    for (int k = 0; k < K; ++k)
      OG_CHECK(std::isfinite(p[k]) && p[k] >= 0, "total_distribution: probability ", p[k],
               " of item ", i, ", class ", k, " (must be finite and >= 0)");
    next.resize(d.size() + K - 1);
    total::convolve(d.data(), static_cast<int>(d.size()), p.data(), K, next.data());
    d.swap(next);
  }
  return d;
}

TotalPrediction predict_total(const double* D, int len, double level) {
  OG_CHECK(len >= 1, "predict_total: empty distribution (len = ", len, ")");
  OG_CHECK(level > 0 && level < 1, "predict_total: level ", level, " outside (0,1)");
  double sum = 0, first_moment = 0;
  TotalPrediction r;
  for (int t = 0; t < len; ++t) {
    OG_CHECK(std::isfinite(D[t]) && D[t] >= 0, "predict_total: D[", t, "] = ", D[t],
             " (must be finite and >= 0)");
    sum += D[t];
    first_moment += t * D[t];
    if (D[t] > D[r.mode]) r.mode = t;
  }
  OG_CHECK(sum > 0, "predict_total: the distribution of length ", len, " sums to zero");
  r.mean = first_moment / sum;
  // Smallest t with CDF(t) >= q, allowing 1e-12 of rounding (see group_total.h).
  const double a = 1 - level;
  const double q[3] = {0.5, a / 2, 1 - a / 2};
  int* out[3] = {&r.median, &r.lo, &r.hi};
  for (int j = 0; j < 3; ++j) {
    double cdf = 0;
    int t = 0;
    for (; t < len - 1; ++t) {
      cdf += D[t] / sum;
      if (cdf >= q[j] - 1e-12) break;
    }
    *out[j] = t;  // the last t when rounding kept the CDF just below q
  }
  return r;
}

}  // namespace og
