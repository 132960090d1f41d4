// trainer.h — the training loop shared by `ordgrad train`, the demo and the tests.
//
// The model knows its loss (ModelInfo::loss, a loss spec): the Trainer builds the
// loss node from it for every batch, with the batch's sample weights and the
// options' class weights. It owns the optimiser and the schedule, and uses the
// model's Rng for everything random during training (data order, dropout), so
// saving the model, the optimiser state, the Rng state, the epoch and the step is
// enough to resume the very same run: train 2 epochs == train 1, save, load,
// train 1. Batches are gathered (and augmented) on a worker thread while the model
// trains on the previous one (io/prefetch.h); the augmentation of step s draws from
// Rng(e + s), e drawn once per epoch from the model's Rng, so it is the same for any
// thread timing and survives a resume. With optimizer "lbfgs" the run is a fit to
// convergence, not a number of epochs: an "epoch" (one log row, one checkpoint) is a
// chunk of up to lbfgs_chunk full-batch iterations, and done() turns true once max |g|
// <= lbfgs_tol (converged), the parameters stop moving at float precision, the line
// search fails, or lbfgs_max_iter iterations ran in total (resumes included). The
// curvature history is not checkpointed: a resumed run starts a fresh history.
// Non-finite guard: a NaN or Inf in the loss or in a parameter gradient stops the
// step before the update with og::Error naming the epoch, the step and the first
// bad node on the tape (Graph::find_non_finite: "node 7 (conv2d_relu) value holds
// inf ..."); the scan runs only then, so a healthy step pays one pass over the
// gradients. At the end of every epoch, before anyone saves it, the parameters,
// buffers and optimiser state are checked too (an update can overflow them).
// The library never prints: progress goes through the on_step callback.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/comm.h"
#include "io/dataset.h"
#include "io/images.h"
#include "model/inference.h"
#include "model/model.h"
#include "losses/spec.h"
#include "optim/lbfgs.h"
#include "optim/optimizer.h"

namespace og {

struct TrainOptions {
  std::string optimizer = "sgd";   // sgd | adam | adamw | lbfgs (full batch)
  float lr = 0.05f;
  float momentum = 0.9f;           // sgd
  bool nesterov = false;           // sgd
  float weight_decay = 0.0f;
  std::string schedule = "constant";  // optim/schedule.h spec, in steps; a cosine
                                      // without total= spans all epochs
  float clip_norm = 0.0f;          // 0 = no clipping of the global gradient norm
  int batch = 64;
  int epochs = 1;
  std::vector<float> class_weights;  // empty = all 1; else one per class
  bool balanced = false;             // class-balanced sampling (optim/sampler.h) instead of a shuffle
  Augment augment;                   // images: random flips / shifts / brightness per batch (io/images.h)
  int workers = 1;                   // threads making batches ahead (io/prefetch.h); results do not depend on it
  int shards = 1;                    // > 1: each step's gradient over fixed shards of the batch
                                     // (model/shards.h), the same for any number of processes
  Comm* comm = nullptr;              // the processes training together, each running shards /
                                     // size() of the shards (core/comm.h); null = this one alone
  int sync_every = 50;               // several processes: compare state_fingerprint() across them
                                     // every this many steps, og::Error on a mismatch (0 = never)
  // lbfgs only (epochs, batch, schedule do not apply). The gradient is that of the
  // weighted mean loss; in float it is noisy at ~1e-8 near the optimum of a small
  // standardised table, so 1e-7 is reachable there and puts the parameters within
  // ~1e-6 of the optimum (docs/reference-fits.md).
  double lbfgs_tol = 1e-7;           // converged when max |g_i| <= this
  double lbfgs_tol_change = 1e-9;    // stalled when no parameter moves by more (relative)
  int lbfgs_max_iter = 1000;         // iterations in total
  int lbfgs_chunk = 50;              // iterations per epoch (log row, checkpoint)
};

// og::Error for options that cannot train (a batch the shards do not divide, shards the
// processes do not divide, a bad schedule, ...), before any data is read.
void check_options(const TrainOptions& opt);

// The default of TrainOptions::lr for an optimizer: 1 for lbfgs (the first trial step
// of its line search, the natural scale of a quasi-Newton step), else 0.05.
float default_lr(const std::string& optimizer);

// Where a full-batch L-BFGS fit stands (Trainer::lbfgs_fit()).
struct LbfgsFit {
  bool converged = false;   // max |g_i| <= lbfgs_tol at the final parameters
  bool finished = false;    // no further chunk runs: converged, stalled, failed or capped
  std::string reason;       // stop_name() of the last chunk: gradient, change, line_search,
                            // max_iter (only once lbfgs_max_iter is used up); "" before one
  int64_t iterations = 0;   // accepted iterations in total, resumes included
  int64_t evaluations = 0;  // loss and gradient evaluations in total
  double grad_max = 0;      // max |g_i| at the final parameters
  double grad_l2 = 0;       // |g|_2 there
  double loss = 0;          // the training loss there
};

struct EpochStats {
  int64_t epoch = 0;       // 1-based number of the finished epoch
  double loss = 0;         // mean training loss over the epoch's batches
  double accuracy = 0;     // training accuracy of the decoded outputs during the epoch
  double seconds = 0;
  double images_per_second = 0;
  double combine_seconds = 0;  // of `seconds`, spent combining shard gradients (--shards > 1)
};

class Trainer {
 public:
  Trainer(Model& model, const TrainOptions& opt);
  ~Trainer();

  // One epoch over `data` (a fresh random order; the last partial batch is
  // dropped). on_step(done, total, mean_loss_so_far) after every step.
  EpochStats train_epoch(const Dataset& data,
                         const std::function<void(int64_t, int64_t, double)>& on_step = {});

  // The run is over: lbfgs_fit().finished for lbfgs, else epoch() >= epochs.
  bool done() const;
  const LbfgsFit& lbfgs_fit() const { return fit_; }

  int64_t epoch() const { return epoch_; }
  const TrainOptions& options() const { return opt_; }
  Model& model() { return model_; }
  Comm& comm() const { return comm_; }
  int64_t step() const { return step_; }
  const LossSpec& loss() const { return loss_; }
  // The loss node of outputs against a dataset's labels and weights.
  Var loss_node(Var outputs, const Dataset& batch) const;

  // A checkpoint: the model file plus optimiser state, Rng state, epoch, step; with
  // lbfgs also the fit's state as meta lbfgs_converged (1/0), lbfgs_reason,
  // lbfgs_iterations, lbfgs_evaluations, lbfgs_grad_max, lbfgs_grad_l2, lbfgs_loss,
  // lbfgs_tol.
  void save(const std::string& path, const std::map<std::string, std::string>& extra_meta = {}) const;
  // Restore a checkpoint written by save() for the same model architecture. Returns the
  // checkpoint's metadata, extra_meta included, for callers that recorded more.
  std::map<std::string, std::string> resume(const std::string& path);

 private:
  EpochStats full_batch_epoch(const Dataset& data);
  std::vector<int64_t> epoch_order(const Dataset& data);  // shuffled (whole groups) or balanced
  void check_finite_state();  // parameters, buffers, optimiser state: throw on NaN/Inf
  Model& model_;
  TrainOptions opt_;
  Comm& comm_;
  LossSpec loss_;                     // its weights= terms are fitted to each epoch's data
  std::vector<NamedParam> params_;    // the model's, for the per-step gradient check
  std::unique_ptr<Optimizer> optim_;  // first-order optimisers
  std::unique_ptr<LBFGS> lbfgs_;      // or full-batch L-BFGS
  LbfgsFit fit_;                      // its progress; totals include a resumed run's
  int64_t resumed_iterations_ = 0, resumed_evaluations_ = 0;
  int64_t epoch_ = 0, step_ = 0;
};

}  // namespace og
