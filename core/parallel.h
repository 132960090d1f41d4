// parallel.h — OpenMP loops over disjoint outputs, and the thread configuration.
//
// Rule: a parallel loop may only write outputs that belong to its own index, so
// results never depend on the thread count. Reductions across indices are done
// serially, or over fixed blocks whose boundaries do not depend on the thread count.
#pragma once
#include <algorithm>
#include <cstdint>

namespace og {

// Threads used by OpenMP loops. OpenBLAS itself is always held at 1 thread:
// ordgrad parallelises around sgemm calls (each thread owns its own GEMM), which
// measured faster here than OpenBLAS threads competing with OpenMP threads.
void set_num_threads(int n);
int num_threads();
bool in_parallel();
const char* blas_config();  // OpenBLAS build string, or which of our own gemms (BLAS=fixed|none)

// f(i) for i in [0, n); serial when n < grain (the threading overhead would dominate).
template <class F>
void parallel_for(int64_t n, int64_t grain, F f) {
#pragma omp parallel for schedule(static) if (n >= grain)
  for (int64_t i = 0; i < n; ++i) f(i);
}

// f(begin, end) over [0, n) cut into fixed blocks of `block` indices (the last may be
// shorter); parallel when n >= grain. Each call gets a whole range, so f can hand plain
// (restrict) pointers to a loop the compiler vectorises: a per-index lambda that
// loads through its captures often is not.
template <class F>
void parallel_blocks(int64_t n, int64_t block, int64_t grain, F f) {
  const int64_t blocks = (n + block - 1) / block;
#pragma omp parallel for schedule(static) if (n >= grain)
  for (int64_t b = 0; b < blocks; ++b) f(b * block, std::min(n, (b + 1) * block));
}

}  // namespace og
