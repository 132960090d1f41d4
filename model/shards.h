// shards.h — one training step's gradient over fixed shards of the batch, so that the
// result does not depend on how many processes share the shards.
//
// The batch of B rows is cut into S shards of B/S consecutive rows (a group loss needs
// B/S to be a multiple of its group). Shard k runs forward and backward alone:
//   - batch norm normalises with the shard's own statistics (ghost batch norm) and
//     updates its running statistics shard after shard, in shard order;
//   - dropout draws from Rng(key + k), key drawn once per step from the model's stream;
//   - augmentation of shard k's rows uses Rng(seed + step * S + k) (augment_shards);
//   - each loss term is built with scale D_k / D, D = sum_k D_k its denominators
//     (LossSpec::denominators), so the shard losses add up to the batch loss and the
//     shard gradients to the batch gradient.
// The S gradients are summed on a fixed-point grid (core/fixed_sum.h): the same bits for
// any order of the shards or split among processes. With several processes (core/comm.h)
// each runs an equal share of the shards on its own rows; the grid's exponent is the
// maximum over all (Comm::max), the integers are summed exactly (Comm::sum), and the shard
// losses and batch-norm statistics are gathered in shard order, so every process ends
// the step with the same bits a single process computes. S = 1 is not this path: the trainer
// then runs the batch as one graph, as it always has.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/comm.h"
#include "core/graph.h"
#include "io/dataset.h"
#include "io/images.h"
#include "losses/spec.h"
#include "model/model.h"

namespace og {

struct ShardStep {
  double loss = 0;        // the batch's loss: the shards' scaled losses summed in shard order
  int64_t correct = 0;    // rows whose predicted class (the head's rule) is the label
  double combine_seconds = 0;  // summing the shards' gradients, statistics and losses on
                               // the grid, with the other processes (waiting for them too)
};

// The shards [begin, end) one process runs: an equal, consecutive share of them.
struct ShardRange {
  int begin = 0, end = 0;
};
ShardRange shard_range(int shards, const Comm& comm);  // og::Error unless size() divides shards

// Fills every parameter's grad with the batch gradient, on every process of `comm`.
// `target` is the whole batch's (labels, weights); x holds only this process's rows,
// those of shard_range(shards, comm). A shard whose loss or gradient is not finite calls
// on_non_finite(its graph, its loss), which must throw (on that process alone).
// Batch-norm running statistics of every shard are applied in shard order on every
// process, so all hold the same model afterwards.
ShardStep sharded_gradient(Model& model, const LossSpec& loss, const Tensor& x, const LossTarget& target,
                           int shards, Comm& comm, const std::function<void(const Graph&, float)>& on_non_finite);

// The sum over every process's shards of flat gradients: local[i] is this process's shard
// i, arrays of `sizes` elements back to back, exps[p] the largest FixedSum::exponent of
// array p over local shards. Array p is summed exactly on its own grid (core/fixed_sum.h),
// so the total (written to out, every array's elements) does not depend on how the
// `shards` shards are spread over processes.
void combine_shards(const std::vector<std::vector<float>>& local, const std::vector<int64_t>& sizes,
                    std::vector<int> exps, int shards, Comm& comm, float* out);

// Augments this process's rows x (shards `range`) shard by shard: shard k with
// Rng(seed + step * shards + k).
void augment_shards(Tensor& x, const Augment& augment, uint64_t seed, int64_t step, int shards,
                    ShardRange range);

}  // namespace og
