// fit.cpp — the epoch loop with a run directory and early stopping (see fit.h).
#include "model/fit.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/metrics.h"
#include "core/serialize.h"

namespace og {

namespace {
// The run directory's files; all writes go through write_text_atomic / save_checkpoint.
class RunFiles {
 public:
  // Only the writer (rank 0 of several processes) touches the run directory.
  RunFiles(const FitOptions& o, bool writer) : o_(o), on_(writer && !o.out.empty()) {
    if (!on_) return;
    make_dirs(o.out);
    std::ifstream old(path("log.csv"));
    if (o.resumed && old) log_ << old.rdbuf();  // keep the earlier epochs' rows
    else
      log_ << "epoch,train_loss,train_accuracy," << o.heldout << "_loss," << o.heldout << "_accuracy,"
           << o.heldout << "_mae,seconds,images_per_second\n";
  }
  bool on() const { return on_; }
  std::string path(const char* name) const { return o_.out + "/" + name; }

  // best.ogm of a resumed run: its monitored value and epoch, if it has them.
  bool read_best(double& value, int64_t& epoch) const {
    if (!on() || !o_.resumed || !std::ifstream(path("best.ogm"))) return false;
    const Checkpoint ck = load_checkpoint(path("best.ogm"));
    const auto v = ck.meta.find("heldout_" + o_.monitor);
    if (v == ck.meta.end()) return false;
    value = std::strtod(v->second.c_str(), nullptr);
    epoch = ck.meta_int("epoch");
    return true;
  }

  void log(const EpochReport& r) {
    const EpochStats& st = r.train;
    log_ << st.epoch << ',' << st.loss << ',' << st.accuracy << ',' << r.heldout_loss << ','
         << r.heldout_accuracy << ',' << r.heldout_mae << ',' << st.seconds << ',' << st.images_per_second
         << '\n';
    write_text_atomic(path("log.csv"), log_.str());
  }

 private:
  const FitOptions& o_;
  bool on_;
  std::ostringstream log_;
};
}  // namespace

FitResult fit(Trainer& trainer, const Dataset& train, const Dataset* heldout, const FitOptions& o,
              const FitCallbacks& cb) {
  OG_CHECK(o.monitor == "mae" || o.monitor == "loss", "fit: unknown monitor '", o.monitor,
           "' (known: mae, loss)");
  OG_CHECK(o.patience >= 0, "fit: patience must be >= 0, got ", o.patience);
  OG_CHECK(o.patience == 0 || heldout, "fit: early stopping (patience ", o.patience, ") needs a held-out set");
  // With several processes rank 0 reads, evaluates and writes; the others learn its
  // figures by broadcast, so every rank takes the same decisions (best, early stop).
  Comm& comm = trainer.comm();
  RunFiles files(o, comm.rank() == 0);
  FitResult res;
  res.best_value = 1e300;
  files.read_best(res.best_value, res.best_epoch);
  comm.broadcast(&res.best_value, sizeof res.best_value);
  comm.broadcast(&res.best_epoch, sizeof res.best_epoch);
  bool wrote_checkpoint = false;
  while (!trainer.done()) {
    EpochReport r;
    try {
      r.train = trainer.train_epoch(train, cb.on_step);
    } catch (const Error& e) {  // e.g. the non-finite guard: say what is left on disk
      std::string kept;
      if (wrote_checkpoint) kept = cat("; ", files.path("checkpoint.ogm"), " holds epoch ", trainer.epoch());
      else if (!o.resumed_from.empty())
        kept = cat("; ", o.resumed_from, " (epoch ", trainer.epoch(), ") is untouched");
      else if (files.on()) kept = "; no checkpoint was written by this run";
      if (dynamic_cast<const EveryRankError*>(&e)) throw EveryRankError(e.what() + kept);
      throw Error(e.what() + kept);
    }
    if (heldout) {
      double v[3] = {0, 0, 0};
      if (comm.rank() == 0) {
        const Evaluation ev = evaluate(trainer.model(), *heldout);
        v[0] = ev.loss, v[1] = ev.accuracy, v[2] = og::mae(heldout->y, ev.predicted);
      }
      comm.broadcast(v, sizeof v);
      r.has_heldout = true;
      r.heldout_loss = v[0];
      r.heldout_accuracy = v[1];
      r.heldout_mae = v[2];
      const double value = o.monitor == "mae" ? r.heldout_mae : r.heldout_loss;
      r.best = value < res.best_value;
      if (r.best) res.best_value = value, res.best_epoch = r.train.epoch;
    }
    if (files.on()) {
      trainer.save(files.path("checkpoint.ogm"), o.meta);
      wrote_checkpoint = true;
      if (r.best) {
        std::map<std::string, std::string> meta = o.meta;
        meta["monitor"] = o.monitor;
        meta["heldout_mae"] = cat(r.heldout_mae);
        meta["heldout_loss"] = cat(r.heldout_loss);
        trainer.save(files.path("best.ogm"), meta);
      }
      files.log(r);
    }
    res.history.push_back(r);
    if (cb.on_epoch) cb.on_epoch(r);
    if (o.patience > 0 && res.best_epoch > 0 && trainer.epoch() - res.best_epoch >= o.patience &&
        !trainer.done()) {
      res.stopped_early = true;
      break;
    }
  }
  if (files.on()) trainer.save(files.path("model.ogm"), o.meta);
  if (res.best_epoch == 0) res.best_value = 0;
  return res;
}

}  // namespace og
