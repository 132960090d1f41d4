// gradcheck.cpp — `ordgrad gradcheck --loss SPEC`: check a loss's backward against
// finite differences (core/gradcheck.h) on random outputs, for teaching and for
// trying a new loss spec. Exit code 1 when the check fails.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/heads.h"
#include "core/gradcheck.h"
#include "core/rng.h"
#include "losses/spec.h"

namespace og::cli {

namespace {
}  // namespace

int run_gradcheck(int argc, char** argv) {
  Args a("gradcheck", {
                          {"loss", "", "loss spec to check, e.g. rps, ce+0.5*rps, corn (required)"},
                          {"classes", "6", "number of classes K"},
                          {"batch", "0", "rows of random outputs (0 = 2, or two groups for total_* losses)"},
                          {"seed", "0", "seed of the random outputs, labels and cotangent"},
                          // About a second on one core (1.5 s measured for 6.5e8, -O3).
                          {"max-work", "5e8", "refuse a check of more operations than this (estimated)"},
                      });
  if (!a.parse(argc, argv, 2)) return 0;
  OG_CHECK(a.has("loss"), "gradcheck: --loss SPEC is required (ordgrad explain --list shows them)");
  const LossSpec spec = LossSpec::parse(a.str("loss"));
  const int K = a.integer("classes");
  OG_CHECK(K >= 2, "gradcheck: --classes must be >= 2");
  int N = a.integer("batch");
  if (N == 0) N = spec.group() > 0 ? 2 * spec.group() : 2;  // few rows: the mean keeps gradients large
  OG_CHECK(N >= 1 && (spec.group() == 0 || N % spec.group() == 0), "gradcheck: --batch ", N,
           " must be a positive multiple of the loss's group ", spec.group());
  const int W = head_width(spec, K);
  // Finite differences run two forward passes per output entry, and a total_* term's
  // forward costs about N*G*K^2 (its convolutions): refuse what would run for minutes
  // (or allocate gigabytes) before allocating anything. In double: no int overflow.
  const double entries = double(N) * W;
  const double work = 2 * entries * (entries + (spec.group() > 0 ? double(N) * spec.group() * K * K : 0));
  const double max_work = a.number("max-work");
  OG_CHECK(work <= max_work, "gradcheck: ", N, " rows x ", W, " outputs",
           spec.group() > 0 ? cat(" in groups of ", spec.group()) : std::string(),
           " are too many to check by finite differences (about ", work,
           " operations, at most ", max_work, "); use fewer --classes or --batch rows, or raise --max-work");
  Rng rng(static_cast<uint64_t>(a.integer("seed")));
  Tensor z = Tensor::empty({N, W});
  std::vector<int> labels(N);
  for (int i = 0; i < N; ++i) {
    labels[i] = static_cast<int>(rng.below(K));
    if (W == K - 1) {  // coral, corn, clm
      // Ordered cumulative logits, gaps wider than the step, crossing 0 near the label:
      // a plausible prediction, whose loss (and float32 rounding of it) stays moderate.
      float c = -0.45f * (labels[i] + 0.5f) + rng.uniform(-0.2f, 0.2f);
      for (int k = 0; k < W; ++k, c += rng.uniform(0.3f, 0.6f)) z[int64_t(i) * W + k] = c;
    } else if (spec.head() == Head::regression) {
      // Low labels keep the relative step small (2h < 0.15), and |r - y| in (1.3, 2)
      // keeps r away from the kinks of L1 (at 0) and of Huber (at delta = 1).
      labels[i] = static_cast<int>(rng.below(std::min(K, 5)));
      z[i] = labels[i] + (rng.uniform() < 0.5f ? -1 : 1) * rng.uniform(1.3f, 2.0f);
    } else {  // the mean class away from the label: ev_l1 and ev_huber have a kink there
      double mu;
      do {
        double total = 0;
        mu = 0;
        for (int k = 0; k < W; ++k) {
          const float v = z[int64_t(i) * W + k] = 1.5f * rng.normal();
          total += std::exp(v), mu += k * std::exp(v);
        }
        mu /= total;
      } while (std::fabs(mu - labels[i]) < 0.5);
    }
  }
  Graph g;
  Var out = g.leaf(z);
  Var loss = spec.build(out, LossTarget{labels, K, {}, {}, {}});
  GradCheckOptions opt;
  opt.seed = static_cast<uint64_t>(a.integer("seed")) + 1;
  // A scalar loss: a larger step keeps float32 rounding of L small against the difference,
  // except for cumulative logits and regression scores (up to K-1), where the relative
  // step must stay below the gaps between logits and the distance to the kink.
  opt.step = spec.head() == Head::softmax ? 3e-2 : 1e-2;
  // The loss is a float32 sum over N x K terms: its rounding grows with K while each
  // gradient entry shrinks, so the absolute part of the tolerance grows with K (and
  // with groups, as in the gradient table's G = 8 rows).
  if (spec.group() > 0 || K > 10) opt.atol = 2e-3;
  const GradCheckResult r = grad_check(g, loss, {out}, opt);
  std::printf("gradcheck %s (K = %d, %d rows, step %g, atol %g, rtol %g): %s, worst error/tolerance %.3g\n  %s\n",
              spec.text().c_str(), K, N, opt.step, opt.atol, opt.rtol, r.ok ? "PASS" : "FAIL", r.worst_ratio,
              r.report.c_str());
  return r.ok ? 0 : 1;
}

}  // namespace og::cli
