// CSV tables: format features, every read error, weight columns, labels,
// standardisation, splits, the copied real tables and the statsmodels reference fits.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "core/check.h"
#include "tests/helpers.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "io/csv.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

class CsvDir {
 public:
  CsvDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/og-csv-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    root_ = tmpl;
  }
  ~CsvDir() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Writes `text` byte for byte to <dir>/<name> and returns the path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = (root_ / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
    return path;
  }
  std::string path(const std::string& name) const { return (root_ / name).string(); }

 private:
  fs::path root_;
};

using test::error_of;

std::string read_error(const std::string& path, const TableOptions& opt = {}) {
  return error_of([&] { read_table(path, opt); });
}

// The tables in tests/data/, from the repository root where `make test` runs.
std::string data_file(const std::string& name) {
  const std::string path = "tests/data/" + name;
  REQUIRE_MESSAGE(fs::exists(path), path, " not found: run the tests from the repository root");
  return path;
}

std::vector<int> label_counts(const std::vector<int>& labels, const LabelMap& map) {
  std::vector<int> counts(map.K, 0);
  for (int y : map.to_classes(labels)) ++counts[y];
  return counts;
}

}  // namespace

TEST_CASE("read_table: header, quotes with commas and \"\" escapes, CRLF, spaces, no final newline") {
  CsvDir dir;
  const std::string path = dir.write(
      "t.csv",
      "\"response\", \"height, cm\" ,\"say \"\"hi\"\"\",plain\r\n"
      " 2 , 1.5,\"-3\",  7e-1 \r\n"
      "\"4\",\" +2.25 \",0,-.5");
  Table t = read_table(path);
  CHECK(t.feature_names == std::vector<std::string>{"height, cm", "say \"hi\"", "plain"});
  CHECK(t.x.shape() == Shape{2, 3});
  CHECK(t.x.to_vector() == std::vector<float>{1.5f, -3.0f, 0.7f, 2.25f, 0.0f, -0.5f});
  CHECK(t.raw_labels == std::vector<int>{2, 4});
  CHECK(t.weights.empty());
}

TEST_CASE("read_table: no header means V1..VF; LF, CR and CRLF lines; blank lines at the end; BOM") {
  CsvDir dir;
  const std::vector<float> want = {1.5f, -2.0f, 0.0f, 0.0005f, 3.0f, 1e-3f};
  for (const char* eol : {"\n", "\r\n", "\r"}) {
    CAPTURE(std::string(eol) == "\n" ? "LF" : std::string(eol) == "\r" ? "CR" : "CRLF");
    const std::string e = eol;
    const std::string path =
        dir.write("n.csv", "3,1.5,-2" + e + "-1,0,5e-04" + e + "7,3,1E-3" + e + e + "  " + e + e);
    Table t = read_table(path);
    CHECK(t.feature_names == std::vector<std::string>{"V1", "V2"});
    CHECK(t.x.shape() == Shape{3, 2});
    CHECK(t.x.to_vector() == want);
    CHECK(t.raw_labels == std::vector<int>{3, -1, 7});
  }
  // Excel's UTF-8 byte order mark does not become part of the first name.
  Table bom = read_table(dir.write("bom.csv", "\xEF\xBB\xBFy,a\n1,2\n"));
  CHECK(bom.feature_names == std::vector<std::string>{"a"});
  CHECK(bom.raw_labels == std::vector<int>{1});
}

TEST_CASE("read_table: labels written as 3.0 are integers; tiny values are 0; quotes span lines") {
  CsvDir dir;
  Table t = read_table(dir.write("l.csv", "y,a\n3.0,1e-400\n-0,2\n+5,-1e-400\n"));
  CHECK(t.raw_labels == std::vector<int>{3, 0, 5});
  CHECK(t.x.to_vector() == std::vector<float>{0.0f, 2.0f, -0.0f});
  // A quoted name with a line break: the record spans lines 1-2, so the bad value
  // below is reported on line 4 of the file, not on the third record.
  const std::string path = dir.write("m.csv", "y,\"two\nlines\"\n1,2\n2,oops\n");
  CHECK(read_error(path) ==
        "read_table: '" + path + "' line 4, column 2 ('two\nlines'): feature 'oops' is not a number");
  Table m = read_table(dir.write("m2.csv", "y,\"two\r\nlines\"\r\n1,2\r\n"));
  CHECK(m.feature_names == std::vector<std::string>{"two\r\nlines"});
}

TEST_CASE("read_table: a weight column becomes weights, not a feature") {
  CsvDir dir;
  const std::string path =
      dir.write("w.csv", "y,a,freq,b\n1,10,2,100\n3,20,0.5,200\n2,30,0,300\n");
  Table t = read_table(path, {"freq"});
  CHECK(t.feature_names == std::vector<std::string>{"a", "b"});
  CHECK(t.x.to_vector() == std::vector<float>{10, 100, 20, 200, 30, 300});
  CHECK(t.weights == std::vector<float>{2.0f, 0.5f, 0.0f});
  CHECK(t.raw_labels == std::vector<int>{1, 3, 2});
  // Without the option the same column is an ordinary feature.
  CHECK(read_table(path).feature_names == std::vector<std::string>{"a", "freq", "b"});

  CHECK(read_error(path, {"weight"}) ==
        "read_table: '" + path + "' line 1: no weight column 'weight' (columns: y, a, freq, b)");
  CHECK(read_error(path, {"y"}) ==
        "read_table: '" + path + "' line 1: weight column 'y' is column 1, the response");
  const std::string twice = dir.write("w2.csv", "y,w,w\n1,1,1\n");
  CHECK(read_error(twice, {"w"}) ==
        "read_table: '" + twice + "' line 1: weight column 'w' appears twice (columns: y, w, w)");
  const std::string plain = dir.write("w3.csv", "1,2,3\n");
  CHECK(read_error(plain, {"w"}) ==
        "read_table: '" + plain + "' has no header row, so it has no weight column 'w'");
  const std::string only = dir.write("w4.csv", "y,w\n1,1\n");
  CHECK(read_error(only, {"w"}) == "read_table: '" + only +
                                       "' line 1: 2 columns, so no feature column after the "
                                       "response and the weight column");

  const std::string neg = dir.write("w5.csv", "y,a,w\n1,1,1\n1,2,-1\n");
  CHECK(read_error(neg, {"w"}) ==
        "read_table: '" + neg + "' line 3, column 3 ('w'): weight '-1' must be finite and >= 0");
  const std::string nan = dir.write("w6.csv", "y,a,w\n1,1,nan\n");
  CHECK(read_error(nan, {"w"}) ==
        "read_table: '" + nan + "' line 2, column 3 ('w'): weight 'nan' must be finite and >= 0");
  const std::string word = dir.write("w7.csv", "y,a,w\n1,1,two\n");
  CHECK(read_error(word, {"w"}) ==
        "read_table: '" + word + "' line 2, column 3 ('w'): weight 'two' is not a number");
  const std::string zero = dir.write("w8.csv", "y,a,w\n1,1,0\n2,1,0\n");
  CHECK(read_error(zero, {"w"}) == "read_table: '" + zero + "' column 3 ('w'): every weight is 0");
}

TEST_CASE("read_table: every malformed file is one og::Error line naming file, line and column") {
  CsvDir dir;
  const std::string missing = dir.path("missing.csv");
  CHECK(read_error(missing) == "read_table: cannot open '" + missing + "': No such file or directory");
  const std::string empty = dir.write("empty.csv", "");
  CHECK(read_error(empty) == "read_table: '" + empty + "' is empty (no header and no rows)");
  const std::string blank = dir.write("blank.csv", "\n  \r\n\n");
  CHECK(read_error(blank) == "read_table: '" + blank + "' is empty (no header and no rows)");
  const std::string lead = dir.write("lead.csv", "\ny,a\n1,2\n");
  CHECK(read_error(lead) == "read_table: '" + lead + "' line 1: blank line before the first row (line 2)");
  const std::string header_only = dir.write("h.csv", "y,a,b\n\n");
  CHECK(read_error(header_only) == "read_table: '" + header_only + "' line 1: a header but no data rows");
  const std::string one_col = dir.write("one.csv", "1\n2\n");
  CHECK(read_error(one_col) ==
        "read_table: '" + one_col + "' line 1: 1 column, so no feature column after the response");

  const std::string fewer = dir.write("f.csv", "y,a,b\n1,2,3\n1,2\n");
  CHECK(read_error(fewer) ==
        "read_table: '" + fewer + "' line 3: 2 fields, expected 3, missing from column 3 ('b')");
  const std::string more = dir.write("m.csv", "1,2,3\r\n1,2,3,4\r\n");
  CHECK(read_error(more) == "read_table: '" + more + "' line 2: 4 fields, expected 3, extra from column 4");
  const std::string gap = dir.write("g.csv", "y,a\n1,2\n\n3,4\n");
  CHECK(read_error(gap) == "read_table: '" + gap + "' line 3: blank line inside the table (line 4 has data)");

  const std::string word = dir.write("word.csv", "y,a,b\n1,2,3\n2,x7,3\n");
  CHECK(read_error(word) == "read_table: '" + word + "' line 3, column 2 ('a'): feature 'x7' is not a number");
  const std::string na = dir.write("na.csv", "1,2,3\n2,NA,3\n");
  CHECK(read_error(na) == "read_table: '" + na + "' line 2, column 2: feature 'NA' is not a number");
  const std::string empty_field = dir.write("ef.csv", "y,a,b\n1,2,\n");
  CHECK(read_error(empty_field) ==
        "read_table: '" + empty_field + "' line 2, column 3 ('b'): feature '' is not a number");
  const std::string hex = dir.write("hex.csv", "y,a\n1,0x10\n");
  CHECK(read_error(hex) == "read_table: '" + hex + "' line 2, column 2 ('a'): feature '0x10' is not a number");
  const std::string comma = dir.write("comma.csv", "y,a\n1,\"1,5\"\n");
  CHECK(read_error(comma) == "read_table: '" + comma + "' line 2, column 2 ('a'): feature '1,5' is not a number");
  for (const char* v : {"inf", "-Infinity", "nan", "1e39", "1e400"}) {
    CAPTURE(v);
    const std::string p = dir.write("inf.csv", std::string("y,a,b\n1,2,") + v + "\n");
    CHECK(read_error(p) == "read_table: '" + p + "' line 2, column 3 ('b'): feature '" + v +
                               "' is not finite (in float32)");
  }

  for (const char* v : {"2.5", "abc", "", "inf", "nan"}) {
    CAPTURE(v);
    const std::string p = dir.write("lab.csv", std::string("y,a\n1,1\n") + v + ",1\n");
    CHECK(read_error(p) == "read_table: '" + p + "' line 3, column 1 ('y'): label '" + v +
                               "' is not an integer");
  }
  const std::string big = dir.write("big.csv", "y,a\n3000000000,1\n");
  CHECK(read_error(big) ==
        "read_table: '" + big + "' line 2, column 1 ('y'): label '3000000000' is out of the int range");

  const std::string open = dir.write("q.csv", "y,a\n1,2\n2,\"3\n4,5\n");
  CHECK(read_error(open) == "read_table: '" + open + "' line 3, column 2: unterminated quote " +
                                "(no closing \" before the end of the file)");
  const std::string after = dir.write("qa.csv", "y,a\n1,\"2\"x\n");
  CHECK(read_error(after) ==
        "read_table: '" + after + "' line 2, column 2: unexpected text after a closing quote");

  const std::string dir_path = dir.path("");
  CHECK(read_error(dir_path).rfind("read_table: cannot read '" + dir_path + "': ", 0) == 0);
}

TEST_CASE("LabelMap: min..max to 0..K-1 and back; test labels outside the range are errors") {
  const LabelMap map = LabelMap::fit({3, 1, 5, 1, 4});
  CHECK(map.min_label == 1);
  CHECK(map.K == 5);   // label 2 is absent: an empty class inside the range
  CHECK(map.to_classes({3, 1, 5, 1, 4}) == std::vector<int>{2, 0, 4, 0, 3});
  CHECK(map.to_label(0) == 1);
  CHECK(map.to_label(4) == 5);
  CHECK(error_of([&] { map.to_classes({1, 6}); }) ==
        "LabelMap: label 6 (row 1) is outside the training labels 1..5");
  CHECK(error_of([&] { map.to_label(5); }) == "LabelMap: class 5 is outside 0..4");
  const LabelMap neg = LabelMap::fit({-2, 0});
  CHECK(neg.min_label == -2);
  CHECK(neg.K == 3);
  CHECK(neg.to_classes({0, -1}) == std::vector<int>{2, 1});
  CHECK(error_of([] { LabelMap::fit({}); }) == "LabelMap::fit: no labels");
  CHECK(error_of([] { LabelMap::fit({0, 2000000000}); }) ==
        "LabelMap::fit: labels 0..2000000000 span 2000000001 classes (at most 65536)");
}

TEST_CASE("Standardizer: hand-computed mean and population sd, constant columns, weights") {
  // Column 0: 1,2,3,4 -> mean 2.5, sd sqrt(1.25). Column 1: constant 7 -> mean 7, sd 1.
  Tensor x = Tensor::from({4, 2}, {1, 7, 2, 7, 3, 7, 4, 7});
  Standardizer s = Standardizer::fit(x);
  CHECK(s.mean == std::vector<float>{2.5f, 7.0f});
  CHECK(s.std == std::vector<float>{std::sqrt(1.25f), 1.0f});
  s.apply(x);
  const float r = std::sqrt(1.25f);
  CHECK(x.to_vector() == std::vector<float>{-1.5f / r, 0, -0.5f / r, 0, 0.5f / r, 0, 1.5f / r, 0});

  // Weights 1,3 on values 0,4: mean 3, variance (1*9 + 3*1)/4 = 3. A zero-weight row
  // (value 1000) changes nothing, and a column constant on the weighted rows stays constant.
  Tensor xw = Tensor::from({3, 2}, {0, 5, 4, 5, 1000, -8});
  Standardizer sw = Standardizer::fit(xw, {1, 3, 0});
  CHECK(sw.mean == std::vector<float>{3.0f, 5.0f});
  CHECK(sw.std == std::vector<float>{std::sqrt(3.0f), 1.0f});

  // Integer weights equal repeated rows.
  Rng rng(5);
  const int64_t N = 37, F = 3;
  Tensor base = Tensor::empty({N, F});
  std::vector<float> w(N), rep;
  for (int64_t i = 0; i < N; ++i) {
    w[i] = float(i % 4);
    for (int64_t j = 0; j < F; ++j) base[i * F + j] = rng.normal(10.0f * j, 1.0f + j);
    for (int k = 0; k < int(w[i]); ++k)
      for (int64_t j = 0; j < F; ++j) rep.push_back(base[i * F + j]);
  }
  Standardizer a = Standardizer::fit(base, w);
  Standardizer b = Standardizer::fit(Tensor::from({int64_t(rep.size()) / F, F}, rep));
  for (int64_t j = 0; j < F; ++j) {
    CHECK(a.mean[j] == doctest::Approx(b.mean[j]).epsilon(1e-6));
    CHECK(a.std[j] == doctest::Approx(b.std[j]).epsilon(1e-6));
  }

  CHECK(error_of([&] { Standardizer::fit(base, {1, 2}); }) == "Standardizer::fit: 2 weights for x [37,3]");
  CHECK(error_of([&] { Standardizer::fit(x, {1, -1, 1, 1}); }) ==
        "Standardizer::fit: weight -1 of row 1 must be finite and >= 0");
  CHECK(error_of([&] { Standardizer::fit(x, {0, 0, 0, 0}); }) ==
        "Standardizer::fit: every weight is 0 (x [4,2])");
  CHECK(error_of([] { Standardizer::fit(Tensor::zeros({0, 2})); }) ==
        "Standardizer::fit: x [0,2] is not a non-empty [N,F] table");
  CHECK(error_of([&] { a.apply(x); }) ==
        "Standardizer::apply: x [4,2] does not have the 3 fitted columns");
}

TEST_CASE("Standardizer::apply is the naive loop, bit for bit, on 1 and 2 threads") {
  Rng rng(11);
  const int64_t N = 5000, F = 7;   // enough rows to run in parallel
  Tensor x = Tensor::empty({N, F});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = rng.normal(3.0f, 4.0f);
  const Standardizer s = Standardizer::fit(x);
  Tensor naive = x.clone();
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < F; ++j) naive[i * F + j] = (naive[i * F + j] - s.mean[j]) / s.std[j];
  const int keep = num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Tensor y = x.clone();
    s.apply(y);
    CHECK(y.to_vector() == naive.to_vector());
  }
  set_num_threads(keep);
  // The standardised columns have mean 0 and sd 1.
  const Standardizer again = Standardizer::fit(naive);
  for (int64_t j = 0; j < F; ++j) {
    CHECK(std::fabs(again.mean[j]) < 1e-6);
    CHECK(again.std[j] == doctest::Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("split_rows: Rng's shuffle, sorted disjoint parts, sizes, determinism") {
  std::vector<int64_t> train, test;
  split_rows(10, 0.3, 42, train, test);
  // The definition: shuffle 0..9 with Rng(42), the first 3 are the test part.
  std::vector<int64_t> order(10);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(42);
  rng.shuffle(order);
  std::vector<int64_t> want_test(order.begin(), order.begin() + 3), want_train(order.begin() + 3, order.end());
  std::sort(want_test.begin(), want_test.end());
  std::sort(want_train.begin(), want_train.end());
  CHECK(test == want_test);
  CHECK(train == want_train);
  std::vector<int64_t> all = train;
  all.insert(all.end(), test.begin(), test.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> every(10);
  std::iota(every.begin(), every.end(), 0);
  CHECK(all == every);

  std::vector<int64_t> train2, test2;
  split_rows(10, 0.3, 42, train2, test2);
  CHECK(test2 == test);
  split_rows(10, 0.3, 43, train2, test2);
  CHECK(test2 != test);   // this seed happens to pick other rows

  split_rows(1000, 0.25, 1, train, test);
  CHECK(test.size() == 250);
  CHECK(train.size() == 750);
  split_rows(3, 0.1, 1, train, test);   // round(0.3) = 0, raised to 1
  CHECK(test.size() == 1);
  split_rows(3, 0.95, 1, train, test);  // round(2.85) = 3, lowered to 2
  CHECK(train.size() == 1);
  split_rows(4, 0.0, 1, train, test);
  CHECK((test.empty() && train.size() == 4));
  split_rows(4, 1.0, 1, train, test);
  CHECK((train.empty() && test.size() == 4));
  CHECK(error_of([&] { split_rows(4, 1.5, 1, train, test); }) ==
        "split_rows: test fraction 1.5 is not in [0, 1]");
  CHECK_THROWS_AS(split_rows(4, NAN, 1, train, test), Error);
}

TEST_CASE("take_rows copies features, labels and weights of the chosen rows") {
  CsvDir dir;
  Table t = read_table(dir.write("t.csv", "y,a,w,b\n1,1,1,10\n2,2,2,20\n3,3,3,30\n"), {"w"});
  Table s = take_rows(t, {2, 0});
  CHECK(s.x.to_vector() == std::vector<float>{3, 30, 1, 10});
  CHECK(s.raw_labels == std::vector<int>{3, 1});
  CHECK(s.weights == std::vector<float>{3, 1});
  CHECK(s.feature_names == t.feature_names);
  CHECK(error_of([&] { take_rows(t, {3}); }) == "take_rows: row 3 of a table with 3 rows");
}

TEST_CASE("tests/data/cement_strength.csv (a copy of the shared table) reads as documented") {
  Table t = read_table(data_file("cement_strength.csv"));
  CHECK(t.x.shape() == Shape{998, 8});
  CHECK(t.feature_names == std::vector<std::string>{"V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8"});
  const LabelMap map = LabelMap::fit(t.raw_labels);
  CHECK(map.min_label == 1);
  CHECK(map.K == 5);
  CHECK(label_counts(t.raw_labels, map) == std::vector<int>{196, 310, 244, 152, 96});
  // First and last rows of the file: "5,540,0,0,162,2.5,1040,676,28" and
  // "2,260.9,100.5,78.3,200.6,8.6,864.5,761.5,28".
  const std::vector<float> x = t.x.to_vector();
  CHECK(std::vector<float>(x.begin(), x.begin() + 8) ==
        std::vector<float>{540, 0, 0, 162, 2.5f, 1040, 676, 28});
  CHECK(std::vector<float>(x.end() - 8, x.end()) ==
        std::vector<float>{260.9f, 100.5f, 78.3f, 200.6f, 8.6f, 864.5f, 761.5f, 28});
  CHECK(t.raw_labels.front() == 5);
  CHECK(t.raw_labels.back() == 2);
}

// The statsmodels fits of docs/reference-fits.md (scripts/reference_polr.py), model
// P(y <= k) = F(theta_k - x.beta) on cement_weighted.csv with its frequency weights.
// Their weighted score sum_i w_i d log p_i / d(beta, theta), evaluated here in double on
// the rows as read_table reads them, must vanish: this ties the numbers to this file,
// these weights and this parameterisation (a wrong weight or sign moves the optimum).
namespace {
struct ReferenceFit {
  bool probit;
  double beta[4], theta[4];
};
constexpr ReferenceFit kLogitFit = {false,
                                    {0.01313929162, 0.00974465496, -0.04942888204, 0.01775098507},
                                    {-6.087510163, -3.979735731, -2.227362922, -0.5302865894}};
constexpr ReferenceFit kProbitFit = {true,
                                     {0.007634140881, 0.005645831367, -0.02726406514, 0.009412290937},
                                     {-3.301760038, -2.052304269, -1.043234463, -0.09247524937}};

double cdf(bool probit, double u) {
  if (std::isinf(u)) return u > 0 ? 1 : 0;
  return probit ? 0.5 * std::erfc(-u / std::sqrt(2.0)) : 1 / (1 + std::exp(-u));
}
double pdf(bool probit, double u) {
  if (std::isinf(u)) return 0;
  if (probit) return 0.3989422804014327 * std::exp(-0.5 * u * u);   // 1/sqrt(2 pi)
  const double s = 1 / (1 + std::exp(-u));
  return s * (1 - s);
}

// Score per unit weight: d/d(beta_0..3, theta_1..4) of sum_i w_i log p_i / sum_i w_i.
std::vector<double> weighted_score(const Table& t, const ReferenceFit& fit) {
  const LabelMap map = LabelMap::fit(t.raw_labels);
  const std::vector<int> y = map.to_classes(t.raw_labels);
  std::vector<double> g(8, 0.0);
  double wsum = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    double eta = 0;
    for (int j = 0; j < 4; ++j) eta += fit.beta[j] * t.x[int64_t(i) * 4 + j];
    const double lo = y[i] == 0 ? -INFINITY : fit.theta[y[i] - 1] - eta;
    const double hi = y[i] == 4 ? INFINITY : fit.theta[y[i]] - eta;
    const double p = cdf(fit.probit, hi) - cdf(fit.probit, lo);
    const double fu = pdf(fit.probit, hi), fl = pdf(fit.probit, lo), w = t.weights[i];
    for (int j = 0; j < 4; ++j) g[j] -= w * t.x[int64_t(i) * 4 + j] * (fu - fl) / p;
    if (y[i] < 4) g[4 + y[i]] += w * fu / p;
    if (y[i] > 0) g[4 + y[i] - 1] -= w * fl / p;
    wsum += w;
  }
  for (double& v : g) v /= wsum;
  return g;
}
}  // namespace

TEST_CASE("tests/data/cement_weighted.csv: weights 1+(i mod 3); the reference fits are its optimum") {
  Table t = read_table(data_file("cement_weighted.csv"), {"weight"});
  CHECK(t.x.shape() == Shape{998, 4});
  CHECK(t.feature_names == std::vector<std::string>{"V1", "V2", "V4", "V8"});
  REQUIRE(t.weights.size() == 998);
  int wrong = 0;
  for (size_t i = 0; i < t.weights.size(); ++i) wrong += t.weights[i] != float(1 + i % 3);
  CHECK(wrong == 0);
  const LabelMap map = LabelMap::fit(t.raw_labels);
  CHECK(map.min_label == 1);
  CHECK(map.K == 5);

  // The same rows as the full table, columns V1, V2, V4, V8.
  Table full = read_table(data_file("cement_strength.csv"));
  CHECK(t.raw_labels == full.raw_labels);
  for (int64_t i = 0; i < 998; ++i) {
    const int src[4] = {0, 1, 3, 7};
    for (int j = 0; j < 4; ++j) wrong += t.x[i * 4 + j] != full.x[i * 8 + src[j]];
  }
  CHECK(wrong == 0);

  // The weighted statistics docs/reference-fits.md standardises with (numpy, double).
  const Standardizer s = Standardizer::fit(t.x, t.weights);
  const double mean[4] = {278.3926314, 71.69719269, 182.3081704, 46.21453634};
  const double sd[4] = {103.4692843, 85.47812351, 21.16044227, 62.60927962};
  for (int j = 0; j < 4; ++j) {
    CHECK(s.mean[j] == doctest::Approx(mean[j]).epsilon(1e-7));
    CHECK(s.std[j] == doctest::Approx(sd[j]).epsilon(1e-7));
  }

  for (const ReferenceFit& fit : {kLogitFit, kProbitFit}) {
    CAPTURE(fit.probit);
    // Measured: |score| <= 1.5e-7 for beta (each term carries a feature ~100-500) and
    // <= 4e-10 for theta; rounding the parameters to 10 digits accounts for most of it.
    const std::vector<double> g = weighted_score(t, fit);
    for (int j = 0; j < 4; ++j) CHECK(std::fabs(g[j]) < 1e-6);
    for (int j = 4; j < 8; ++j) CHECK(std::fabs(g[j]) < 1e-8);
    // Moving one threshold by 1e-4 (the tolerance later tests use) gives scores of
    // 4e-4..7e-3 (beta) and ~2e-5 (that threshold): a thousand times the bounds above.
    ReferenceFit moved = fit;
    moved.theta[1] += 1e-4;
    const std::vector<double> gm = weighted_score(t, moved);
    for (int j = 0; j < 4; ++j) CHECK(std::fabs(gm[j]) > 1e-4);
    CHECK(std::fabs(gm[5]) > 1e-5);
    // Ignoring the weights is a different likelihood: its score is far from 0 (~3..5).
    Table unweighted = t;
    unweighted.weights.assign(998, 1.0f);
    const std::vector<double> gu = weighted_score(unweighted, fit);
    CHECK(std::fabs(gu[0]) > 0.1);
  }
}

// The four shared tables, when the shared folder is next to the repository (as in
// ../shared/data/ordinal-tabular/README.md); `make test` must pass without it.
TEST_CASE("the shared ordinal tables read with the README's rows, features, K and counts" *
          doctest::skip(!fs::exists("../shared/data/ordinal-tabular/fireman_example.csv"))) {
  struct Expect {
    const char* file;
    int64_t rows, features;
    std::vector<int> counts;
  };
  const Expect tables[] = {
      {"cement_strength.csv", 998, 8, {196, 310, 244, 152, 96}},
      {"winequality-red.csv", 1359, 11, {10, 53, 577, 535, 167, 17}},
      {"abalone_ord.csv", 4177, 10, {17, 431, 1648, 1388, 432, 125, 100, 29, 4, 3}},
      {"fireman_example.csv", 40768, 10, {}},
  };
  for (const Expect& e : tables) {
    CAPTURE(e.file);
    Table t = read_table(std::string("../shared/data/ordinal-tabular/") + e.file);
    CHECK(t.x.shape() == Shape{e.rows, e.features});
    const LabelMap map = LabelMap::fit(t.raw_labels);
    CHECK(map.min_label == 1);
    if (!e.counts.empty()) {
      CHECK(label_counts(t.raw_labels, map) == e.counts);
    } else {   // fireman: K = 16, about 2548 rows per label
      CHECK(map.K == 16);
      for (int c : label_counts(t.raw_labels, map)) CHECK(std::abs(c - 2548) < 100);
    }
  }
  // winequality-red quotes every feature ("7.4"); the first row is 3,"7.4","0.7","0",...
  Table wine = read_table("../shared/data/ordinal-tabular/winequality-red.csv");
  CHECK(wine.feature_names.front() == "fixed.acidity");
  CHECK(wine.x[0] == 7.4f);
  CHECK(wine.x[1] == 0.7f);
}
