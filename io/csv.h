// csv.h — numeric CSV tables: integer response first, numeric features after it.
//
// File format (what read_table accepts):
//   * Comma-separated fields; a field may be quoted ("7.4", "a, b", "say ""hi"""),
//     quotes may span line breaks. Spaces and tabs around a field are ignored.
//   * Line endings LF, CRLF or CR; the last line may lack one; blank lines at the end
//     are ignored (a blank line anywhere else is an error). A UTF-8 BOM is skipped.
//   * Header: if any field of the first row is not a number, that row is a header and
//     its names are kept; otherwise every row is data and the features are named
//     V1..VF (R's convention, as in the shared tables).
//   * Column 1 is the response: an integer (a number with no fraction, "3" or "3.0").
//     Every other column is a feature: a finite number (strtod-style text, read
//     locale-independently, stored as float32).
//   * TableOptions::weight_column names a header column holding per-row frequency
//     weights (finite, >= 0, not all 0; fractional allowed). It is removed from the
//     features; Σ_i w_i L_i / Σ_i w_i then equals the mean over a table in which row i
//     appears w_i times. A weight column needs a header.
// Every failure throws og::Error with one line naming the file and, where there is
// one, the line (of the file, 1-based, where the record starts) and the column
// (1-based, with its header name):
//   "read_table: 't.csv' line 7, column 3 ('V2'): feature 'abc' is not a number"
//
// Labels. LabelMap::fit finds min and max of the raw labels; classes are
// y = label - min_label in 0..K-1 with K = max - min + 1 (a label value absent from
// the table inside that range is an empty class; K is at most 65536). A model trained
// on a table must store min_label (and K) with its weights and report predictions as
// to_label(class), so users see the file's labels (1..K in the shared data), not 0..K-1.
// Map a test table with the TRAINING LabelMap: labels outside its range are an error.
//
// Standardisation. Standardizer::fit gives per-column mean and standard deviation
//   mean_j = Σ_i w_i x_ij / Σ_i w_i,   std_j = sqrt(Σ_i w_i (x_ij - mean_j)² / Σ_i w_i)
// (w_i = 1 without weights; population sd, as for frequency-weighted rows), in double
// with sums in row order, so the result is independent of the thread count. A column
// constant over the rows of positive weight gets mean = that value and std = 1.
// apply() computes x_ij <- (x_ij - mean_j) / std_j in place, parallel over rows
// (each thread writes only its own rows). Fit on the training rows, apply to all.
//
// Splits. split_rows shuffles 0..n-1 with og::Rng(seed) (Fisher-Yates), takes the first
// round(test_fraction * n) indices as the test part and returns both parts sorted
// ascending. For 0 < test_fraction < 1 and n >= 2 each part gets at least one row.
// The same (n, fraction, seed) gives the same split on every machine.
//
// Reading is serial (one pass over the file in memory).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace og {

struct TableOptions {
  std::string weight_column;   // header name of a frequency-weight column; "" = none
};

struct Table {
  std::vector<std::string> feature_names;   // F names (header order, minus label and weight)
  Tensor x;                                 // [N,F] features, float32
  std::vector<int> raw_labels;              // N labels as written in the file
  std::vector<float> weights;               // N frequency weights; empty when no weight column
};

Table read_table(const std::string& path, const TableOptions& options = {});

// The rows `rows` of t, in that order (indices checked), e.g. the parts of split_rows.
Table take_rows(const Table& t, const std::vector<int64_t>& rows);

struct LabelMap {
  int min_label = 0;
  int K = 0;
  static LabelMap fit(const std::vector<int>& raw_labels);   // K = max - min + 1
  std::vector<int> to_classes(const std::vector<int>& raw_labels) const;   // label - min_label
  int to_label(int cls) const;                                             // cls + min_label
};

struct Standardizer {
  std::vector<float> mean, std;
  static Standardizer fit(const Tensor& x, const std::vector<float>& weights = {});
  void apply(Tensor& x) const;
};

void split_rows(int64_t n, double test_fraction, uint64_t seed, std::vector<int64_t>& train,
                std::vector<int64_t>& test);

}  // namespace og
