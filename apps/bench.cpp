// bench.cpp — `ordgrad bench`: throughput of the reference CNN (or any --model), per-node
// times, memory.
//
// Trains fashion-cnn by default (batch 64, SGD momentum 0.9, lr 0.05, cross-entropy) on
// Fashion-MNIST images when Debian's dataset-fashion-mnist is installed, else on
// random images of the same shape. Timing: `--warmup` steps, then `--windows`
// windows of `--steps` steps; the median window is reported. Peak memory is the
// process's VmHWM. scripts/bench.sh runs this beside PyTorch (`make bench`).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/data.h"
#include "core/parallel.h"
#include "apps/profile.h"
#include "core/comm.h"
#include "core/fixed_sum.h"
#include "model/shards.h"
#include "io/idx.h"
#include "layers/conv2d.h"

namespace og::cli {

namespace {
double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmHWM:") {
      double kb = 0;
      f >> kb;
      return kb / 1024.0;
    }
  }
  return 0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// n images of the model's input shape: Fashion-MNIST for 1x28x28 inputs when installed,
// random images (which time the same) otherwise.
Dataset bench_data(int64_t n, int classes, const Shape& input) {
  Dataset d{Tensor::empty({n, input[0], input[1], input[2]}), std::vector<int>(n), {}};
  Rng rng(7);
  bool filled = false;
  if (input == Shape{1, 28, 28}) {
    try {
      ImageSet s = load_fashion_mnist(kFashionMnistDir, true);
      const int64_t count = std::min(d.x.numel(), s.images.numel());
      std::copy(s.images.data(), s.images.data() + count, d.x.data());
      for (int64_t i = count; i < d.x.numel(); ++i) d.x[i] = d.x[i - count];
      normalize(d.x, kFashionMnistMean, kFashionMnistStd);
      filled = true;
    } catch (const Error&) {
    }
  }
  if (!filled)
    for (int64_t i = 0; i < d.x.numel(); ++i) d.x[i] = rng.normal();
  for (int& y : d.y) y = static_cast<int>(rng.below(classes));
  return d;
}
// --combine: the median of --windows timings of combine_shards (one shard per process,
// a gradient of n floats in 16 arrays) and of the exact int64 sum alone, for each size.
int bench_combine(const Args& a, Comm& comm) {
  const int reps = std::max(3, a.integer("windows") * 3);
  const bool lead = comm.rank() == 0;
  if (lead)
    std::printf("combining gradients over %d process%s: median of %d\n%12s %10s %12s %12s %12s\n", comm.size(),
                comm.size() == 1 ? " (the grid arithmetic alone)" : "es (MPI)", reps, "parameters", "MB int64",
                "combine ms", "sum ms", "sum GB/s");
  for (float f : parse_floats(a.str("sizes"), "bench: --sizes")) {
    const int64_t n = static_cast<int64_t>(f);
    OG_CHECK(n >= 16 && n <= (int64_t(1) << 31), "bench: --sizes must be in 16..2^31, got ", f);
    Rng rng(uint64_t(comm.rank()) + 1);
    std::vector<std::vector<float>> local(1, std::vector<float>(size_t(n)));
    for (float& v : local[0]) v = rng.normal() * 1e-3f;
    const std::vector<int64_t> sizes(16, n / 16);
    local[0].resize(size_t(n / 16 * 16));
    std::vector<int> exps;
    for (int p = 0; p < 16; ++p) exps.push_back(FixedSum::exponent(local[0].data() + p * (n / 16), n / 16));
    std::vector<int64_t> ints(local[0].size(), 1);
    std::vector<float> out(local[0].size());
    std::vector<double> whole, sum;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      combine_shards(local, sizes, exps, comm.size(), comm, out.data());
      whole.push_back(seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      comm.sum(ints.data(), int64_t(ints.size()));
      sum.push_back(seconds_since(t0));
    }
    std::sort(whole.begin(), whole.end());
    std::sort(sum.begin(), sum.end());
    const double mb = 8.0 * double(ints.size()) / 1e6, s = sum[sum.size() / 2];
    if (lead)
      std::printf("%12ld %10.1f %12.3f %12.3f %12s\n", static_cast<long>(ints.size()), mb,
                  1e3 * whole[whole.size() / 2], 1e3 * s, comm.size() > 1 ? cat(mb / 1e3 / s).c_str() : "-");
  }
  return 0;
}
}  // namespace

int run_bench(int argc, char** argv) {
  Args a("bench", {
                      {"threads", "1", "OpenMP threads"},
                      {"batch", "64", "batch size"},
                      {"steps", "100", "steps per timed window"},
                      {"windows", "3", "timed windows (the median is reported)"},
                      {"warmup", "20", "untimed steps first"},
                      {"classes", "10", "width of the last layer"},
                      {"layers", "", "print per-node forward/backward times instead", true},
                      {"json", "", "print one JSON line", true},
                      {"conv", "auto", "convolution algorithm: auto, im2col or winograd"},
                      {"model", "fashion-cnn", "alias or architecture text (see ordgrad train --help)"},
                      {"input", "", "C,H,W of one image; default 1,28,28 (count-cnn 1,32,32, resnet8 3,64,64)"},
                      {"loss", "ce", "loss spec (see ordgrad explain --list)"},
                      {"profile", "", "print per-node sgemm rates and per-phase times instead", true},
                      {"combine", "", "time combining shard gradients across the processes of mpirun instead (make MPI=1)", true},
                      {"sizes", "10000,100000,1000000,4000000,16000000", "--combine: gradient sizes in parameters"},
                  });
  Comm& comm = world();
  if (!a.parse(argc, argv, 2, comm.rank() == 0)) return 0;
  if (a.flag("combine")) return bench_combine(a, comm);
  OG_CHECK(comm.size() == 1, "bench: only --combine runs on several processes");
  set_num_threads(a.integer("threads"));
  const std::string conv = a.str("conv");
  OG_CHECK(conv == "auto" || conv == "im2col" || conv == "winograd", "bench: unknown --conv '", conv,
           "' (known: auto, im2col, winograd)");
  set_conv_algo(conv == "im2col" ? ConvAlgo::im2col : conv == "winograd" ? ConvAlgo::winograd : ConvAlgo::automatic);
  const int batch = a.integer("batch"), steps = a.integer("steps"), classes = a.integer("classes");
  OG_CHECK(batch > 0 && steps > 0 && a.integer("windows") > 0 && classes > 1,
           "bench: batch, steps, windows must be positive and classes > 1");
  const std::string spec = a.str("model");
  Shape input = spec == "count-cnn" ? Shape{1, 32, 32} : spec == "resnet8" ? Shape{3, 64, 64} : Shape{1, 28, 28};
  if (a.has("input")) {
    const std::vector<float> d = parse_floats(a.str("input"), "bench: --input");
    const auto whole = [](float v) { return v >= 1 && v == std::floor(v); };
    OG_CHECK(d.size() == 3 && whole(d[0]) && whole(d[1]) && whole(d[2]) && d[0] * d[1] * d[2] <= (1 << 24),
             "bench: --input must be C,H,W (positive, at most 2^24 values), got '", a.str("input"), "'");
    input = Shape{int64_t(d[0]), int64_t(d[1]), int64_t(d[2])};
  }
  LossSpec::parse(a.str("loss"));  // a bad spec fails before any work
  Dataset data = bench_data(static_cast<int64_t>(steps) * batch, classes, input);
  ModelInfo info{spec, input, a.str("loss"), classes, 0.0f, 1.0f, {}, {}, 0};
  Model model = make_model(info, 0);
  if (a.flag("profile")) {
    run_profile(model, data, batch, steps, a.flag("json"));
    return 0;
  }
  TrainOptions opt;  // the reference recipe: SGD momentum 0.9, lr 0.05
  opt.batch = batch;
  opt.epochs = 1 << 20;
  Trainer trainer(model, opt);

  if (a.flag("layers")) {  // per-node times, averaged over `steps` steps
    std::vector<double> fwd, bwd;
    std::vector<std::string> names;
    for (int s = -5; s < steps; ++s) {
      Graph g;
      g.set_timing(true);
      std::vector<int64_t> idx(batch);
      for (int i = 0; i < batch; ++i) idx[i] = (int64_t(s + 5) * batch + i) % data.size();
      const Dataset b = subset(data, idx, 0, batch);
      g.backward(trainer.loss_node(model.net->forward(g.input(b.x)), b));
      model.net->zero_grad();  // per-node times only: no update needed
      if (s < 0) continue;  // warm-up
      fwd.resize(g.size());
      bwd.resize(g.size());
      names.resize(g.size());
      for (size_t i = 0; i < g.size(); ++i) {
        fwd[i] += g.node(i).fwd_time.seconds / steps;
        bwd[i] += g.node(i).bwd_time.seconds / steps;
        names[i] = cat(g.node(i).name(), " ", g.node(i).value.shape());
      }
    }
    double tf = 0, tb = 0;
    std::printf("%-34s %10s %10s\n", "node (output shape)", "fwd ms", "bwd ms");
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].rfind("leaf", 0) == 0) continue;
      std::printf("%-34s %10.3f %10.3f\n", names[i].c_str(), 1e3 * fwd[i], 1e3 * bwd[i]);
      tf += fwd[i];
      tb += bwd[i];
    }
    std::printf("%-34s %10.3f %10.3f   (%d threads, batch %d)\n", "total", 1e3 * tf, 1e3 * tb,
                num_threads(), batch);
    return 0;
  }

  std::vector<double> train_rates, infer_rates;
  const int64_t nwarm = std::min<int64_t>(data.size(), int64_t(a.integer("warmup")) * batch);
  std::vector<int64_t> first(nwarm);
  std::iota(first.begin(), first.end(), 0);
  const Dataset warm = subset(data, first, 0, nwarm);
  if (warm.size() >= batch) trainer.train_epoch(warm);
  for (int w = 0; w < a.integer("windows"); ++w) {
    EpochStats st = trainer.train_epoch(data);
    train_rates.push_back(st.images_per_second);
  }
  predict(model, warm.x, batch);
  for (int w = 0; w < a.integer("windows"); ++w) {
    const auto t0 = std::chrono::steady_clock::now();
    predict(model, data.x, batch);
    infer_rates.push_back(data.size() / seconds_since(t0));
  }
  std::sort(train_rates.begin(), train_rates.end());
  std::sort(infer_rates.begin(), infer_rates.end());
  const double train = train_rates[train_rates.size() / 2], infer = infer_rates[infer_rates.size() / 2];
  if (a.flag("json"))
    std::printf("{\"train_img_s\": %.1f, \"infer_img_s\": %.1f, \"peak_rss_mb\": %.1f, \"threads\": %d}\n",
                train, infer, peak_rss_mb(), num_threads());
  else
    std::printf("%s batch %d, %d threads: train %.0f img/s, inference %.0f img/s, peak %.0f MB\n",
                spec.c_str(), batch, num_threads(), train, infer, peak_rss_mb());
  return 0;
}

}  // namespace og::cli
