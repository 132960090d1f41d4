// prefetch.cpp — the background batch workers and their bounded hand-out (see prefetch.h).
#include "io/prefetch.h"

#include <omp.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "core/check.h"

namespace og {

Prefetcher::Prefetcher(std::function<Dataset(int64_t)> make_batch, int64_t steps, int depth,
                       int worker_threads, int workers)
    : make_batch_(std::move(make_batch)), steps_(steps) {
  OG_CHECK(make_batch_, "Prefetcher: make_batch is empty");
  OG_CHECK(steps >= 0, "Prefetcher: steps ", steps, " must be >= 0");
  OG_CHECK(depth >= 1, "Prefetcher: queue depth ", depth, " must be >= 1");
  OG_CHECK(worker_threads >= 1, "Prefetcher: worker_threads ", worker_threads, " must be >= 1");
  OG_CHECK(workers >= 0, "Prefetcher: workers ", workers, " must be >= 0");
  // Every worker may hold one step in the making, so the window is at least `workers`.
  depth_ = std::max(depth, workers);
  for (int w = 0; w < workers; ++w)
    workers_.emplace_back([this, w, workers, worker_threads] { run(w, workers, worker_threads); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void Prefetcher::run(int first_step, int stride, int worker_threads) {
  // OpenMP's thread count is per thread: set the worker's own. Not og::set_num_threads,
  // which also writes OpenBLAS's global setting while the caller may be inside a GEMM.
  omp_set_num_threads(worker_threads);
  // Below the training threads: a batch maker that wakes must not preempt one of them
  // mid-step (its partner would spin at the next barrier). Linux applies this per thread.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (int64_t s = first_step; s < steps_; s += stride) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || first_error_ < s || s < taken_ + depth_; });
      if (stop_ || first_error_ < s) return;   // a failed earlier step ends the run
    }
    Item item;
    try {
      item.batch = make_batch_(s);
    } catch (...) {
      item.error = std::current_exception();
    }
    const bool failed = item.error != nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      if (failed) first_error_ = std::min(first_error_, s);
      made_.emplace(s, std::move(item));
    }
    cv_.notify_all();
    if (failed) return;   // later steps are never made: next() reports this one
  }
}

Dataset Prefetcher::next() {
  OG_CHECK(!failed_, "Prefetcher: next() after make_batch failed at step ", taken_);
  OG_CHECK(taken_ < steps_, "Prefetcher: next() after all ", steps_, " batches were taken");
  if (workers_.empty()) {  // no workers: made here, with the caller's threads
    try {
      Dataset b = make_batch_(taken_);
      ++taken_;
      return b;
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  Item item;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return made_.count(taken_) > 0; });
    auto it = made_.find(taken_);
    item = std::move(it->second);
    made_.erase(it);
    if (!item.error) ++taken_;
  }
  cv_.notify_all();   // the window moved: workers may start further steps
  if (item.error) {
    failed_ = true;
    std::rethrow_exception(item.error);
  }
  return std::move(item.batch);
}

}  // namespace og
