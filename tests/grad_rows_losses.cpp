// Gradient-check rows for the loss nodes (losses/). See grad_rows.h.
#include "grad_rows.h"
#include "helpers.h"
#include "losses/ce.h"

using namespace og;
using test::Built;
using test::randn;

std::vector<test::GradRow> test::loss_rows() {
  return {
      {"ce", [](Graph& g, Rng& r) { Var z = g.leaf(randn({4, 5}, r, 2.0f)); return Built{cross_entropy(z, {0, 4, 2, 2}), {z}}; }},
      {"ce", [](Graph& g, Rng& r) {
         Var z = g.leaf(randn({4, 5}, r, 2.0f));
         CeOptions o;
         o.class_weights = {1, 2, 0.5f, 3, 1};
         o.sample_weights = {1, 0.25f, 2, 1};
         o.label_smoothing = 0.1f;
         return Built{cross_entropy(z, {0, 4, 2, 3}, o), {z}};
       }},
  };
}
