// shards.cpp — the sharded gradient of one step (see shards.h).
#include "model/shards.h"

#include <algorithm>
#include <chrono>
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

ShardRange shard_range(int shards, const Comm& comm) {
  OG_CHECK(shards % comm.size() == 0, "train: ", shards, " shards do not split among ", comm.size(),
           " processes; --shards must be a multiple of the process count");
  const int per = shards / comm.size();
  return {comm.rank() * per, (comm.rank() + 1) * per};
}

void combine_shards(const std::vector<std::vector<float>>& local, const std::vector<int64_t>& sizes,
                    std::vector<int> exps, int shards, Comm& comm, float* out) {
  // One grid per array from every shard's exponent (all processes), then one exact sum.
  comm.max(exps.data(), int64_t(exps.size()));
  std::vector<int64_t> offset(sizes.size() + 1, 0);
  for (size_t p = 0; p < sizes.size(); ++p) offset[p + 1] = offset[p] + sizes[p];
  thread_local std::vector<int64_t> sum;  // kept: a fresh buffer each step costs page faults
  sum.assign(static_cast<size_t>(offset.back()), 0);
  for (const std::vector<float>& g : local) {
    OG_CHECK(int64_t(g.size()) == offset.back(), "combine_shards: a shard of ", g.size(), " elements, not ",
             offset.back());
    for (size_t p = 0; p < sizes.size(); ++p)
      FixedSum::add(g.data() + offset[p], sizes[p], FixedSum::grid(shards, exps[p]), sum.data() + offset[p]);
  }
  comm.sum(sum.data(), int64_t(sum.size()));
  for (size_t p = 0; p < sizes.size(); ++p)
    FixedSum::result(sum.data() + offset[p], sizes[p], FixedSum::grid(shards, exps[p]), out + offset[p]);
}

ShardStep sharded_gradient(Model& model, const LossSpec& loss, const Tensor& x, const LossTarget& target,
                           int shards, Comm& comm, const std::function<void(const Graph&, float)>& on_non_finite) {
  const int64_t B = static_cast<int64_t>(target.labels.size());
  OG_CHECK(shards >= 1 && B % shards == 0, "train: a batch of ", B, " rows does not split into ", shards,
           " shards");
  const int64_t rows = B / shards;
  const int G = loss.group();
  OG_CHECK(G == 0 || rows % G == 0, "train: shards of ", rows, " rows would split groups of ", G);
  const ShardRange mine = shard_range(shards, comm);
  const int local = mine.end - mine.begin;
  OG_CHECK(x.shape()[0] == local * rows, "train: ", x.shape()[0], " input rows for ", local, " shards of ", rows);

  // Every shard's denominators first: they need only the labels, so every process
  // computes all of them, and the scales D_k / D are the same wherever shard k runs.
  std::vector<std::vector<double>> D;
  std::vector<double> total(loss.terms().size(), 0.0);
  for (int k = 0; k < shards; ++k) {
    D.push_back(loss.denominators(part_of(target, k * rows, (k + 1) * rows)));
    for (size_t j = 0; j < total.size(); ++j) total[j] += D.back()[j];
  }

  const std::vector<NamedParam> params = model.net->parameters();
  std::vector<int64_t> sizes;
  for (const NamedParam& p : params) sizes.push_back(p.param->grad.numel());
  thread_local std::vector<std::vector<float>> grads;  // [shard][every parameter's elements], kept between steps
  grads.resize(static_cast<size_t>(local));
  for (std::vector<float>& g : grads) g.clear();
  std::vector<int> exps(params.size(), FixedSum::kAllZero);
  std::vector<double> losses(static_cast<size_t>(local));
  std::vector<StatLog> stats(static_cast<size_t>(local));
  const uint64_t key = model.rng->next_u64();
  const auto main_stream = model.rng->state();
  ShardStep r;
  for (int i = 0; i < local; ++i) {
    const int k = mine.begin + i;
    model.net->zero_grad();
    *model.rng = Rng(key + uint64_t(k));  // dropout inside shard k
    const LossTarget part = part_of(target, k * rows, (k + 1) * rows);
    std::vector<double> scales(total.size());
    for (size_t j = 0; j < total.size(); ++j) scales[j] = total[j] > 0 ? D[size_t(k)][j] / total[j] : 0.0;
    Graph g;
    g.set_stat_log(&stats[size_t(i)]);
    Var out = model.net->forward(g.input(rows_of(x, i * rows, (i + 1) * rows)));
    Var l = loss.build(out, part, scales);
    const float lv = l.value().item();
    if (!std::isfinite(lv)) on_non_finite(g, lv);
    g.backward(l);
    for (size_t p = 0; p < params.size(); ++p) {
      const Tensor& gr = params[p].param->grad;
      const int e = FixedSum::exponent(gr.data(), gr.numel());
      if (e == FixedSum::kNonFinite) on_non_finite(g, lv);
      exps[p] = std::max(exps[p], e);
      grads[size_t(i)].insert(grads[size_t(i)].end(), gr.data(), gr.data() + gr.numel());
    }
    losses[size_t(i)] = lv;
    const std::vector<int> pred = predict_classes(loss, out.value(), target.K);
    for (int64_t j = 0; j < rows; ++j) r.correct += pred[size_t(j)] == part.labels[size_t(j)];
  }
  model.rng->set_state(main_stream);

  const auto combine_start = std::chrono::steady_clock::now();
  thread_local std::vector<float> sum;
  sum.resize(grads[0].size());
  combine_shards(grads, sizes, exps, shards, comm, sum.data());
  for (size_t p = 0, at = 0; p < params.size(); at += size_t(sizes[p]), ++p)
    std::copy(sum.begin() + long(at), sum.begin() + long(at + size_t(sizes[p])), params[p].param->grad.data());

  // The loss in shard order; batch-norm running statistics updated shard after shard.
  std::vector<double> all_losses(static_cast<size_t>(shards));
  comm.gather(losses.data(), sizeof(double) * losses.size(), all_losses.data());
  for (double v : all_losses) r.loss += v;
  comm.sum(&r.correct, 1);
  const size_t per = stats[0].values.size();
  if (per > 0) {
    std::vector<float> mine_stats, all_stats(per * size_t(shards));
    for (const StatLog& s : stats) mine_stats.insert(mine_stats.end(), s.values.begin(), s.values.end());
    comm.gather(mine_stats.data(), sizeof(float) * mine_stats.size(), all_stats.data());
    for (int k = 0; k < shards; ++k) {
      const float* v = all_stats.data() + size_t(k) * per;
      for (const StatLog::Entry& e : stats[0].entries) {
        e.apply(v);
        v += e.count;
      }
    }
  }
  r.combine_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - combine_start).count();
  return r;
}

void augment_shards(Tensor& x, const Augment& augment, uint64_t seed, int64_t step, int shards,
                    ShardRange range) {
  const int local = range.end - range.begin;
  const int64_t rows = x.shape()[0] / local, per = x.numel() / x.shape()[0];
  for (int i = 0; i < local; ++i) {
    Tensor part = rows_of(x, i * rows, (i + 1) * rows);
    Rng rng(seed + uint64_t(step) * uint64_t(shards) + uint64_t(range.begin + i));
    augment_batch(part, augment, rng);
    std::memcpy(x.data() + i * rows * per, part.data(), sizeof(float) * size_t(rows * per));
  }
}

}  // namespace og
