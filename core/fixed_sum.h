// fixed_sum.h — sums of float arrays whose result does not depend on the order, the
// grouping or the number of processes that add the terms.
//
// Float addition is not associative: a gradient summed over shards as ((a+b)+c)+d on
// one process and (a+b)+(c+d) over two differs in the last bits. Here every term is
// rounded once to a grid of fixed-point integers, 2^q apart, and the integers are summed
// exactly (int64, associative), so the total is a function of the set of terms alone:
// any order, any split of the terms among threads or MPI ranks (MPI_SUM on the raw
// integers), the same bits.
//
// The grid is chosen from the terms: with E the smallest power of two above every
// |element| of every term (exponent(); all processes take the maximum), q = E - 62 +
// ceil(log2(terms)), so up to `terms` terms cannot overflow 63 bits. Each element keeps
// 62 - ceil(log2(terms)) bits below the largest magnitude: 52 for 1,024 terms, twice
// float's 24 — the rounding is far below float's own.
//
// A non-finite element has no grid point: exponent() reports it (kNonFinite), and the
// caller stops (a NaN gradient is a training error, not something to sum).
#pragma once
#include <climits>
#include <cstdint>
#include <vector>

namespace og {

class FixedSum {
 public:
  static constexpr int kAllZero = INT_MIN;      // exponent() of an array of zeros
  static constexpr int kNonFinite = INT_MAX;    // exponent() when an element is NaN or inf

  // The smallest e with |x[i]| < 2^e for all i (kAllZero, kNonFinite as above).
  static int exponent(const float* x, int64_t n);

  // n elements, at most `terms` terms, every |element| < 2^exponent (the maximum of
  // exponent() over all terms, on all processes; kAllZero is fine).
  FixedSum(int64_t n, int terms, int exponent);

  void add(const float* x);                            // one term, rounded to the grid
  std::vector<int64_t>& raw() { return sum_; }         // e.g. for MPI_Allreduce(MPI_SUM)
  const std::vector<int64_t>& raw() const { return sum_; }
  void result(float* out) const;                       // the total, rounded to float

  // The same on integers the caller owns (many arrays in one buffer, one MPI call):
  // grid() is the q of the constructor; add() rounds one term into sum[0..n) (og::Error
  // for an element past the grid); result() writes the total as floats.
  static int grid(int terms, int exponent);
  static void add(const float* x, int64_t n, int q, int64_t* sum);
  static void result(const int64_t* sum, int64_t n, int q, float* out);

 private:
  int64_t n_;
  int terms_, added_ = 0;
  int shift_;                 // q: an integer k stands for k * 2^q
  std::vector<int64_t> sum_;
};

}  // namespace og
