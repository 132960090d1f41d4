// trainer.h — the training loop shared by `ordgrad train`, the demo and the tests.
//
// A Trainer owns the optimiser and the schedule, and uses the model's Rng for
// everything random during training (data order, dropout), so that saving the
// model, the optimiser state, the Rng state, the epoch and the step is enough to
// resume the very same run: train 2 epochs == train 1, save, load, train 1.
// The library never prints: progress goes through the on_step callback.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "layers/models.h"
#include "optim/optimizer.h"

namespace og {

struct Dataset {
  Tensor x;             // [N, ...] inputs, already normalised
  std::vector<int> y;   // N labels in [0, classes)
  int64_t size() const { return static_cast<int64_t>(y.size()); }
};

// x rows idx[begin..end) stacked into a batch [end-begin, ...].
Tensor gather_rows(const Tensor& x, const std::vector<int64_t>& idx, int64_t begin, int64_t end);

struct TrainOptions {
  std::string optimizer = "sgd";   // sgd | adam | adamw
  float lr = 0.05f;
  float momentum = 0.9f;           // sgd
  bool nesterov = false;           // sgd
  float weight_decay = 0.0f;
  std::string schedule = "constant";  // optim/schedule.h spec, in steps; a cosine
                                      // without total= spans all epochs
  float clip_norm = 0.0f;          // 0 = no clipping of the global gradient norm
  int batch = 64;
  int epochs = 1;
};

// The training objective: model outputs [N, outputs] and labels -> scalar loss node.
using LossFn = std::function<Var(Var outputs, const std::vector<int>& labels)>;

struct EpochStats {
  int64_t epoch = 0;       // 1-based number of the finished epoch
  double loss = 0;         // mean training loss over the epoch's batches
  double accuracy = 0;     // training accuracy of argmax(outputs) during the epoch
  double seconds = 0;
  double images_per_second = 0;
};

class Trainer {
 public:
  Trainer(Model& model, const TrainOptions& opt, LossFn loss);
  ~Trainer();

  // One epoch over `data` (a fresh random order; the last partial batch is
  // dropped). on_step(done, total, mean_loss_so_far) after every step.
  EpochStats train_epoch(const Dataset& data,
                         const std::function<void(int64_t, int64_t, double)>& on_step = {});

  int64_t epoch() const { return epoch_; }
  int64_t step() const { return step_; }
  Optimizer& optimizer() { return *optim_; }

  // A checkpoint: the model file plus optimiser state, Rng state, epoch, step.
  void save(const std::string& path) const;
  // Restore a checkpoint written by save() for the same model architecture.
  void resume(const std::string& path);

 private:
  Model& model_;
  TrainOptions opt_;
  LossFn loss_;
  std::unique_ptr<Optimizer> optim_;
  int64_t epoch_ = 0, step_ = 0;
};

struct Evaluation {
  double accuracy = 0;
  double loss = 0;                 // mean loss (when a LossFn was given)
  std::vector<int> predicted;      // argmax per example
  Tensor outputs;                  // [N, outputs]
};

// Inference over `data` in batches (no gradients, eval mode).
Evaluation evaluate(Model& model, const Dataset& data, int batch = 256, const LossFn& loss = {});

// The outputs of the model on inputs x [N, ...], in eval mode.
Tensor predict(Model& model, const Tensor& x, int batch = 256);

}  // namespace og
