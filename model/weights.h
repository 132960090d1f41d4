// weights.h — a model as a safetensors file (core/safetensors.h), for other programs.
//
// Tensors: every parameter and buffer under its module path ("1.weight", "2.running_mean",
// "4.body.0.weight" inside a residual block; a layer and the activation fused with it,
// "dense(16), relu", are one module), plus "input.mean" and "input.std" for a table
// model's standardisation. `ordgrad inspect FILE` lists them.
// __metadata__: the model file's metadata (format, architecture, input, classes, loss,
// label_offset, norm_mean, norm_std, label names, data split) plus "head" and
// "ordgrad_version" — everything model_from_safetensors needs to rebuild the network.
#pragma once
#include <string>

#include "core/safetensors.h"
#include "core/serialize.h"
#include "model/model.h"

namespace og {

SafeTensors model_safetensors(const Model& m);
// Rebuilds the network from the metadata and fills it by name and shape (og::Error,
// naming `who`, for a missing name or a shape that does not fit). Extra tensors are
// ignored.
Model model_from_safetensors(const SafeTensors& s, const std::string& who);
// Fine-tuning: copy the parameters and buffers of the model in `path` (a model file or
// a safetensors file) into `to`, which must have the same architecture, input and
// classes (og::Error naming the file and the difference otherwise).
void init_weights(Model& to, const std::string& path);
// The same as a model file's checkpoint (parameters "param.<name>", buffers
// "buffer.<name>"), the file's metadata kept.
Checkpoint checkpoint_of(const SafeTensors& s, const std::string& who);

}  // namespace og
