// clip.h — gradient clipping by the global L2 norm.
//
//   norm = sqrt(sum over all parameters and elements of grad^2)
//   if norm > max_norm: grad *= max_norm / norm   (every parameter, same factor)
// The sum runs in double, serially, parameters in list order and elements in
// memory order, so the norm is the same for any thread count and does not
// overflow for float gradients. Scaling uses og::parallel_for (disjoint elements).
// A non-finite norm (inf or NaN gradients) is returned as is and the gradients are
// left untouched, so the caller can see it and skip the step.
#pragma once
#include <vector>

#include "core/module.h"

namespace og {

// Returns the norm before clipping. Throws og::Error unless max_norm > 0.
float clip_grad_norm(std::vector<NamedParam>& params, float max_norm);

}  // namespace og
