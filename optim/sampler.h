// sampler.h — a class-balanced sampler: an epoch order in which every class present in
// the labels is drawn equally often in expectation.
//
// Each of the n draws picks a class uniformly among the P present classes
// (rng.below(P)), then a row uniformly among that class's rows (rng.below(n_c)), so a
// row of class c is drawn with probability 1 / (P n_c) per draw: rows of rare classes
// repeat, rows of common classes may be skipped. Sampling is with replacement and uses
// only og::Rng (two below() calls per draw), so a seed gives the same order everywhere.
// The result indexes the labels (and the dataset they come from), e.g. for
// gather_rows / subset in io/dataset.h. Serial, O(N + n).
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace og {

// n row indices into labels (each in [0,K)). n = 0 gives an empty order. Throws
// og::Error for n < 0, a label out of range, or n > 0 with no labels.
std::vector<int64_t> balanced_order(const std::vector<int>& labels, int K, int64_t n, Rng& rng);

}  // namespace og
