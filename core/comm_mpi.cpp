// comm_mpi.cpp — world() over MPI_COMM_WORLD (built only with make MPI=1; see comm.h).
// Only the main thread calls MPI (MPI_THREAD_FUNNELED): OpenMP and batch workers never do.
#ifdef OG_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: no libmpi_cxx
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "core/comm.h"

namespace og {

namespace {
class MpiComm : public Comm {
 public:
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void max(int* v, int64_t n) override {
    for (int64_t i = 0; i < n; i += INT_MAX)
      MPI_Allreduce(MPI_IN_PLACE, v + i, int(std::min<int64_t>(INT_MAX, n - i)), MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  }
  void sum(int64_t* v, int64_t n) override {
    for (int64_t i = 0; i < n; i += INT_MAX)
      MPI_Allreduce(MPI_IN_PLACE, v + i, int(std::min<int64_t>(INT_MAX, n - i)), MPI_INT64_T, MPI_SUM,
                    MPI_COMM_WORLD);
  }
  void gather(const void* mine, size_t bytes, void* all) override {
    OG_CHECK(bytes <= INT_MAX, "gather: ", bytes, " bytes per rank is too many");
    MPI_Allgather(mine, int(bytes), MPI_BYTE, all, int(bytes), MPI_BYTE, MPI_COMM_WORLD);
  }
  void broadcast(void* data, size_t bytes) override {
    OG_CHECK(bytes <= INT_MAX, "broadcast: ", bytes, " bytes is too many");
    MPI_Bcast(data, int(bytes), MPI_BYTE, 0, MPI_COMM_WORLD);
  }
  void start() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }

 private:
  int rank_ = 0, size_ = 1;
};

MpiComm& mpi() {
  static MpiComm c;
  return c;
}
bool started = false;
}  // namespace

Comm& world() { return started ? static_cast<Comm&>(mpi()) : solo(); }
bool mpi_build() { return true; }

void start_processes(int* argc, char*** argv) {
  if (launched_processes() == 0) return;  // run by hand: one process, no MPI at all
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  mpi().start();
  started = true;
}

void end_processes() {
  if (started) MPI_Finalize();
  started = false;
}

void abort_processes(int code) {
  if (started) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace og
#endif
