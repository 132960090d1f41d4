// comm.h — the processes that train one model together, behind one small interface.
//
// A data-parallel run (model/shards.h) needs four collective operations: an elementwise
// max of ints (the grid exponent of each gradient), an exact sum of int64 (the gradients
// on that grid, core/fixed_sum.h), a gather of equal-size blocks in rank order (shard
// losses, batch-norm statistics, hashes) and a broadcast from rank 0 (what rank 0 alone
// read or computed). solo() is one process: every collective is the identity. The MPI
// build (make MPI=1) adds core/comm_mpi.cpp, whose world() is MPI_COMM_WORLD; otherwise
// world() is solo(). Every rank must call the collectives in the same order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/check.h"

namespace og {

// An error every rank raises at the same point with the same message (a failed
// agreement check): the tool prints it once, from rank 0, and every rank exits cleanly.
struct EveryRankError : Error {
  using Error::Error;
};

class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  virtual void max(int* v, int64_t n) { (void)v, (void)n; }             // in place, over ranks
  virtual void sum(int64_t* v, int64_t n) { (void)v, (void)n; }         // in place, exact
  // all[r * bytes ...] = rank r's `mine`, for every rank r (all holds size() blocks).
  virtual void gather(const void* mine, size_t bytes, void* all);
  virtual void broadcast(void* data, size_t bytes) { (void)data, (void)bytes; }  // from rank 0

  // Every rank passes its value of one fact (what: "flags", "data", ...); if any
  // differs from rank 0's, every rank throws the same EveryRankError naming the first
  // such rank: "<who>: rank 2 has other <what> than rank 0: <why>".
  void agree(const std::string& who, const std::string& what, uint64_t value, const std::string& why);
};

Comm& solo();   // this process alone
Comm& world();  // every process of the run: MPI_COMM_WORLD in the MPI build, else solo()

// True in the MPI build.
bool mpi_build();
// The process count and this process's rank as a launcher (mpirun) announced them in
// the environment; 0 processes (and rank 0) when not launched.
int launched_processes();
int launched_rank();
// The process's start and end in the MPI build (MPI_Init_thread, MPI_Finalize); no-ops
// otherwise. abort_processes: MPI_Abort, which stops every rank of the run.
void start_processes(int* argc, char*** argv);
void end_processes();
[[noreturn]] void abort_processes(int code);

// FNV-1a, 64 bits: fingerprints for agreement checks (flags, data, parameters).
uint64_t fingerprint(const void* data, size_t bytes, uint64_t h = 0xcbf29ce484222325ull);

}  // namespace og
