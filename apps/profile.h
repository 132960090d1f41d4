// profile.h — `ordgrad bench --profile` (apps/profile.cpp).
#pragma once
#include "model/trainer.h"

namespace og::cli {

// Train `steps` steps of `batch` examples of `data` by hand (SGD, momentum 0.9) and print
// per-node and per-phase times; json: one line with the step and loss times only.
void run_profile(Model& model, const Dataset& data, int batch, int steps, bool json);

}  // namespace og::cli
