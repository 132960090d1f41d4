// csv.cpp — the CSV record reader, table assembly, labels, standardisation, splits.
#include "io/csv.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include "core/check.h"
#include "core/parallel.h"
#include "core/rng.h"

namespace og {

namespace {

// A wider label range is not an ordinal response (and would size K-wide outputs).
constexpr int64_t kMaxClasses = 65536;

struct Field {
  std::string text;
  bool quoted = false;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

enum class Num { ok, not_a_number, out_of_range };

// The whole (trimmed) text must be one number; no locale, so "1.5" means 1.5 everywhere.
Num parse_number(std::string_view s, double& v) {
  s = trim(s);
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  if (s.empty()) return Num::not_a_number;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (end != s.data() + s.size()) return Num::not_a_number;
  if (ec == std::errc::result_out_of_range) {
    // Too small for a double is 0 (a value, not an error); too large is out of range.
    long double wide = 0;
    std::from_chars(s.data(), s.data() + s.size(), wide);
    if (std::fabs(wide) >= 1) return Num::out_of_range;
    v = std::signbit(wide) ? -0.0 : 0.0;
    return Num::ok;
  }
  return ec == std::errc() ? Num::ok : Num::not_a_number;
}

// Splits the file text into records of fields (RFC 4180 quoting), tracking line numbers.
class RecordReader {
 public:
  RecordReader(const std::string& path, const std::string& text) : path_(path), text_(text) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;   // UTF-8 byte order mark
  }

  // Next record into `fields`; false at the end of the text. `line` = its first line.
  bool next(std::vector<Field>& fields, int64_t& line) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    line = line_;
    for (;;) {
      fields.emplace_back();
      Field& f = fields.back();
      while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        read_quoted(f, fields.size());
        while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
        if (pos_ < text_.size() && !is_separator(text_[pos_]))
          throw Error(cat("read_table: '", path_, "' line ", line_, ", column ", fields.size(),
                          ": unexpected text after a closing quote"));
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && !is_separator(text_[pos_])) ++pos_;
        f.text.assign(text_, start, pos_ - start);
      }
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_++];
      if (c == ',') continue;
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return true;
    }
  }

 private:
  static bool is_separator(char c) { return c == ',' || c == '\n' || c == '\r'; }

  void read_quoted(Field& f, size_t column) {
    const int64_t open_line = line_;
    f.quoted = true;
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size())
        throw Error(cat("read_table: '", path_, "' line ", open_line, ", column ", column,
                        ": unterminated quote (no closing \" before the end of the file)"));
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          f.text += '"';
          ++pos_;
          continue;
        }
        return;
      }
      if (c == '\n' || (c == '\r' && (pos_ >= text_.size() || text_[pos_] != '\n'))) ++line_;
      f.text += c;
    }
  }

  const std::string& path_;
  const std::string& text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

bool is_blank_record(const std::vector<Field>& r) {
  return r.size() == 1 && !r[0].quoted && trim(r[0].text).empty();
}

std::string read_file(const std::string& path) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw Error(cat("read_table: cannot open '", path, "': ", errno ? std::strerror(errno) : "error"));
  std::string text;
  char buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, got);
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) throw Error(cat("read_table: cannot read '", path, "': ", std::strerror(err)));
  return text;
}

}  // namespace

Table read_table(const std::string& path, const TableOptions& options) {
  const std::string text = read_file(path);
  RecordReader reader(path, text);
  std::vector<Field> rec;
  int64_t line = 0;
  bool found = reader.next(rec, line);
  const int64_t first_line = line;
  while (found && is_blank_record(rec)) found = reader.next(rec, line);
  if (!found) throw Error(cat("read_table: '", path, "' is empty (no header and no rows)"));
  OG_CHECK(line == first_line, "read_table: '", path, "' line ", first_line,
           ": blank line before the first row (line ", line, ")");

  const size_t ncols = rec.size();
  std::vector<std::string> names;
  bool header = false;
  for (const Field& f : rec) {
    double v;
    if (parse_number(f.text, v) != Num::ok) header = true;
  }
  for (size_t c = 0; c < ncols; ++c)
    names.push_back(header ? std::string(trim(rec[c].text)) : c == 0 ? "response" : cat("V", c));
  const int64_t header_line = header ? line : 0;

  // Column c (0-based) for messages: "column 3 ('V2')".
  auto column = [&](size_t c) {
    return header ? cat("column ", c + 1, " ('", names[c], "')") : cat("column ", c + 1);
  };

  size_t weight_col = ncols;   // none
  if (!options.weight_column.empty()) {
    std::string all;
    for (size_t c = 0; c < ncols; ++c) all += (c ? ", " : "") + names[c];
    OG_CHECK(header, "read_table: '", path, "' has no header row, so it has no weight column '",
             options.weight_column, "'");
    for (size_t c = 0; c < ncols; ++c) {
      if (names[c] != options.weight_column) continue;
      OG_CHECK(weight_col == ncols, "read_table: '", path, "' line ", header_line,
               ": weight column '", options.weight_column, "' appears twice (columns: ", all, ")");
      weight_col = c;
    }
    OG_CHECK(weight_col != ncols, "read_table: '", path, "' line ", header_line,
             ": no weight column '", options.weight_column, "' (columns: ", all, ")");
    OG_CHECK(weight_col != 0, "read_table: '", path, "' line ", header_line, ": weight column '",
             options.weight_column, "' is column 1, the response");
  }

  Table t;
  for (size_t c = 1; c < ncols; ++c)
    if (c != weight_col) t.feature_names.push_back(names[c]);
  const int64_t F = static_cast<int64_t>(t.feature_names.size());
  OG_CHECK(F > 0, "read_table: '", path, "' line ", line, ": ", ncols,
           ncols == 1 ? " column" : " columns", ", so no feature column after the response",
           weight_col != ncols ? " and the weight column" : "");

  std::vector<float> values;
  double weight_sum = 0;
  int64_t blank_line = 0;   // a blank line is fine only if no record follows it
  bool have_row = !header;
  while (have_row || reader.next(rec, line)) {
    have_row = false;
    if (is_blank_record(rec)) {
      if (!blank_line) blank_line = line;
      continue;
    }
    OG_CHECK(!blank_line, "read_table: '", path, "' line ", blank_line,
             ": blank line inside the table (line ", line, " has data)");
    OG_CHECK(rec.size() == ncols, "read_table: '", path, "' line ", line, ": ", rec.size(),
             " fields, expected ", ncols, rec.size() < ncols ? ", missing from " : ", extra from ",
             rec.size() < ncols ? column(rec.size()) : cat("column ", ncols + 1));
    for (size_t c = 0; c < ncols; ++c) {
      const std::string_view s = trim(rec[c].text);
      double v = 0;
      const Num n = parse_number(s, v);
      auto fail = [&](const char* what, const char* why) {
        throw Error(cat("read_table: '", path, "' line ", line, ", ", column(c), ": ", what, " '",
                        s, "' ", why));
      };
      if (c == 0) {
        if (n == Num::not_a_number || !std::isfinite(v) || v != std::floor(v))
          fail("label", "is not an integer");
        if (n == Num::out_of_range || std::fabs(v) > std::numeric_limits<int>::max())
          fail("label", "is out of the int range");
        t.raw_labels.push_back(static_cast<int>(v));
      } else if (c == weight_col) {
        if (n == Num::not_a_number) fail("weight", "is not a number");
        if (n == Num::out_of_range || !std::isfinite(v) || v < 0 ||
            !std::isfinite(static_cast<float>(v)))
          fail("weight", "must be finite and >= 0");
        t.weights.push_back(static_cast<float>(v));
        weight_sum += static_cast<float>(v);
      } else {
        if (n == Num::not_a_number) fail("feature", "is not a number");
        if (n == Num::out_of_range || !std::isfinite(static_cast<float>(v)))
          fail("feature", "is not finite (in float32)");
        values.push_back(static_cast<float>(v));
      }
    }
  }
  const int64_t N = static_cast<int64_t>(t.raw_labels.size());
  OG_CHECK(N > 0, "read_table: '", path, "' line ", header_line, ": a header but no data rows");
  OG_CHECK(weight_col == ncols || weight_sum > 0, "read_table: '", path, "' ", column(weight_col),
           ": every weight is 0");
  t.x = Tensor::from({N, F}, values);
  return t;
}

Table take_rows(const Table& t, const std::vector<int64_t>& rows) {
  const int64_t N = static_cast<int64_t>(t.raw_labels.size());
  const int64_t F = t.x.shape().last();
  Table out;
  out.feature_names = t.feature_names;
  out.x = Tensor::empty({static_cast<int64_t>(rows.size()), F});
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t r = rows[i];
    OG_CHECK(r >= 0 && r < N, "take_rows: row ", r, " of a table with ", N, " rows");
    std::memcpy(out.x.data() + i * F, t.x.data() + r * F, sizeof(float) * F);
    out.raw_labels.push_back(t.raw_labels[r]);
    if (!t.weights.empty()) out.weights.push_back(t.weights[r]);
  }
  return out;
}

LabelMap LabelMap::fit(const std::vector<int>& raw_labels) {
  OG_CHECK(!raw_labels.empty(), "LabelMap::fit: no labels");
  const auto [lo, hi] = std::minmax_element(raw_labels.begin(), raw_labels.end());
  const int64_t K = int64_t(*hi) - int64_t(*lo) + 1;
  OG_CHECK(K <= kMaxClasses, "LabelMap::fit: labels ", *lo, "..", *hi, " span ", K,
           " classes (at most ", kMaxClasses, ")");
  return LabelMap{*lo, static_cast<int>(K)};
}

std::vector<int> LabelMap::to_classes(const std::vector<int>& raw_labels) const {
  std::vector<int> y(raw_labels.size());
  for (size_t i = 0; i < raw_labels.size(); ++i) {
    const int64_t cls = int64_t(raw_labels[i]) - min_label;
    OG_CHECK(cls >= 0 && cls < K, "LabelMap: label ", raw_labels[i], " (row ", i,
             ") is outside the training labels ", min_label, "..", int64_t(min_label) + K - 1);
    y[i] = static_cast<int>(cls);
  }
  return y;
}

int LabelMap::to_label(int cls) const {
  OG_CHECK(cls >= 0 && cls < K, "LabelMap: class ", cls, " is outside 0..", K - 1);
  return cls + min_label;
}

Standardizer Standardizer::fit(const Tensor& x, const std::vector<float>& weights) {
  OG_CHECK(x.defined() && x.shape().nd == 2 && x.shape()[0] > 0, "Standardizer::fit: x ",
           x.shape(), " is not a non-empty [N,F] table");
  const int64_t N = x.shape()[0], F = x.shape()[1];
  const bool weighted = !weights.empty();
  OG_CHECK(!weighted || static_cast<int64_t>(weights.size()) == N, "Standardizer::fit: ",
           weights.size(), " weights for x ", x.shape());
  double wsum = 0;
  for (int64_t i = 0; i < N; ++i) {
    const float w = weighted ? weights[i] : 1.0f;
    OG_CHECK(std::isfinite(w) && w >= 0, "Standardizer::fit: weight ", w, " of row ", i,
             " must be finite and >= 0");
    wsum += w;
  }
  OG_CHECK(wsum > 0, "Standardizer::fit: every weight is 0 (x ", x.shape(), ")");
  const float* px = x.data();
  Standardizer s;
  for (int64_t j = 0; j < F; ++j) {
    // A column constant over the weighted rows: exact mean, unit scale (x - mean = 0).
    bool constant = true;
    float first = 0;
    bool seen = false;
    double sum = 0;
    for (int64_t i = 0; i < N; ++i) {
      const double w = weighted ? weights[i] : 1.0;
      if (w == 0) continue;
      const float v = px[i * F + j];
      if (seen && v != first) constant = false;
      if (!seen) first = v, seen = true;
      sum += w * v;
    }
    if (constant) {
      s.mean.push_back(first);
      s.std.push_back(1.0f);
      continue;
    }
    const double mean = sum / wsum;
    double ss = 0;   // second pass: no cancellation of E[x²] - E[x]²
    for (int64_t i = 0; i < N; ++i) {
      const double w = weighted ? weights[i] : 1.0;
      const double d = px[i * F + j] - mean;
      ss += w * d * d;
    }
    const float sd = static_cast<float>(std::sqrt(ss / wsum));
    s.mean.push_back(static_cast<float>(mean));
    s.std.push_back(sd > 0 ? sd : 1.0f);
  }
  return s;
}

void Standardizer::apply(Tensor& x) const {
  const int64_t F = static_cast<int64_t>(mean.size());
  OG_CHECK(x.defined() && x.shape().nd == 2 && x.shape()[1] == F && std.size() == mean.size(),
           "Standardizer::apply: x ", x.shape(), " does not have the ", F, " fitted columns");
  float* px = x.data();
  const float* m = mean.data();
  const float* s = std.data();
  parallel_for(x.shape()[0], 1024, [&](int64_t i) {
    float* row = px + i * F;
    for (int64_t j = 0; j < F; ++j) row[j] = (row[j] - m[j]) / s[j];
  });
}

void split_rows(int64_t n, double test_fraction, uint64_t seed, std::vector<int64_t>& train,
                std::vector<int64_t>& test) {
  OG_CHECK(n >= 0, "split_rows: n = ", n, " rows");
  OG_CHECK(test_fraction >= 0 && test_fraction <= 1, "split_rows: test fraction ", test_fraction,
           " is not in [0, 1]");
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed);
  rng.shuffle(order);
  int64_t n_test = std::llround(test_fraction * static_cast<double>(n));
  if (test_fraction > 0 && test_fraction < 1 && n >= 2) n_test = std::clamp<int64_t>(n_test, 1, n - 1);
  test.assign(order.begin(), order.begin() + n_test);
  train.assign(order.begin() + n_test, order.end());
  std::sort(test.begin(), test.end());
  std::sort(train.begin(), train.end());
}

}  // namespace og
