// rng.h — the one explicit, seeded random generator of ordgrad.
//
// xoshiro256** (Blackman & Vigna) seeded through splitmix64. Uniform floats take
// the top 24 bits; normals use our own Box-Muller; shuffle is our own
// Fisher-Yates with unbiased bounded integers. Nothing here comes from <random>'s
// distributions, whose output differs between standard libraries, so a seed gives
// the same numbers everywhere.
#pragma once
#include <array>
#include <cstddef>
#include <utility>
#include <cstdint>
#include <vector>

namespace og {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next_u64();
  float uniform();                      // [0, 1)
  float uniform(float lo, float hi);    // [lo, hi)
  float normal();                       // mean 0, sd 1
  float normal(float mean, float sd) { return mean + sd * normal(); }
  uint64_t below(uint64_t n);           // uniform integer in [0, n), unbiased
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
  // Full state, for checkpoints: restoring it continues the same stream.
  std::array<uint64_t, 5> state() const;
  void set_state(const std::array<uint64_t, 5>& st);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;   // Box-Muller makes normals in pairs
  float spare_ = 0;
};

}  // namespace og
