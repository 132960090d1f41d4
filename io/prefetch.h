// prefetch.h — prepare the next training batch on a background thread.
//
// A Prefetcher runs make_batch(0), make_batch(1), ..., make_batch(steps-1) on one
// std::thread, keeping at most `depth` finished batches in a queue (a mutex and a
// condition variable), so batch s+1 is built while the caller trains on batch s.
// next() hands the batches out in step order, blocking until the next is ready.
//
// Same results as serial. The batches are exactly what calling make_batch(s) for
// s = 0, 1, ... on the caller's thread would give, PROVIDED make_batch is a pure
// function of its step: it must not read or advance state the caller also uses
// (the model's Rng, a shared cursor). Draw all randomness up front (e.g. the
// epoch's order and per-step seeds, before the Prefetcher starts), or make it from
// a per-step seed inside make_batch: Rng rng(seed + step). The order in which
// make_batch runs relative to the caller's work is then irrelevant.
//
// Errors. An exception thrown by make_batch(s) is stored and rethrown by the next()
// that would have returned batch s (after batches 0..s-1 have been handed out); the
// worker makes no further batches. next() after all steps were taken, or after the
// failure was reported, throws og::Error.
//
// Stopping. The destructor asks the worker to stop and joins it: a batch being made
// is finished (make_batch cannot be interrupted) and thrown away, nothing more is
// started, so destroying a Prefetcher early never hangs longer than one make_batch.
//
// Threads. The worker's OpenMP loops (og::parallel_for inside make_batch) use
// `worker_threads` threads (default 1, so the caller's training keeps the cores);
// results do not depend on it. Batch making is meant to be data work (gathering
// rows, decoding, augmenting); it must not touch the model being trained.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "io/dataset.h"

namespace og {

class Prefetcher {
 public:
  Prefetcher(std::function<Dataset(int64_t step)> make_batch, int64_t steps, int depth = 2,
             int worker_threads = 1);
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
  void run(int worker_threads);

  std::function<Dataset(int64_t)> make_batch_;
  int64_t steps_;
  size_t depth_;
  int64_t taken_ = 0;           // batches handed out by next() (caller's thread only)
  bool failed_ = false;         // next() rethrew the worker's error

  std::mutex mu_;
  std::condition_variable cv_;  // signals both "item pushed" and "item taken / stop"
  std::deque<Item> queue_;      // guarded by mu_
  bool stop_ = false;           // guarded by mu_
  std::thread worker_;
};

}  // namespace og
