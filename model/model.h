// model.h — a model: its architecture text, input, loss and classes (ModelInfo),
// the network built from them, and the model file that stores it.
//
// The network is the architecture text (model/architecture.h: an alias such as
// "count-cnn" or any text) followed by the head that the loss reads (model/heads.h).
// A model file is a checkpoint (core/serialize.h) whose metadata holds the canonical
// architecture text, the input shape, the loss, the classes and the input
// normalisation (and, for label folders, the class names and the split: meta
// label_names, data_split, data_split_seed, only when set), so load_model() rebuilds the network from the file alone and fills
// it by name: "param.<name>", "buffer.<name>" (batch norm's running statistics).
// Loading checks the metadata before building anything: classes in [2, 65536], an
// input of at most 2^24 values, and no layer beyond the parameters the file stores
// (counted from the modules' parameter_count before each is allocated), so a damaged
// file cannot make it allocate more than the file holds. Files of older versions
// name an alias under "model"; they load too. Training checkpoints add
// "optim.<name>" tensors and the epoch, step and Rng state (model/trainer.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/serialize.h"
#include "layers/sequential.h"
#include "losses/loss.h"

namespace og {

struct ModelInfo {
  std::string architecture;  // text or alias, e.g. "count-cnn", "flatten, dense(64), relu"; make_model
                             // stores the canonical text here
  Shape input;               // one example, e.g. {1,28,28} or {F}
  std::string loss = "ce";   // the loss spec trained with: sets the head and the decoding
  int classes = 0;           // number of labels K
  float norm_mean = 0.0f;    // images: inputs are fed as (x - norm_mean) / norm_std
  float norm_std = 1.0f;
  std::vector<float> feature_mean, feature_std;  // tables: per-feature standardisation (empty = none)
  int label_offset = 0;      // tables: the file's label = class + label_offset
  std::vector<std::string> label_names = {};  // label folders named in order: class k's name (empty = numbers)
  std::string data_split = "";  // label folders: the train,val,test fractions trained with ("" = none)
  uint64_t data_split_seed = 0;  // ... and the seed of that split
  float temperature = 1.0f;  // calibration (ordgrad calibrate): the outputs are divided by it
                             // before the head's probabilities and rule (1 = none)

  Head head() const;         // the head the loss reads (model/heads.h)
  int outputs() const;       // width of the last layer
};

// How class k is printed: its name, else the number k + label_offset.
std::string class_label(const ModelInfo& info, int k);

struct Model {
  ModelInfo info;
  std::unique_ptr<Rng> rng;         // initialisation, then everything random in training
  std::unique_ptr<Sequential> net;  // (dropout holds a reference to *rng)
};

// Build a fresh model for `info`, initialised from Rng(seed). max_params >= 0: throw
// og::Error before building a layer that would take the total past that many
// parameters (get_model passes the number stored in the file).
Model make_model(const ModelInfo& info, uint64_t seed, int64_t max_params = -1);
// Add the model's metadata, parameters and buffers to a checkpoint.
void put_model(Checkpoint& ck, const Model& m);
// The architecture a model file or checkpoint names, as it stores it (older files
// name an alias under "model"; it expands to the same network).
std::string stored_architecture(const Checkpoint& ck);
// Rebuild and fill the model stored in a loaded checkpoint. Model files hold parameters
// as "param.<name>" and buffers as "buffer.<name>"; with prefixed false both are under
// their own names (a safetensors file, model/weights.h).
Model get_model(const Checkpoint& ck, bool prefixed = true);
// A model file as a checkpoint: model.ogm and checkpoints as they are; a safetensors
// file written by `ordgrad export` (model/weights.h) with its tensors under the model
// file's names.
Checkpoint load_model_file(const std::string& path);
// Load a model from any of those files.
Model load_model(const std::string& path);
// A hash of the parameters and buffers (comparing processes that train one model).
uint64_t state_fingerprint(Model& m);

}  // namespace og
