// train.cpp — `ordgrad train`: flags to a model and TrainOptions, then the library's
// fit loop (model/fit.h), which keeps the run directory --out: checkpoint.ogm,
// best.ogm, model.ogm, log.csv. With --optimizer lbfgs the fit runs to convergence
// (--tol, --max-iter; model/trainer.h): an epoch is a chunk of up to 50 iterations,
// and the last line (printed even with --quiet) says whether it converged, as the
// model files' meta lbfgs_* do. The held-out set is the validation split of an image
// folder, else the test split. Label folders (DIR/<label>/<image>) are split by
// --split and --split-seed; the split goes into the run directory as train.csv, val.csv
// and test.csv before training (model/data.h: write_data_split), with skipped.txt
// listing the images --skip-bad left out; the test part is decoded once too, so a bad
// file there stops (or is skipped) now rather than at the first eval. --stream (or an
// image training set above --stream-above-mb decoded) reads only the file lists and
// decodes each batch when needed (io/stream.h), with --workers batch makers and an
// optional --cache-mb of decoded images; the model is bit-identical either way, but a
// bad file then stops training when first met, unless --skip-bad, which decodes every
// image once before training to leave the bad ones out. curves.svg draws the epochs of this invocation (log.csv
// keeps all of them across resumes).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "apps/args.h"
#include "apps/commands.h"
#include "model/data.h"
#include "apps/plot.h"
#include "apps/curves.h"
#include "apps/progress.h"
#include "core/atomic_file.h"
#include "core/metrics.h"
#include "core/parallel.h"
#include "io/folders.h"
#include "losses/class_weights.h"
#include "model/fit.h"
#include "model/weights.h"

namespace og::cli {

namespace {
// A fault to inject for the MPI checks (scripts/checks/mpi.sh): the rank named by
// ORDGRAD_TEST_DESYNC_RANK nudges one parameter after its second step, which the next
// parameter-hash comparison must catch. -1 when unset.
int test_desync_rank() {
  const char* v = std::getenv("ORDGRAD_TEST_DESYNC_RANK");
  return v ? std::atoi(v) : -1;
}

// The command; flags_checked turns true once every flag-only check has passed, so that
// an error before it is every rank's (the flags agree) and is printed once.
int train_command(int argc, char** argv, Comm& comm, bool& flags_checked) {
  Args a("train", {
                      {"data", "fashion-mnist", "dataset: fashion-mnist, demo, FILE.csv (a table; FILE.csv:all fits on every row, as statistics packages do), DIR with train.csv, val.csv, test.csv, or DIR/<label>/<image> label folders"},
                      {"model", "fashion-cnn", "network: fashion-cnn, count-cnn, mlp:H1,H2,..., linear, resnet8, or text such as \"conv(16,3,pad=1), bn, relu, res(conv(16,3,pad=1), bn), gap\" (README: Architectures)"},
                      {"weight-column", "", "tables: column of per-row frequency weights"},
                      {"test-fraction", "0.2", "tables: share of rows held out for testing (none with FILE.csv:all)"},
                      {"split-seed", "0", "tables: seed of the train/test split; label folders: of the train/val/test split"},
                      {"split", "0.8,0.1,0.1", "label folders: train,val,test fractions, stratified by label (written to --out as train.csv, val.csv, test.csv)"},
                      {"label-order", "", "label folders named by class: the names from lowest to highest, e.g. low,mid,high (default: folders named 0, 1, 2, ...)"},
                      {"skip-bad", "", "images: leave out (and count) files that cannot be read or decoded, listed in --out/skipped.txt", true},
                      {"standardize", "1", "tables: standardise features (1) or not (0)"},
                      {"image-size", "32", "images: resize to H (square) or HxW (height x width)"},
                      {"channels", "1", "images: 1 (grayscale) or 3 (RGB)"},
                      {"stream", "", "images: decode each batch from disk when needed instead of all images first (bounded memory)", true},
                      {"stream-above-mb", "4096", "images: stream without --stream when the decoded training images would exceed this many MB (0 = never)"},
                      {"cache-mb", "0", "images, streamed: keep up to this many MB of decoded training images in memory (0 = none)"},
                      {"shards", "1", "split each batch into this many fixed shards whose gradients are summed order-free (the arithmetic of data-parallel runs; 1 = the batch as one graph)"},
                      {"sync-check", "50", "with several processes: compare a hash of the parameters across ranks every this many steps (0 = never)"},
                      {"workers", "2", "threads making batches ahead of training; 0 = made by the training threads in each step (results do not depend on it)"},
                      {"flip", "", "images: random horizontal and vertical flips", true},
                      {"shift", "0", "images: random shifts of up to this many pixels"},
                      {"brightness", "0", "images: random scale of the normalised input in [1-b, 1+b]"},
                      {"loss", "ce", "loss spec, e.g. ce, ce+0.5*rps, coral, clm:link=probit"},
                      {"class-weights", "", "inverse, sqrt, effective:BETA or lds[:SIGMA], from the training labels"},
                      {"sampler", "shuffle", "shuffle, or balanced (every class equally often)"},
                      {"optimizer", "sgd", "sgd, adam, adamw, or lbfgs (full batch, for small tables)"},
                      {"lr", "", "learning rate (default 0.05; for lbfgs 1, the first trial step of its line search)"},
                      {"momentum", "0.9", "SGD momentum"},
                      {"nesterov", "", "Nesterov momentum", true},
                      {"weight-decay", "0", "weight decay"},
                      {"schedule", "constant",
                       "lr schedule in steps: constant, cosine[:min=M] (over all --epochs), cosine:total=T, "
                       "step:every=S,gamma=G; add warmup=W"},
                      {"clip", "0", "clip the global gradient norm (0 = off)"},
                      {"batch", "64", "batch size"},
                      {"epochs", "3", "number of epochs (in total, when resuming); not for lbfgs, which runs to convergence"},
                      {"tol", "1e-7", "lbfgs: converged when max |gradient| of the mean loss (standardised features) <= this"},
                      {"max-iter", "1000", "lbfgs: at most this many iterations (in total, when resuming)"},
                      {"seed", "0", "seed of initialisation and data order"},
                      {"threads", "2", "OpenMP threads"},
                      {"out", "", "run directory (required): model.ogm, checkpoint.ogm, log.csv"},
                      {"resume", "", "continue from a checkpoint.ogm"},
                      {"init", "", "start from the weights of a model file or a .safetensors of the same architecture (fine-tuning)"},
                      {"monitor", "mae", "held-out value that picks best.ogm and stops early: mae or loss"},
                      {"patience", "0", "stop after this many epochs without a better held-out value (0 = never)"},
                      {"quiet", "", "no per-epoch lines", true},
                  });
  const bool lead = comm.rank() == 0;  // with several processes, rank 0 alone prints and writes
  if (!a.parse(argc, argv, 2, lead)) return 0;
  OG_CHECK(a.positional.empty(), "train: unexpected argument '", a.positional.at(0), "'");
  const std::string out = a.str("out");
  OG_CHECK(!out.empty(), "train: --out DIR is required");
  set_num_threads(a.integer("threads"));

  TrainOptions opt;
  opt.optimizer = a.str("optimizer");
  opt.lr = a.has("lr") ? static_cast<float>(a.number("lr")) : default_lr(opt.optimizer);
  opt.momentum = static_cast<float>(a.number("momentum"));
  opt.nesterov = a.flag("nesterov");
  opt.weight_decay = static_cast<float>(a.number("weight-decay"));
  opt.schedule = a.str("schedule");
  opt.clip_norm = static_cast<float>(a.number("clip"));
  opt.batch = a.integer("batch");
  opt.epochs = a.integer("epochs");
  const bool lbfgs = opt.optimizer == "lbfgs";
  OG_CHECK(!lbfgs || !a.has("epochs"), "train: --optimizer lbfgs runs until it converges; give --tol and "
           "--max-iter instead of --epochs");
  opt.lbfgs_tol = a.number("tol");
  opt.lbfgs_max_iter = a.integer("max-iter");
  OG_CHECK(a.str("sampler") == "shuffle" || a.str("sampler") == "balanced", "train: unknown sampler '",
           a.str("sampler"), "' (known: shuffle, balanced)");
  opt.balanced = a.str("sampler") == "balanced";
  opt.workers = a.integer("workers");
  opt.shards = a.integer("shards");
  opt.comm = &comm;
  check_options(opt);
  opt.sync_every = a.integer("sync-check");
  OG_CHECK(opt.sync_every >= 0, "train: --sync-check must be >= 0, got ", opt.sync_every);
  const int64_t cache_mb = a.integer("cache-mb"), stream_above_mb = a.integer("stream-above-mb");
  OG_CHECK(cache_mb >= 0 && stream_above_mb >= 0, "train: --cache-mb and --stream-above-mb must be >= 0");
  opt.augment = Augment{a.flag("flip"), a.flag("flip"), a.integer("shift"), static_cast<float>(a.number("brightness"))};

  DataOptions dopt{a.str("weight-column"), a.number("test-fraction"),
                   static_cast<uint64_t>(a.integer("split-seed")), 0, 0, a.integer("channels")};
  OG_CHECK(dopt.channels == 1 || dopt.channels == 3, "train: --channels must be 1 or 3, got ", dopt.channels);
  parse_image_size(a.str("image-size"), "train", dopt.height, dopt.width);
  if (a.has("split")) dopt.split = a.str("split");
  if (a.has("label-order")) dopt.label_order = parse_label_order(a.str("label-order"));
  dopt.skip_bad = a.flag("skip-bad");
  dopt.stream = a.flag("stream");
  dopt.stream_above_mb = stream_above_mb;
  OG_CHECK(!(a.has("init") && a.has("resume")), "train: --init starts a new run from weights; --resume continues one");
  flags_checked = true;
  NamedData train = load_named(a.str("data"), "train", dopt);
  dopt.classes = train.classes;  // the held-out split uses the training label range
  dopt.label_offset = train.label_offset;
  dopt.stream = train.data.streamed();  // a streamed training set streams its held-out part too
  // Image folders have a validation split; the other datasets report on their test split.
  const bool has_val = !train.paths.empty();
  NamedData test = load_named(a.str("data"), has_val ? "val" : "test", dopt);
  const char* held = has_val ? "val" : "test";
  ModelInfo info{a.str("model"), train.input, a.str("loss"), train.classes, train.norm_mean,
                 train.norm_std, {}, {}, train.label_offset};
  info.label_names = train.label_names;
  info.data_split = train.split;
  info.data_split_seed = dopt.split_seed;
  if (train.table && a.integer("standardize")) {
    const Standardizer st = Standardizer::fit(train.data.x, train.data.weights);
    info.feature_mean = st.mean;
    info.feature_std = st.std;
  }
  if (a.has("class-weights"))
    opt.class_weights = class_weights(a.str("class-weights"), train.data.y, train.classes, train.data.weights);
  Model model = make_model(info, static_cast<uint64_t>(a.integer("seed")));
  if (a.has("init")) init_weights(model, a.str("init"));
  if (comm.size() > 1)  // a pass over every input: only when there are ranks to compare
    comm.agree("train", "data", fingerprint(train.data, fingerprint(test.data)),
               "its training or held-out examples differ; every rank must read the same data");
  Trainer trainer(model, opt);
  // The run's plan goes into every file it saves: a cosine without total= spans
  // --epochs, so resuming with another --epochs cannot repeat the same lr curve.
  const std::map<std::string, std::string> plan = {
      {"run_epochs", cat(opt.epochs)}, {"run_schedule", opt.schedule}, {"run_shards", cat(opt.shards)}};
  const bool cosine_spans_epochs =
      opt.schedule.rfind("cosine", 0) == 0 && opt.schedule.find("total=") == std::string::npos;
  if (a.has("resume")) {
    const std::map<std::string, std::string> saved = trainer.resume(a.str("resume"));
    if (comm.size() > 1)
      comm.agree("train", "checkpoint", state_fingerprint(model),
                 cat("its ", a.str("resume"), " differs; every rank must resume from the same file"));
    // Shards change the arithmetic of every step: a resume must keep them.
    const auto shards = saved.find("run_shards");
    const std::string was = shards == saved.end() ? "1" : shards->second;
    OG_CHECK(was == cat(opt.shards), "train: ", a.str("resume"), " was trained with --shards ", was,
             "; resume with the same --shards (this run: ", opt.shards, ")");
    auto planned = saved.find("run_epochs");
    if (cosine_spans_epochs && planned != saved.end() && planned->second != cat(opt.epochs) && !a.flag("quiet") && lead)
      std::printf("note: --schedule %s spans --epochs; the checkpoint's run planned %s epochs, this one %d, so the "
                  "lr curve differs from a straight run (cosine:total=STEPS resumes exactly)\n",
                  opt.schedule.c_str(), planned->second.c_str(), opt.epochs);
  }
  // The cache is for the training set, read every epoch; the held-out set once per epoch.
  prepare_data(train.data, model.info, cache_mb << 20);
  prepare_data(test.data, model.info);

  // The data's notes come first, and even with --quiet: they say what was trained on.
  if (train.skipped_files > 0 && lead)
    std::printf("skipped %ld non-image file%s in %s\n", static_cast<long>(train.skipped_files),
                train.skipped_files == 1 ? "" : "s", a.str("data").c_str());
  std::vector<std::string> skipped = train.skipped_images;
  skipped.insert(skipped.end(), test.skipped_images.begin(), test.skipped_images.end());
  if (!train.split.empty() && parse_split(train.split).test > 0) {  // a folder split: its test part is checked now, not at the first eval
    const NamedData unseen = load_named(a.str("data"), "test", dopt);
    skipped.insert(skipped.end(), unseen.skipped_images.begin(), unseen.skipped_images.end());
  }
  if (!skipped.empty() && lead) {
    std::printf("skipped %zu image%s that could not be loaded (--skip-bad; listed in %s/skipped.txt):\n",
                skipped.size(), skipped.size() == 1 ? "" : "s", out.c_str());
    for (size_t i = 0; i < skipped.size() && i < 5; ++i) std::printf("  %s\n", skipped[i].c_str());
    if (skipped.size() > 5) std::printf("  ... and %zu more\n", skipped.size() - 5);
  }
  if (lead) write_data_split(a.str("data"), dopt, out, skipped, a.has("resume"));

  const bool quiet = a.flag("quiet") || !lead;
  if (!quiet && train.data.streamed())
    std::printf("streaming %ld training images from disk, %d batch workers, cache %ld MB\n",
                static_cast<long>(train.data.size()), opt.workers, static_cast<long>(cache_mb));
  if (!quiet)
    std::printf("ordgrad train: %s on %s (%ld examples), %s lr %g, %s, %d threads%s, BLAS %s\n",
                info.architecture.c_str(), a.str("data").c_str(), static_cast<long>(train.data.size()),
                opt.optimizer.c_str(), opt.lr, lbfgs ? "full batch" : cat("batch ", opt.batch).c_str(),
                num_threads(), comm.size() > 1 ? cat(" in each of ", comm.size(), " processes").c_str() : "",
                blas_config());
  FitOptions fo;
  fo.out = out;
  fo.heldout = held;
  fo.monitor = a.str("monitor");
  fo.patience = a.integer("patience");
  fo.resumed = a.has("resume");
  fo.resumed_from = a.str("resume");
  fo.meta = plan;
  TrainingCurves curves(out + "/curves.svg", "Training curves: " + info.architecture + ", loss " + info.loss, held);
  Progress bar("train");
  FitCallbacks cb;
  const int desync_rank = test_desync_rank();
  int64_t first_step = trainer.step(), weights = 0;
  for (const NamedParam& p : model.net->parameters()) weights += p.param->value.numel();
  cb.on_step = [&](int64_t done, int64_t total, double l) {
    if (lead) bar.update(done, total, l, opt.batch);
    if (comm.rank() == desync_rank && trainer.step() == 2) model.net->parameters()[0].param->value[0] += 1.0f;
  };
  cb.on_epoch = [&](const EpochReport& r) {
    bar = Progress("train");
    const EpochStats& st = r.train;
    if (!quiet && lbfgs)
      std::printf("lbfgs %ld iterations | max|g| %.3g | ", static_cast<long>(trainer.lbfgs_fit().iterations),
                  trainer.lbfgs_fit().grad_max);
    if (!quiet)
      std::printf("epoch %ld%s | loss %.4f | train acc %.2f%% | %s loss %.4f | %s acc %.2f%% | %s MAE %.3f | %.1f s | %.0f img/s\n",
                  static_cast<long>(st.epoch), lbfgs ? "" : cat("/", opt.epochs).c_str(), st.loss, 100 * st.accuracy, held, r.heldout_loss, held,
                  100 * r.heldout_accuracy, held, r.heldout_mae, st.seconds, st.images_per_second);
    if (!quiet && comm.size() > 1)
      std::printf("  %d processes: combining gradients took %.1f s of the epoch (%.2f ms per step, %ld parameters)\n",
                  comm.size(), st.combine_seconds, 1e3 * st.combine_seconds / double(trainer.step() - first_step),
                  static_cast<long>(weights));
    first_step = trainer.step();
    std::fflush(stdout);
    if (lead) curves.add(r);
  };
  FitResult res;
  try {
    res = fit(trainer, train.data, &test.data, fo, cb);
  } catch (const Error&) {
    bar.clear();
    throw;
  }
  if (lbfgs && lead) {  // the result of the fit, so even with --quiet
    const LbfgsFit& f = trainer.lbfgs_fit();
    std::printf("L-BFGS %s (stop: %s) after %ld iterations (%ld evaluations), max|g| %.3g (|g| %.3g, --tol %g), loss %.9g\n",
                f.converged ? "converged" : "did NOT converge", f.reason.c_str(), static_cast<long>(f.iterations),
                static_cast<long>(f.evaluations), f.grad_max, f.grad_l2, opt.lbfgs_tol, f.loss);
  }
  if (!quiet) {
    if (res.stopped_early)
      std::printf("stopped early: no better %s %s for %d epochs\n", held, fo.monitor.c_str(), fo.patience);
    std::printf("saved %s/model.ogm (last epoch) and %s/best.ogm (best %s %s %.3f, epoch %ld)\n", out.c_str(),
                out.c_str(), held, fo.monitor.c_str(), res.best_value, static_cast<long>(res.best_epoch));
  }
  return 0;
}

}  // namespace

int run_train(int argc, char** argv) {
  Comm& comm = world();
  // Every rank must run the same command: the flags first, then (in train) the data and
  // the model once loaded.
  uint64_t flags = fingerprint(nullptr, 0);
  for (int i = 1; i < argc; ++i) flags = fingerprint(argv[i], std::strlen(argv[i]) + 1, flags);
  comm.agree("train", "flags", flags, "its command line differs; every rank must run the same command");
  bool flags_checked = false;
  try {
    return train_command(argc, argv, comm, flags_checked);
  } catch (const Error& e) {
    if (comm.size() > 1 && !flags_checked && !dynamic_cast<const EveryRankError*>(&e)) throw EveryRankError(e.what());
    throw;
  }
}

}  // namespace og::cli
