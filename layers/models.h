// models.h — networks by name, so a model file can rebuild its architecture.
//
//   fashion-cnn      the reference CNN: conv 32 3x3 p1 -> relu -> maxpool 2 ->
//                    conv 64 3x3 p1 -> relu -> maxpool 2 -> dense 128 -> relu -> dense K
//   mlp:H1,H2,...    flatten -> dense H1 -> relu -> ... -> dense K
//   linear           flatten -> dense K
// ReLUs after conv and dense layers are fused into those layers' nodes.
#pragma once
#include <memory>
#include <string>

#include "core/rng.h"
#include "layers/sequential.h"

namespace og {

// input: the shape of one example (C,H,W or F); outputs: the width of the last layer.
std::unique_ptr<Sequential> build_model(const std::string& spec, const Shape& input, int outputs,
                                        Rng& rng);

}  // namespace og
