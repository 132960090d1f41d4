// fit.h — the one epoch loop: train, score the held-out set, keep the files of a
// run, stop early. `ordgrad train`, `demo`, `compare` and user programs call it.
//
// Epochs run until Trainer::done(): TrainOptions::epochs in all, or for L-BFGS until the
// fit converges or stops (an epoch is then a chunk of iterations).
// Each epoch: Trainer::train_epoch on `train` (on_step after every step), then, when a
// held-out set is given, evaluate it (loss, accuracy, MAE of the default rule). With
// FitOptions::out set, the run directory gets, through temporary files and renames:
//   checkpoint.ogm  every epoch: the model, optimiser state, Rng, epoch (Trainer::save)
//   best.ogm        the epoch with the best monitored held-out value so far
//   model.ogm       the model after the last epoch
//   log.csv         one row per epoch: epoch, train_loss, train_accuracy, <held>_loss,
//                   <held>_accuracy, <held>_mae, seconds, images_per_second
// Resuming (FitOptions::resumed): log.csv keeps its earlier rows, and best.ogm its
// value and epoch, which also restarts the early-stopping count where it was.
// Early stopping: with patience P > 0, the run ends after P epochs in a row without a
// better monitored value (model.ogm is then the last epoch; best.ogm the best).
// A failed epoch (og::Error, e.g. NaN/Inf) is rethrown with what is left on disk.
// Several processes (TrainOptions::comm): every rank trains; rank 0 alone scores the
// held-out set and reads and writes the run directory, and broadcasts what it found.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "model/trainer.h"

namespace og {

struct FitOptions {
  std::string out;             // run directory; "" = no files
  std::string heldout = "val"; // name of the held-out split in log.csv and messages
  std::string monitor = "mae"; // best model and early stopping: held-out "mae" or "loss"
  int patience = 0;            // epochs without improvement before stopping; 0 = never
  bool resumed = false;        // the trainer was restored from a checkpoint in `out`
  std::string resumed_from;    // that checkpoint's path, for messages
  std::map<std::string, std::string> meta;  // extra metadata for every file saved
};

struct EpochReport {
  EpochStats train;
  bool has_heldout = false;
  double heldout_loss = 0, heldout_accuracy = 0, heldout_mae = 0;
  bool best = false;           // the best monitored value so far (best.ogm was written)
};

struct FitCallbacks {
  std::function<void(int64_t step, int64_t steps, double mean_loss)> on_step;  // progress
  std::function<void(const EpochReport&)> on_epoch;  // after the epoch's files are written
};

struct FitResult {
  std::vector<EpochReport> history;  // the epochs run by this call
  double best_value = 0;             // the monitored value of best.ogm (if held out)
  int64_t best_epoch = 0;            // 0 = none
  bool stopped_early = false;
};

FitResult fit(Trainer& trainer, const Dataset& train, const Dataset* heldout, const FitOptions& options,
              const FitCallbacks& callbacks = {});

}  // namespace og
