// shards.cpp — the sharded gradient of one step (see shards.h).
#include "model/shards.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/check.h"
#include "core/fixed_sum.h"
#include "model/heads.h"

namespace og {

namespace {
// Rows [r0, r1) of x as their own tensor.
Tensor rows_of(const Tensor& x, int64_t r0, int64_t r1) {
  Shape s = x.shape();
  const int64_t per = x.numel() / s[0];
  s.d[0] = r1 - r0;
  Tensor out = Tensor::empty(s);
  std::memcpy(out.data(), x.data() + r0 * per, sizeof(float) * size_t((r1 - r0) * per));
  return out;
}

LossTarget part_of(const LossTarget& t, int64_t r0, int64_t r1) {
  LossTarget p = t;
  p.labels.assign(t.labels.begin() + r0, t.labels.begin() + r1);
  if (!t.sample_weights.empty()) p.sample_weights.assign(t.sample_weights.begin() + r0, t.sample_weights.begin() + r1);
  return p;
}
}  // namespace

ShardStep sharded_gradient(Model& model, const LossSpec& loss, const Tensor& x, const LossTarget& target,
                           int shards, const std::function<void(const Graph&, float)>& on_non_finite) {
  const int64_t B = x.shape()[0];
  OG_CHECK(shards >= 1 && B % shards == 0, "train: a batch of ", B, " rows does not split into ", shards,
           " shards");
  const int64_t rows = B / shards;
  const int G = loss.group();
  OG_CHECK(G == 0 || rows % G == 0, "train: shards of ", rows, " rows would split groups of ", G);

  // Every shard's denominators first: they need only the labels, so every process can
  // compute all of them, and the scales D_k / D are the same wherever shard k runs.
  std::vector<std::vector<double>> D;
  std::vector<double> total(loss.terms().size(), 0.0);
  for (int k = 0; k < shards; ++k) {
    D.push_back(loss.denominators(part_of(target, k * rows, (k + 1) * rows)));
    for (size_t j = 0; j < total.size(); ++j) total[j] += D.back()[j];
  }

  const std::vector<NamedParam> params = model.net->parameters();
  std::vector<std::vector<std::vector<float>>> grads(static_cast<size_t>(shards));  // [shard][param][element]
  const uint64_t key = model.rng->next_u64();
  const auto main_stream = model.rng->state();
  ShardStep r;
  for (int k = 0; k < shards; ++k) {
    model.net->zero_grad();
    *model.rng = Rng(key + uint64_t(k));  // dropout inside shard k
    const LossTarget part = part_of(target, k * rows, (k + 1) * rows);
    std::vector<double> scales(total.size());
    for (size_t j = 0; j < total.size(); ++j) scales[j] = total[j] > 0 ? D[size_t(k)][j] / total[j] : 0.0;
    Graph g;
    Var out = model.net->forward(g.input(rows_of(x, k * rows, (k + 1) * rows)));
    Var l = loss.build(out, part, scales);
    const float lv = l.value().item();
    if (!std::isfinite(lv)) on_non_finite(g, lv);
    g.backward(l);
    for (const NamedParam& p : params) {
      const Tensor& gr = p.param->grad;
      if (FixedSum::exponent(gr.data(), gr.numel()) == FixedSum::kNonFinite) on_non_finite(g, lv);
      grads[size_t(k)].emplace_back(gr.data(), gr.data() + gr.numel());
    }
    r.loss += lv;
    const std::vector<int> pred = predict_classes(loss, out.value(), target.K);
    for (int64_t i = 0; i < rows; ++i) r.correct += pred[size_t(i)] == part.labels[size_t(i)];
  }
  model.rng->set_state(main_stream);

  for (size_t p = 0; p < params.size(); ++p) {
    Tensor& gr = params[p].param->grad;
    int e = FixedSum::kAllZero;
    for (int k = 0; k < shards; ++k)
      e = std::max(e, FixedSum::exponent(grads[size_t(k)][p].data(), gr.numel()));
    FixedSum sum(gr.numel(), shards, e);
    for (int k = 0; k < shards; ++k) sum.add(grads[size_t(k)][p].data());
    sum.result(gr.data());
  }
  return r;
}

void augment_shards(Tensor& x, const Augment& augment, uint64_t seed, int64_t step, int shards) {
  const int64_t B = x.shape()[0], rows = B / shards, per = x.numel() / B;
  for (int k = 0; k < shards; ++k) {
    Tensor part = rows_of(x, k * rows, (k + 1) * rows);
    Rng rng(seed + uint64_t(step) * uint64_t(shards) + uint64_t(k));
    augment_batch(part, augment, rng);
    std::memcpy(x.data() + k * rows * per, part.data(), sizeof(float) * size_t(rows * per));
  }
}

}  // namespace og
