// Every loss of the registry, split over shards of rows: each term built on a shard with
// scale D_k / D (LossSpec::denominators, D = sum_k D_k) gives, summed, the batch's loss
// and, row for row, its gradient — the identity the data-parallel step rests on. A loss
// added without its denominator fails here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "losses/spec.h"
#include "model/heads.h"
#include "tests/helpers.h"

using namespace og;

namespace {
std::vector<std::string> registry_names() {
  std::vector<std::string> names;
  std::istringstream lines(LossSpec::catalogue());
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

struct Result {
  double loss = 0;
  Tensor grad;
};

// The loss of rows [r0, r1) of x, its terms scaled by `scales`, and d loss / d rows.
Result shard_loss(const LossSpec& spec, const Tensor& x, const LossTarget& t, int64_t r0, int64_t r1,
                  const std::vector<double>& scales) {
  const int64_t W = x.shape()[1];
  Tensor rows = Tensor::empty({r1 - r0, W});
  std::copy(x.data() + r0 * W, x.data() + r1 * W, rows.data());
  LossTarget part = t;
  part.labels.assign(t.labels.begin() + r0, t.labels.begin() + r1);
  if (!t.sample_weights.empty()) part.sample_weights.assign(t.sample_weights.begin() + r0, t.sample_weights.begin() + r1);
  Graph g;
  Var in = g.leaf(rows);
  Var l = spec.build(in, part, scales);
  g.backward(l);
  return {l.value().item(), in.grad().clone()};
}
}  // namespace

TEST_CASE("every loss: shards scaled by their denominators add up to the batch's loss and gradient") {
  const int K = 6, N = 16;
  Rng rng(21);
  std::vector<int> labels(N);
  std::vector<float> sw(N);
  for (int i = 0; i < N; ++i) labels[size_t(i)] = int(rng.below(K)), sw[size_t(i)] = 0.25f + float(rng.below(8)) / 4;
  const std::vector<std::string> names = registry_names();
  CHECK(names.size() >= 19);
  for (const std::string& name : names) {
    for (bool weighted : {false, true}) {
      std::string text = name.rfind("total_", 0) == 0 ? name + ":group=4" : name;
      if (weighted && name.rfind("total_", 0) != 0) text += ":weights=inverse";
      CAPTURE(text);
      LossSpec spec = LossSpec::parse(text);
      LossTarget t = test::target(labels, K, weighted ? sw : std::vector<float>{});
      spec.fit(t.labels, K, t.sample_weights);
      Tensor x = test::randn({N, head_width(spec, K)}, rng);
      const int64_t W = x.shape()[1];
      if (spec.head() == Head::clm)  // cumulative logits must not decrease along k
        for (int i = 0; i < N; ++i) std::sort(x.data() + i * W, x.data() + (i + 1) * W);
      const Result whole = shard_loss(spec, x, t, 0, N, {});
      float largest = 0;
      for (int64_t i = 0; i < whole.grad.numel(); ++i) largest = std::max(largest, std::fabs(whole.grad[i]));
      REQUIRE(largest > 0);
      for (int shards : {2, 4}) {
        CAPTURE(shards);
        const int64_t S = N / shards;
        std::vector<std::vector<double>> D;
        std::vector<double> total(spec.terms().size(), 0.0);
        for (int k = 0; k < shards; ++k) {
          LossTarget part = t;
          part.labels.assign(t.labels.begin() + k * S, t.labels.begin() + (k + 1) * S);
          if (!t.sample_weights.empty())
            part.sample_weights.assign(t.sample_weights.begin() + k * S, t.sample_weights.begin() + (k + 1) * S);
          D.push_back(spec.denominators(part));
          for (size_t j = 0; j < total.size(); ++j) total[j] += D.back()[j];
        }
        double sum = 0;
        for (int k = 0; k < shards; ++k) {
          std::vector<double> scales(total.size());
          for (size_t j = 0; j < total.size(); ++j) scales[j] = D[size_t(k)][j] / total[j];
          const Result r = shard_loss(spec, x, t, k * S, (k + 1) * S, scales);
          sum += r.loss;
          float worst = 0;
          for (int64_t i = 0; i < r.grad.numel(); ++i)
            worst = std::max(worst, std::fabs(r.grad[i] - whole.grad[k * S * W + i]));
          CHECK(worst <= 1e-5f * largest);
        }
        CHECK(sum == doctest::Approx(whole.loss).epsilon(2e-6));
      }
    }
  }
}
