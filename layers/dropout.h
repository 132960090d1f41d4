// dropout.h — inverted dropout with a mask drawn from the explicit og::Rng.
//
// forward : m_i ~ Bernoulli(1 - p), drawn once when the node is recorded;
//           y_i = x_i m_i / (1 - p)     (so E[y] = x and eval needs no rescaling)
// backward: dx_i += g_i m_i / (1 - p)
// shapes  : any; y like x.
// saves   : the mask (one byte per element) and the scale 1/(1-p).
// parallel: elementwise over disjoint outputs; the mask is drawn serially in index
//           order, so a seed gives the same mask for any thread count.
// Drawing the mask at construction, not in forward(), keeps forward() a pure
// function of x, so Graph::replay() (gradient checks) reuses the same mask.
// In eval graphs (Graph::training() false), or with p = 0, dropout returns x
// itself and records no node.
#pragma once
#include <string>

#include "core/module.h"
#include "core/rng.h"

namespace og {

Var dropout(Var x, float p, Rng& rng);  // p in [0, 1)

class Dropout : public Module {
 public:
  Dropout(float p, Rng& rng);  // keeps a reference: the rng must outlive the module
  Var forward(Var x) override { return dropout(x, p, rng); }
  std::string describe() const override;  // "dropout(p=0.5)"

  float p;
  Rng& rng;
};

}  // namespace og
