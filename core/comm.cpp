// comm.cpp — one process's collectives and the agreement check (see comm.h).
#include "core/comm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace og {

void Comm::gather(const void* mine, size_t bytes, void* all) {
  if (bytes) std::memcpy(all, mine, bytes);
}

void Comm::agree(const std::string& who, const std::string& what, uint64_t value, const std::string& why) {
  std::vector<uint64_t> all(static_cast<size_t>(size()));
  gather(&value, sizeof value, all.data());
  for (size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      throw EveryRankError(cat(who, ": rank ", r, " has other ", what, " than rank 0: ", why));
}

uint64_t fingerprint(const void* data, size_t bytes, uint64_t h) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

namespace {
int from_env(std::initializer_list<const char*> names, int none) {
  for (const char* name : names)
    if (const char* v = std::getenv(name)) return std::max(0, std::atoi(v));
  return none;
}
}  // namespace

int launched_processes() { return from_env({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 0); }
int launched_rank() { return from_env({"OMPI_COMM_WORLD_RANK", "PMI_RANK"}, 0); }

Comm& solo() {
  static Comm one;
  return one;
}

#ifndef OG_MPI
Comm& world() { return solo(); }
bool mpi_build() { return false; }
void start_processes(int*, char***) {}
void end_processes() {}
void abort_processes(int code) { std::exit(code); }
#endif

}  // namespace og
