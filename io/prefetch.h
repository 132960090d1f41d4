// prefetch.h — prepare the next training batches on background threads.
//
// A Prefetcher runs make_batch(0), make_batch(1), ..., make_batch(steps-1) on
// `workers` std::threads (0: inside next(), on the caller's thread and its OpenMP team), worker w making the steps s with s mod workers == w in
// order, so batches s+1, s+2, ... are built while the caller trains on batch s (several
// workers keep up when a batch is slow to make, e.g. decoded from image files). At
// most max(depth, workers) steps past the one being trained are made or waiting (a
// mutex and a condition variable). next() hands the batches out in step order,
// blocking until the next is ready.
//
// Same results as serial, for any number of workers. The batches are exactly what calling make_batch(s) for
// s = 0, 1, ... on the caller's thread would give, PROVIDED make_batch is a pure
// function of its step: it must not read or advance state the caller also uses
// (the model's Rng, a shared cursor). Draw all randomness up front (e.g. the
// epoch's order and per-step seeds, before the Prefetcher starts), or make it from
// a per-step seed inside make_batch: Rng rng(seed + step). The order in which
// make_batch runs relative to the caller's work is then irrelevant.
//
// Errors. An exception thrown by make_batch(s) is stored and rethrown by the next()
// that would have returned batch s (after batches 0..s-1 have been handed out); no
// batch after s is started once the failure is known. next() after all steps were taken, or after the
// failure was reported, throws og::Error.
//
// Stopping. The destructor asks the workers to stop and joins them: batches being made
// are finished (make_batch cannot be interrupted) and thrown away, nothing more is
// started, so destroying a Prefetcher early never hangs longer than one make_batch.
//
// Threads. Each worker's OpenMP loops (og::parallel_for inside make_batch) use
// `worker_threads` threads (default 1, so the caller's training keeps the cores);
// results do not depend on it. Batch making is meant to be data work (gathering
// rows, decoding, augmenting); it must not touch the model being trained. Workers
// run at nice 10 (Linux, per thread), so training keeps the cores and batches are
// made in what it leaves: with nice 0 a worker that woke preempted a training thread
// and its partner spun at the next barrier (streamed epochs ~9% slower than in memory).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "io/dataset.h"

namespace og {

class Prefetcher {
 public:
  Prefetcher(std::function<Dataset(int64_t step)> make_batch, int64_t steps, int depth = 2,
             int worker_threads = 1, int workers = 1);
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  Dataset next();                               // the batch of step(), then step() advances
  int64_t step() const { return taken_; }       // the step next() returns
  int64_t steps() const { return steps_; }
  bool done() const { return taken_ >= steps_; }

 private:
  struct Item {
    Dataset batch;
    std::exception_ptr error;   // set: make_batch threw for this step
  };
  void run(int first_step, int stride, int worker_threads);

  std::function<Dataset(int64_t)> make_batch_;
  int64_t steps_;
  int64_t depth_;
  int64_t taken_ = 0;           // batches handed out by next() (written by the caller under mu_)
  bool failed_ = false;         // next() rethrew a worker's error

  std::mutex mu_;
  std::condition_variable cv_;  // signals both "item made" and "item taken / stop"
  std::map<int64_t, Item> made_;  // finished steps not yet taken; guarded by mu_
  int64_t first_error_ = INT64_MAX;  // lowest step whose make_batch threw; guarded by mu_
  bool stop_ = false;           // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace og
