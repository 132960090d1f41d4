// profile.cpp — `ordgrad bench --profile`: where one training step's time goes.
//
// Runs the steps of the bench by hand (gather the batch, forward, loss, backward,
// SGD step) with per-node timing (Graph::set_timing) and sgemm accounting
// (set_gemm_profiling), and prints
//   - per node: forward / backward ms, the sgemm part of it, and the sgemm rate
//     against the sgemm peak measured in the same process (one 1024^3 product);
//   - per phase: data, sgemm, im2col / Winograd transforms (convolution time outside
//     sgemm), dense outside sgemm, pooling, elementwise, loss, optimiser, and the
//     rest of the step (graph bookkeeping, allocation).
// Node times are means over the timed steps. With N threads the sgemm seconds are
// summed over threads (so the rate is per thread); the phase table then counts
// sgemm as those seconds / N, an estimate of its wall time. docs/performance.md
// shows the output.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "apps/profile.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "optim/sgd.h"

namespace og::cli {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Single-threaded sgemm rate on a square 1024 product, the yardstick for the layers.
double sgemm_peak_gflops() {
  const int n = 1024;
  std::vector<float> a(size_t(n) * n, 0.5f), b(size_t(n) * n, 0.25f), c(size_t(n) * n);
  gemm_serial(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);  // warm-up
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    gemm_serial(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    best = std::max(best, 2.0 * n * n * n / since(t0) / 1e9);
  }
  return best;
}

// The phase a node's time belongs to, by what the node computes.
std::string phase_of(const std::string& name, bool is_loss) {
  if (is_loss) return "loss";
  if (name.rfind("conv2d", 0) == 0) return "conv";
  if (name.rfind("linear", 0) == 0 || name == "matmul") return "dense";
  if (name.find("pool") != std::string::npos) return "pooling";
  return "elementwise";
}

struct NodeRow {
  std::string label;
  Node::Timing fwd, bwd;
};

void add(Node::Timing& into, const Node::Timing& t, double scale) {
  into.seconds += t.seconds * scale;
  into.gemm_seconds += t.gemm_seconds * scale;
  into.gemm_flops += t.gemm_flops * scale;
}

std::string rate(const Node::Timing& t, double peak) {
  if (t.gemm_seconds <= 0) return "";
  const double gf = t.gemm_flops / t.gemm_seconds / 1e9;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%6.1f %4.0f%%", gf, 100 * gf / peak);
  return buf;
}

}  // namespace

void run_profile(Model& model, const Dataset& data, int batch, int steps, bool json) {
  const double peak = sgemm_peak_gflops();
  const LossSpec loss = LossSpec::parse(model.info.loss);
  SGD sgd(model.net->parameters(), 0.05f, 0.9f);
  std::vector<NodeRow> rows;
  std::map<std::string, double> phase;  // seconds per step
  double step_total = 0;
  const int warmup = 5;
  set_gemm_profiling(true);
  for (int s = -warmup; s < steps; ++s) {
    const double w = s < 0 ? 0.0 : 1.0 / steps;
    const auto t_step = Clock::now();
    std::vector<int64_t> idx(batch);
    for (int i = 0; i < batch; ++i) idx[i] = (int64_t(s + warmup) * batch + i) % data.size();
    const Dataset b = subset(data, idx, 0, batch);
    const double t_data = since(t_step);
    Graph g;
    g.set_timing(true);
    Var out = model.net->forward(g.input(b.x));
    const size_t model_nodes = g.size();
    Var l = loss.build(out, LossTarget{b.y, model.info.classes, {}, b.weights, {}});
    g.backward(l);
    const auto t_opt = Clock::now();
    sgd.step();
    sgd.zero_grad();
    const double t_optim = since(t_opt), t_all = since(t_step);
    if (s < 0) continue;
    rows.resize(g.size());
    double in_nodes = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      const Node& n = g.node(i);
      if (n.inputs.empty()) continue;  // leaves
      const bool is_loss = i >= model_nodes;
      rows[i].label = cat(n.name(), " ", n.value.shape(), is_loss ? " (loss)" : "");
      add(rows[i].fwd, n.fwd_time, w);
      add(rows[i].bwd, n.bwd_time, w);
      const double sec = n.fwd_time.seconds + n.bwd_time.seconds;
      const double gemm = (n.fwd_time.gemm_seconds + n.bwd_time.gemm_seconds) / num_threads();
      const std::string p = phase_of(n.name(), is_loss);
      phase["sgemm"] += gemm * w;
      phase[p == "conv" ? "im2col / Winograd transforms" : p == "dense" ? "dense outside sgemm" : p] +=
          (sec - gemm) * w;
      in_nodes += sec;
    }
    phase["data (batch gather)"] += t_data * w;
    phase["optimiser (SGD step, zero grads)"] += t_optim * w;
    phase["rest (graph, allocation)"] += (t_all - t_data - t_optim - in_nodes) * w;
    step_total += t_all * w;
  }
  set_gemm_profiling(false);

  if (json) {
    std::printf("{\"model\": \"%s\", \"loss\": \"%s\", \"threads\": %d, \"step_ms\": %.4f, \"loss_ms\": %.4f, "
                "\"loss_share\": %.5f, \"sgemm_peak_gflops\": %.1f}\n",
                model.info.architecture.c_str(), model.info.loss.c_str(), num_threads(), 1e3 * step_total,
                1e3 * phase["loss"], phase["loss"] / step_total, peak);
    return;
  }
  std::printf("%s, loss %s, batch %d, %d threads, %d steps; sgemm peak %.1f GFLOP/s (1 thread, 1024^3)\n\n",
              model.info.architecture.c_str(), model.info.loss.c_str(), batch, num_threads(), steps, peak);
  std::printf("%-40s %8s %8s %12s   %8s %8s %12s\n", "node (output shape)", "fwd ms", "sgemm*", "GF/s  %peak",
              "bwd ms", "sgemm*", "GF/s  %peak");
  for (const NodeRow& r : rows) {
    if (r.label.empty()) continue;
    std::printf("%-40s %8.3f %8.3f %12s   %8.3f %8.3f %12s\n", r.label.c_str(), 1e3 * r.fwd.seconds,
                1e3 * r.fwd.gemm_seconds, rate(r.fwd, peak).c_str(), 1e3 * r.bwd.seconds,
                1e3 * r.bwd.gemm_seconds, rate(r.bwd, peak).c_str());
  }
  std::printf("(* sgemm ms summed over the threads; GF/s per thread)\n\n%-40s %8s %7s\n", "phase", "ms/step", "share");
  for (const auto& [name, sec] : phase)
    std::printf("%-40s %8.3f %6.1f%%\n", name.c_str(), 1e3 * sec, 100 * sec / step_total);
  std::printf("%-40s %8.3f %6.1f%%   (%.0f img/s)\n", "step", 1e3 * step_total, 100.0, batch / step_total);
}

}  // namespace og::cli
