// prefetch.cpp — the background batch worker and its bounded queue.
#include "io/prefetch.h"

#include <omp.h>

#include <utility>

#include "core/check.h"

namespace og {

Prefetcher::Prefetcher(std::function<Dataset(int64_t)> make_batch, int64_t steps, int depth,
                       int worker_threads)
    : make_batch_(std::move(make_batch)), steps_(steps), depth_(size_t(depth > 0 ? depth : 0)) {
  OG_CHECK(make_batch_, "Prefetcher: make_batch is empty");
  OG_CHECK(steps >= 0, "Prefetcher: steps ", steps, " must be >= 0");
  OG_CHECK(depth >= 1, "Prefetcher: queue depth ", depth, " must be >= 1");
  OG_CHECK(worker_threads >= 1, "Prefetcher: worker_threads ", worker_threads, " must be >= 1");
  worker_ = std::thread([this, worker_threads] { run(worker_threads); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Prefetcher::run(int worker_threads) {
  // OpenMP's thread count is per thread: set the worker's own. Not og::set_num_threads,
  // which also writes OpenBLAS's global setting while the caller may be inside a GEMM.
  omp_set_num_threads(worker_threads);
  for (int64_t s = 0; s < steps_; ++s) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || queue_.size() < depth_; });
      if (stop_) return;
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
      queue_.push_back(std::move(item));
    }
    cv_.notify_all();
    if (failed) return;   // later steps are never made: next() reports this one
  }
}

Dataset Prefetcher::next() {
  OG_CHECK(!failed_, "Prefetcher: next() after make_batch failed at step ", taken_);
  OG_CHECK(taken_ < steps_, "Prefetcher: next() after all ", steps_, " batches were taken");
  Item item;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !queue_.empty(); });
    item = std::move(queue_.front());
    queue_.pop_front();
  }
  cv_.notify_all();   // room in the queue: the worker may start the next batch
  if (item.error) {
    failed_ = true;
    std::rethrow_exception(item.error);
  }
  ++taken_;
  return std::move(item.batch);
}

}  // namespace og
