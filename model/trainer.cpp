// trainer.cpp — the training loop, checkpoints and evaluation (see trainer.h).
#include "model/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "io/prefetch.h"
#include "model/architecture.h"
#include "model/heads.h"
#include "model/shards.h"
#include "optim/adam.h"
#include "optim/lbfgs.h"
#include "optim/clip.h"
#include "optim/sampler.h"
#include "optim/schedule.h"
#include "optim/sgd.h"

namespace og {

namespace {
std::unique_ptr<Optimizer> make_optimizer(const TrainOptions& o, std::vector<NamedParam> params) {
  if (o.optimizer == "sgd")
    return std::make_unique<SGD>(std::move(params), o.lr, o.momentum, o.weight_decay, o.nesterov);
  if (o.optimizer == "adam") return std::make_unique<Adam>(std::move(params), o.lr, o.weight_decay);
  if (o.optimizer == "adamw") return std::make_unique<AdamW>(std::move(params), o.lr, o.weight_decay);
  throw Error(cat("unknown optimizer '", o.optimizer, "' (known: sgd, adam, adamw, lbfgs)"));
}

int64_t count_equal(const std::vector<int>& a, const std::vector<int>& b) {
  int64_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i];
  return n;
}

// The schedule spec (optim/schedule.h) in steps; a cosine without total= decays
// over the whole run.
LrSchedule schedule_for(const std::string& spec, float lr, int64_t total_steps) {
  std::string s = spec;
  if (s.rfind("cosine", 0) == 0 && s.find("total=") == std::string::npos)
    s += std::string(s.find(':') == std::string::npos ? ":" : ",") + "total=" +
         std::to_string(std::max<int64_t>(1, total_steps));
  return LrSchedule::parse(s, lr);
}

// The non-finite guard of one step: nothing is scanned while the loss and every
// parameter gradient are finite; otherwise the tape names the first bad node.
[[noreturn]] void stop_non_finite(const Graph& g, const std::string& at, float loss) {
  const NonFiniteSpot spot = g.find_non_finite();
  throw Error(cat("train: NaN/Inf at ", at, " (loss ", number_text(loss), "): ",
                  spot.found ? spot.text : "no node holds one, but a parameter gradient does",
                  "; stopping before the update"));
}

// A double in a meta value: 10 significant digits, enough to tell a tolerance apart.
std::string meta_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool grads_finite(const std::vector<NamedParam>& params) {
  for (const NamedParam& p : params)
    if (first_non_finite(p.param->grad) >= 0) return false;
  return true;
}

// Once per epoch, before anyone saves: the update itself can overflow a parameter,
// an optimiser moment or a running statistic without any node seeing it yet.
void check_state(const std::vector<NamedTensor>& tensors, const char* kind, const std::string& at) {
  for (const NamedTensor& t : tensors) {
    const Tensor& v = *t.tensor;
    const int64_t i = first_non_finite(v);
    OG_CHECK(i < 0, "train: NaN/Inf after ", at, ": ", kind, " '", t.name, "' holds ",
             number_text(v[i]), " at element ", i, " of ", v.shape(), "; stopping");
  }
}
}  // namespace

void Trainer::check_finite_state() {
  const std::string at = cat("the last update of epoch ", epoch_ + 1, " (step ", step_, ")");
  std::vector<NamedTensor> values;
  for (NamedParam& p : model_.net->parameters()) values.push_back({p.name, &p.param->value});
  check_state(values, "parameter", at);
  check_state(model_.net->buffers(), "buffer", at);
  if (optim_) check_state(optim_->state(), "optimiser state", at);
}

float default_lr(const std::string& optimizer) { return optimizer == "lbfgs" ? 1.0f : 0.05f; }

void check_options(const TrainOptions& opt) {
  const int processes = opt.comm ? opt.comm->size() : 1;
  const bool lbfgs = opt.optimizer == "lbfgs";
  OG_CHECK(opt.batch > 0, "train: batch size must be positive, got ", opt.batch);
  OG_CHECK(opt.epochs >= 0, "train: epochs must be >= 0, got ", opt.epochs);
  OG_CHECK(opt.workers >= 0 && opt.workers <= 64, "train: --workers must be in 0..64, got ", opt.workers);
  OG_CHECK(processes == 1 || !lbfgs, "train: --optimizer lbfgs runs on one process, not ", processes);
  OG_CHECK(!lbfgs || opt.shards == 1, "train: --shards splits minibatches; --optimizer lbfgs has none");
  OG_CHECK(opt.shards >= 1 && opt.batch % opt.shards == 0, "train: --shards must divide --batch ", opt.batch,
           ", got ", opt.shards);
  OG_CHECK(opt.shards % processes == 0, "train: ", processes, " processes need --shards S, a multiple of ",
           processes, " dividing --batch ", opt.batch, " (got ", opt.shards,
           "); the model depends on S, never on the process count");
  schedule_for(opt.schedule, opt.lr, 1);  // reject a bad spec before any work
  if (lbfgs) {
    OG_CHECK(opt.lbfgs_tol >= 0 && opt.lbfgs_tol_change >= 0, "train: lbfgs tolerances ", opt.lbfgs_tol,
             " and ", opt.lbfgs_tol_change, " must be >= 0");
    OG_CHECK(opt.lbfgs_max_iter >= 1 && opt.lbfgs_chunk >= 1, "train: lbfgs max_iter ", opt.lbfgs_max_iter,
             " and chunk ", opt.lbfgs_chunk, " must be >= 1");
  }
}

Trainer::Trainer(Model& model, const TrainOptions& opt)
    : model_(model), opt_(opt), comm_(opt.comm ? *opt.comm : solo()), loss_(LossSpec::parse(model.info.loss)),
      params_(model.net->parameters()) {
  check_options(opt);
  OG_CHECK(opt.class_weights.empty() || int(opt.class_weights.size()) == model.info.classes, "train: ",
           opt.class_weights.size(), " class weights for ", model.info.classes, " classes");
  if (opt.optimizer == "lbfgs") {
    LbfgsOptions lo;
    lo.lr = opt.lr;
    lo.tolerance_grad = opt.lbfgs_tol;
    lo.tolerance_change = opt.lbfgs_tol_change;
    lbfgs_ = std::make_unique<LBFGS>(model.net->parameters(), lo);
  } else {
    optim_ = make_optimizer(opt, model.net->parameters());
  }
}

Trainer::~Trainer() = default;

std::vector<int64_t> Trainer::epoch_order(const Dataset& data) {
  const int64_t n = data.size();
  if (opt_.balanced) {  // every present class equally often, rows drawn with replacement
    OG_CHECK(loss_.group() == 0, "train: class-balanced sampling would break the groups of loss '", loss_.text(), "'");
    return balanced_order(data.y, model_.info.classes, n, *model_.rng);
  }
  // Groups of G consecutive examples (a total_* loss) are shuffled as units.
  const int64_t G = std::max(1, loss_.group());
  OG_CHECK(n % G == 0 && opt_.batch % G == 0, "train: loss '", loss_.text(), "' reads groups of ", G,
           "; the ", n, " examples and the batch of ", opt_.batch, " must be multiples of it");
  std::vector<int64_t> groups(n / G), order;
  std::iota(groups.begin(), groups.end(), 0);
  model_.rng->shuffle(groups);
  order.reserve(n);
  for (int64_t g : groups)
    for (int64_t i = 0; i < G; ++i) order.push_back(g * G + i);
  return order;
}

Var Trainer::loss_node(Var outputs, const Dataset& batch) const {
  LossTarget t{batch.y, model_.info.classes, opt_.class_weights, batch.weights, {}};
  return loss_.build(outputs, t);
}

EpochStats Trainer::full_batch_epoch(const Dataset& data) {
  const auto t0 = std::chrono::steady_clock::now();
  // The chunk never overshoots the total cap, so max_iter counts the whole run; a chunk
  // after the fit finished (a caller counting epochs) only re-evaluates the gradient.
  lbfgs_->options.max_iter = static_cast<int>(
      std::clamp<int64_t>(opt_.lbfgs_max_iter - fit_.iterations, 0, opt_.lbfgs_chunk));
  float last = 0;
  const Tensor x = data.all_rows();   // full batch: streamed inputs are decoded once per chunk
  const float loss = lbfgs_->step([&] {
    model_.net->zero_grad();
    Graph g;
    Var l = loss_node(model_.net->forward(g.input(x)), data);
    last = l.value().item();
    const std::string at = cat("epoch ", epoch_ + 1, " (full-batch L-BFGS)");
    if (!std::isfinite(last)) stop_non_finite(g, at, last);
    g.backward(l);
    if (!grads_finite(params_)) stop_non_finite(g, at, last);
    return last;
  });
  fit_.iterations = resumed_iterations_ + lbfgs_->iterations;
  fit_.evaluations = resumed_evaluations_ + lbfgs_->evaluations;
  fit_.grad_max = lbfgs_->grad_max;
  fit_.grad_l2 = lbfgs_->grad_l2;
  fit_.loss = loss;
  fit_.converged = lbfgs_->stop == LbfgsStop::gradient;
  // A chunk that merely used up its iterations goes on, unless the total is used up.
  const bool capped = fit_.iterations >= opt_.lbfgs_max_iter;
  fit_.finished = lbfgs_->stop != LbfgsStop::max_iter || capped;
  fit_.reason = stop_name(lbfgs_->stop);
  ++step_;
  check_finite_state();
  ++epoch_;
  EpochStats st;
  st.epoch = epoch_;
  st.loss = loss;
  st.accuracy = static_cast<double>(count_equal(
                    predict_classes(loss_, predict(model_, x), model_.info.classes), data.y)) / data.size();
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st.images_per_second = data.size() / st.seconds;
  return st;
}

EpochStats Trainer::train_epoch(const Dataset& data,
                                const std::function<void(int64_t, int64_t, double)>& on_step) {
  OG_CHECK(data.streamed() || data.x.shape()[0] == data.size(), "train: ", data.size(), " labels for inputs ",
           data.x.shape());
  OG_CHECK(data.weights.empty() || int64_t(data.weights.size()) == data.size(), "train: ",
           data.weights.size(), " weights for ", data.size(), " examples");
  loss_.fit(data.y, model_.info.classes, data.weights);  // weights= options of the loss terms
  if (lbfgs_) return full_batch_epoch(data);
  const int64_t steps = data.size() / opt_.batch;
  OG_CHECK(steps > 0, "train: ", data.size(), " examples are fewer than one batch of ", opt_.batch);
  const std::vector<int64_t> order = epoch_order(data);
  const LrSchedule schedule = schedule_for(opt_.schedule, opt_.lr, int64_t(opt_.epochs) * steps);

  const auto t0 = std::chrono::steady_clock::now();
  double loss_sum = 0, combine = 0;
  int64_t correct = 0;
  const Augment& aug = opt_.augment;
  const bool augmenting = aug.flip_h || aug.flip_v || aug.max_shift > 0 || aug.brightness > 0;
  const uint64_t aug_seed = augmenting ? model_.rng->next_u64() : 0;
  // This process's rows of each batch: all of them, or those of its shards.
  const ShardRange mine = opt_.shards > 1 ? shard_range(opt_.shards, comm_) : ShardRange{0, 1};
  const int64_t rows = opt_.batch / opt_.shards, first = mine.begin * rows, last = mine.end * rows;
  Prefetcher batches(
      [&](int64_t s) {
        Dataset b = subset(data, order, s * opt_.batch + first, s * opt_.batch + last);
        if (augmenting && opt_.shards > 1) {
          augment_shards(b.x, aug, aug_seed, s, opt_.shards, mine);
        } else if (augmenting) {
          Rng r(aug_seed + static_cast<uint64_t>(s));
          augment_batch(b.x, aug, r);
        }
        return b;
      },
      steps, 2, 1, opt_.workers);
  for (int64_t s = 0; s < steps; ++s) {
    const Dataset batch = batches.next();
    const auto at = [&] { return cat("epoch ", epoch_ + 1, " step ", step_ + 1); };
    float lv = 0;
    if (opt_.shards > 1) {
      const Dataset whole = labels_of(data, order, s * opt_.batch, (s + 1) * opt_.batch);
      const LossTarget target{whole.y, model_.info.classes, opt_.class_weights, whole.weights, {}};
      const ShardStep r = sharded_gradient(model_, loss_, batch.x, target, opt_.shards, comm_,
                                           [&](const Graph& g, float l) { stop_non_finite(g, at(), l); });
      lv = static_cast<float>(r.loss);
      correct += r.correct;
      combine += r.combine_seconds;
    } else {
      Graph g;
      Var out = model_.net->forward(g.input(batch.x));
      Var loss = loss_node(out, batch);
      lv = loss.value().item();
      if (!std::isfinite(lv)) stop_non_finite(g, at(), lv);
      g.backward(loss);
      if (!grads_finite(params_)) stop_non_finite(g, at(), lv);
      correct += count_equal(predict_classes(loss_, out.value(), model_.info.classes), batch.y);
    }
    if (opt_.clip_norm > 0) {
      std::vector<NamedParam> params = model_.net->parameters();
      clip_grad_norm(params, opt_.clip_norm);
    }
    optim_->lr = schedule.lr(step_);
    optim_->step();
    optim_->zero_grad();
    ++step_;
    if (comm_.size() > 1 && opt_.sync_every > 0 && step_ % opt_.sync_every == 0)
      comm_.agree("train", "parameters", state_fingerprint(model_),
                  cat("after step ", step_, " the processes have fallen out of step; stopping"));
    loss_sum += lv;
    if (on_step) on_step(s + 1, steps, loss_sum / (s + 1));
  }
  check_finite_state();
  ++epoch_;
  EpochStats st;
  st.epoch = epoch_;
  st.loss = loss_sum / steps;
  st.accuracy = static_cast<double>(correct) / (steps * opt_.batch);
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st.images_per_second = steps * opt_.batch / st.seconds;
  st.combine_seconds = combine;
  return st;
}

bool Trainer::done() const { return lbfgs_ ? fit_.finished : epoch_ >= opt_.epochs; }

void Trainer::save(const std::string& path, const std::map<std::string, std::string>& extra_meta) const {
  Checkpoint ck;
  for (const auto& [k, v] : extra_meta) ck.meta[k] = v;
  put_model(ck, model_);
  ck.meta["epoch"] = std::to_string(epoch_);
  ck.meta["step"] = std::to_string(step_);
  ck.meta["optimizer"] = optim_ ? optim_->name() : "lbfgs";
  if (optim_) {
    ck.meta["optimizer_steps"] = std::to_string(optim_->steps);
    put_tensors(ck, optim_->state(), "optim.");
  } else {
    ck.meta["lbfgs_converged"] = fit_.converged ? "1" : "0";
    ck.meta["lbfgs_reason"] = fit_.reason;
    ck.meta["lbfgs_iterations"] = std::to_string(fit_.iterations);
    ck.meta["lbfgs_evaluations"] = std::to_string(fit_.evaluations);
    ck.meta["lbfgs_grad_max"] = meta_number(fit_.grad_max);
    ck.meta["lbfgs_grad_l2"] = meta_number(fit_.grad_l2);
    ck.meta["lbfgs_loss"] = meta_number(fit_.loss);
    ck.meta["lbfgs_tol"] = meta_number(opt_.lbfgs_tol);
  }
  save_checkpoint(path, ck);
}

std::map<std::string, std::string> Trainer::resume(const std::string& path) {
  Checkpoint ck = load_checkpoint(path);
  OG_CHECK(ck.meta.count("epoch") && ck.meta.count("optimizer"), path,
           ": a model file without training state; resume needs a checkpoint");
  const std::string name = optim_ ? optim_->name() : "lbfgs";
  OG_CHECK(ck.meta.at("optimizer") == name, path, ": saved with optimizer '", ck.meta.at("optimizer"),
           "', resuming with '", name, "'");
  OG_CHECK(ck.meta_at("loss") == model_.info.loss, path, ": trained with loss '", ck.meta_at("loss"),
           "', resuming with '", model_.info.loss, "'");
  const std::string arch = canonical_architecture(stored_architecture(ck));
  OG_CHECK(arch == model_.info.architecture, path, ": holds architecture '", arch, "', not '",
           model_.info.architecture, "'");
  get_tensors(ck, model_.net->parameters(), "param.");
  get_tensors(ck, model_.net->buffers(), "buffer.");
  if (optim_) get_tensors(ck, optim_->state(), "optim.");
  model_.rng->set_state(decode_rng_state(ck.meta_at("rng")));
  epoch_ = ck.meta_int("epoch");
  step_ = ck.meta_int("step");
  if (optim_) optim_->steps = ck.meta_int("optimizer_steps");
  if (lbfgs_ && ck.meta.count("lbfgs_iterations")) {
    // The totals carry on, so lbfgs_max_iter caps the whole run; the history starts
    // afresh, and the next chunk re-tests the gradient at the saved parameters.
    resumed_iterations_ = ck.meta_int("lbfgs_iterations");
    resumed_evaluations_ = ck.meta_int("lbfgs_evaluations");
    fit_ = LbfgsFit{};
    fit_.iterations = resumed_iterations_;
    fit_.evaluations = resumed_evaluations_;
    fit_.converged = ck.meta_at("lbfgs_converged") == "1";
    fit_.reason = ck.meta_at("lbfgs_reason");
    fit_.grad_max = std::strtod(ck.meta_at("lbfgs_grad_max").c_str(), nullptr);
    fit_.grad_l2 = std::strtod(ck.meta_at("lbfgs_grad_l2").c_str(), nullptr);
    fit_.loss = std::strtod(ck.meta_at("lbfgs_loss").c_str(), nullptr);
    fit_.finished = fit_.iterations >= opt_.lbfgs_max_iter;
  }
  return std::move(ck.meta);
}

}  // namespace og
