// fuzz_loss_spec.cpp — the loss spec parser (losses/spec: LossSpec::parse, class
// weight schemes, group sizes) and building what it parsed: fit, build the loss node
// on outputs of the right width, backward, class probabilities, decoding by each rule
// (model/heads).
// Input: byte 0 gives K (2..9), byte 1 the rows (1..8) and the output values, the
// rest is the spec text.
#include <cmath>

#include "core/check.h"
#include "core/graph.h"
#include "fuzz/fuzz_common.h"
#include "losses/spec.h"
#include "model/heads.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  og::fuzz::Input in{data, size};
  const int K = 2 + in.byte() % 8;
  const uint8_t rows = in.byte();
  try {
    og::LossSpec spec = og::LossSpec::parse(in.rest());
    if (spec.group() > 64) return 0;   // a valid spec, but more rows than we build here
    const int G = spec.group();
    const int N = G > 0 ? G * (1 + rows % 2) : 1 + rows % 8;
    std::vector<int> labels(N);
    for (int i = 0; i < N; ++i) labels[i] = (i * 7 + rows) % K;
    spec.fit(labels, K, {});
    for (const og::LossTerm& t : spec.terms())
      for (float w : t.class_weights)
        if (!(std::isfinite(w) && w >= 0)) __builtin_trap();   // fitted weights are usable
    const int W = og::head_width(spec, K);
    og::Tensor z = og::Tensor::empty({N, W});
    for (int64_t i = 0; i < z.numel(); ++i) z[i] = float(int((i * 37 + rows) % 11) - 5) * 0.7f;
    og::Graph g;
    og::Var out = g.leaf(z);
    og::LossTarget target;
    target.labels = labels;
    target.K = K;
    g.backward(spec.build(out, target));
    const og::Tensor p = og::class_probs(spec, z, K);
    if (!(p.shape().nd == 2 && p.shape()[0] == N && p.shape()[1] == K)) __builtin_trap();
    for (og::Rule r : {og::Rule::default_rule, og::Rule::mode, og::Rule::median, og::Rule::mean})
      for (int c : og::predict_classes(spec, z, K, r))
        if (c < 0 || c >= K) __builtin_trap();   // a decoded class is always a class
  } catch (const og::Error&) {
  }
  return 0;
}
