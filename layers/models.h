// models.h — networks by name, so a model file can rebuild its architecture.
//
//   fashion-cnn      the reference CNN: conv 32 3x3 p1 -> relu -> maxpool 2 ->
//                    conv 64 3x3 p1 -> relu -> maxpool 2 -> dense 128 -> relu -> dense K
//   mlp:H1,H2,...    flatten -> dense H1 -> relu -> ... -> dense K
//   linear           flatten -> dense K
// ReLUs after conv and dense layers are fused into those layers' nodes.
//
// A model file is a checkpoint (core/serialize.h) whose metadata names the
// architecture (spec, input shape, outputs, input normalisation), so
// load_model() rebuilds the network and fills it by name: "param.<name>",
// "buffer.<name>". Training checkpoints add "optim.<name>" tensors and the
// epoch, step and Rng state (optim/trainer.h).
#pragma once
#include <memory>
#include <string>

#include "core/rng.h"
#include "core/serialize.h"
#include "layers/sequential.h"

namespace og {

struct ModelInfo {
  std::string spec;          // e.g. "fashion-cnn"
  Shape input;               // one example, e.g. {1,28,28}
  int outputs = 0;           // width of the last layer
  int classes = 0;           // number of labels
  float norm_mean = 0.0f;    // inputs are fed as (x - norm_mean) / norm_std
  float norm_std = 1.0f;
};

struct Model {
  ModelInfo info;
  std::unique_ptr<Rng> rng;         // initialisation, then everything random in training
  std::unique_ptr<Sequential> net;  // (dropout holds a reference to *rng)
};

// Build a fresh model for `info`, initialised from Rng(seed).
Model make_model(const ModelInfo& info, uint64_t seed);
// Add the model's metadata, parameters and buffers to a checkpoint.
void put_model(Checkpoint& ck, const Model& m);
// Rebuild and fill the model stored in a loaded checkpoint.
Model get_model(const Checkpoint& ck);
// Load a model file written by `ordgrad train` (model.ogm or a checkpoint).
Model load_model(const std::string& path);

// input: the shape of one example (C,H,W or F); outputs: the width of the last layer.
std::unique_ptr<Sequential> build_model(const std::string& spec, const Shape& input, int outputs,
                                        Rng& rng);

}  // namespace og
