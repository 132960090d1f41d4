// models.h — networks by name, so a model file can rebuild its architecture.
//
//   fashion-cnn      the reference CNN: conv 32 3x3 p1 -> relu -> maxpool 2 ->
//                    conv 64 3x3 p1 -> relu -> maxpool 2 -> dense 128 -> relu -> dense K
//   count-cnn        counting objects: conv 32 3x3 p1 -> relu -> maxpool 2 -> conv 64 ->
//                    relu -> maxpool 2 -> conv 64 -> relu -> dense 128 -> relu -> head
//   mlp:H1,H2,...    flatten -> dense H1 -> relu -> ... -> dense K
//   linear           flatten -> dense K
// ReLUs after conv and dense layers are fused into those layers' nodes.
//
// A model file is a checkpoint (core/serialize.h) whose metadata names the
// architecture (spec, input shape, outputs, input normalisation), so
// load_model() rebuilds the network and fills it by name: "param.<name>",
// "buffer.<name>". Loading checks the metadata before building anything: classes in
// [2, 65536], an input of at most 2^24 values, and no layer beyond the parameters
// the file stores, so a damaged file cannot make it allocate more than the file holds. Training checkpoints add "optim.<name>" tensors and the
// epoch, step and Rng state (optim/trainer.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/serialize.h"
#include "layers/sequential.h"

namespace og {

struct ModelInfo {
  std::string spec;          // architecture, e.g. "fashion-cnn", "mlp:64,64", "linear"
  Shape input;               // one example, e.g. {1,28,28} or {F}
  std::string loss = "ce";   // the loss spec trained with: sets the head and the decoding
  int classes = 0;           // number of labels K
  float norm_mean = 0.0f;    // images: inputs are fed as (x - norm_mean) / norm_std
  float norm_std = 1.0f;
  std::vector<float> feature_mean, feature_std;  // tables: per-feature standardisation (empty = none)
  int label_offset = 0;      // tables: the file's label = class + label_offset

  // The head's kind from the loss: softmax, coral, corn, clm or regression.
  std::string head() const;
  int outputs() const;       // width of the last layer
};

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
// Rebuild and fill the model stored in a loaded checkpoint.
Model get_model(const Checkpoint& ck);
// Load a model file written by `ordgrad train` (model.ogm or a checkpoint).
Model load_model(const std::string& path);

// input: the shape of one example (C,H,W or F). The last layer is the head:
//   softmax: dense K      corn: dense K-1      regression: dense 1
//   coral: CoralHead (shared score + K-1 biases)
//   clm:   ClmHead   (score without intercept + ordered thresholds)
std::unique_ptr<Sequential> build_model(const std::string& spec, const Shape& input,
                                        const std::string& head, int classes, Rng& rng,
                                        int64_t max_params = -1);

}  // namespace og
