// Groups for totals by id (model/group_eval.h: groups_by_id) and `--group column` of
// eval and predict: the same scores as consecutive groups when the ids are consecutive,
// rows in any order and groups of any size, and the bad cases.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>

#include "apps/commands.h"
#include "model/group_eval.h"
#include "tests/helpers.h"

using namespace og;

namespace {
// Rows of [N,K] probabilities, each a softmax of random logits.
Tensor random_probs(int64_t N, int K, uint64_t seed) {
  Rng rng(seed);
  Tensor p = Tensor::empty({N, K});
  for (int64_t i = 0; i < N; ++i) {
    double sum = 0;
    for (int k = 0; k < K; ++k) sum += p[i * K + k] = std::exp(2.0f * rng.normal());
    for (int k = 0; k < K; ++k) p[i * K + k] = float(p[i * K + k] / sum);
  }
  return p;
}

// The value of "key": in a one-line JSON object.
double json_number(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\": ");
  REQUIRE(at != std::string::npos);
  return std::strtod(json.c_str() + at + key.size() + 4, nullptr);
}
}  // namespace

TEST_CASE("groups_by_id: one group per id in order of first appearance, rows in order") {
  const GroupRows g = groups_by_id({7, 3, 7, 9, 3, 3});
  REQUIRE(g.size() == 3);
  CHECK(g[0] == std::vector<int64_t>{0, 2});
  CHECK(g[1] == std::vector<int64_t>{1, 4, 5});
  CHECK(g[2] == std::vector<int64_t>{3});
  CHECK(consecutive_groups(7, 3) == GroupRows{{0, 1, 2}, {3, 4, 5}});
  CHECK(test::error_of([] { consecutive_groups(2, 3); }) == "group totals: a group of 3 is more than the 2 examples");
}

TEST_CASE("score_totals by ids: consecutive ids equal groups of G bit for bit; order and sizes are free") {
  const int K = 6, G = 4;
  const Tensor probs = random_probs(26, K, 3);
  std::vector<int> labels(26), ids(26);
  Rng rng(5);
  for (int i = 0; i < 26; ++i) labels[size_t(i)] = int(rng.below(K)), ids[size_t(i)] = i / G;
  ids.resize(24);  // the last 26 mod 4 rows form no group, as with G
  Tensor head = Tensor::empty({24, K});
  std::copy(probs.data(), probs.data() + 24 * K, head.data());
  const GroupScores byG = score_totals(probs, labels, G);
  const GroupScores byId = score_totals(head, std::vector<int>(labels.begin(), labels.begin() + 24), groups_by_id(ids));
  CHECK(byG.groups == 6);
  CHECK(byId.truth == byG.truth);
  CHECK(byId.mae == byG.mae);
  CHECK(byId.crps == byG.crps);
  CHECK(byId.coverage80 == byG.coverage80);
  CHECK(byId.coverage95 == byG.coverage95);
  for (size_t g = 0; g < 6; ++g) CHECK(byId.forecasts[g].p95.hi == byG.forecasts[g].p95.hi);

  // Rows reversed (ids with them): the same groups, found in the reverse order.
  Tensor rev = Tensor::empty({24, K});
  std::vector<int> rlabels(24), rids(24);
  for (int i = 0; i < 24; ++i) {
    std::copy(head.data() + (23 - i) * K, head.data() + (24 - i) * K, rev.data() + i * K);
    rlabels[size_t(i)] = labels[size_t(23 - i)], rids[size_t(i)] = ids[size_t(23 - i)];
  }
  const GroupScores r = score_totals(rev, rlabels, groups_by_id(rids));
  for (size_t g = 0; g < 6; ++g) {
    CHECK(r.truth[g] == byG.truth[5 - g]);
    CHECK(r.forecasts[g].p80.median == byG.forecasts[5 - g].p80.median);
    CHECK(r.forecasts[g].p80.mean == doctest::Approx(byG.forecasts[5 - g].p80.mean).epsilon(1e-12));
  }
  CHECK(r.mae == doctest::Approx(byG.mae).epsilon(1e-12));
  CHECK(r.crps == doctest::Approx(byG.crps).epsilon(1e-9));

  // Groups of 1 and 3: a single item's total is its own label and distribution.
  const GroupScores mixed = score_totals(head, std::vector<int>(labels.begin(), labels.begin() + 24),
                                         GroupRows{{5}, {0, 1, 2}});
  CHECK(mixed.truth == std::vector<int>{labels[5], labels[0] + labels[1] + labels[2]});
  const std::vector<TotalForecast> one = forecast_totals(head, GroupRows{{5}});
  std::vector<double> cdf(K);
  std::partial_sum(head.data() + 5 * K, head.data() + 6 * K, cdf.begin());
  CHECK(one[0].p80.median == int(std::lower_bound(cdf.begin(), cdf.end(), 0.5) - cdf.begin()));
  CHECK(test::error_of([&] { score_totals(head, labels, GroupRows{{0, 30}}); }) ==
        "group totals: row 30 of 24 examples");
}

TEST_CASE("eval and predict --group column: the manifest's groups, in any row order") {
  const char* bin = test::ordgrad_binary();
  if (bin == nullptr) return;
  test::TempDir tmp;
  const std::string data = tmp.file("data"), run = tmp.file("run");
  REQUIRE(test::run_command(cli::run_gen_counts, {"ordgrad", "gen-counts", "--out", data, "--n", "240", "--seed", "2",
                                                  "--quiet"}) == 0);
  REQUIRE(test::run_command(cli::run_train, {"ordgrad", "train", "--data", data, "--model", "count-cnn", "--epochs",
                                             "1", "--batch", "32", "--quiet", "--out", run}) == 0);
  // The same test rows reversed, with absolute paths, in a second data directory.
  std::ifstream in(data + "/test.csv");
  std::string header, line;
  std::getline(in, header);
  CHECK(header == "path,label,group");
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(data + "/" + line);
  std::reverse(rows.begin(), rows.end());
  const std::string rev = tmp.file("rev");
  std::filesystem::create_directories(rev);
  for (const char* part : {"train", "val"}) std::filesystem::copy_file(data + "/" + part + ".csv", rev + "/" + part + ".csv");
  {
    std::ofstream out(rev + "/test.csv");
    out << header << '\n';
    for (const std::string& r : rows) out << r << '\n';
  }
  auto eval = [&](const std::string& d, const std::string& group) {
    const std::string file = tmp.file("eval.json");
    const std::string cmd = std::string(bin) + " eval --json --model " + run + "/model.ogm --data " + d +
                            ":test --group " + group + " > " + file;
    REQUIRE(std::system(cmd.c_str()) == 0);
    return test::read_file(file);
  };
  const std::string by8 = eval(data, "8"), bycol = eval(data, "column"), reversed = eval(rev, "column");
  CHECK(bycol.find("\"group\": \"column\"") != std::string::npos);
  for (const char* key : {"groups", "total_mae", "total_crps", "total_coverage_80", "total_coverage_95"}) {
    CHECK(json_number(bycol, key) == json_number(by8, key));
    CHECK(json_number(reversed, key) == doctest::Approx(json_number(by8, key)).epsilon(1e-9));
  }
  CHECK(json_number(bycol, "groups") == double(rows.size() / 8));

  // predict prints each group under its id; errors are one line.
  const std::string err = tmp.file("err.txt");
  std::string text;
  CHECK(test::run_binary(bin, "predict --model " + run + "/model.ogm --data " + rev + ":test --group column", err,
                         text) == 0);
  CHECK(test::run_binary(bin, "predict --model " + run + "/model.ogm --data " + data + ":train --group column", err,
                         text) == 1);
  CHECK(text == "ordgrad: predict: --group column: " + data + ":train has no group column (a manifest's `group`); give a "
                "group size instead\n");
  CHECK(test::run_binary(bin, "eval --model " + run + "/model.ogm --data " + data + " --group -8", err, text) == 1);
  CHECK(text == "ordgrad: eval: --group expects a group size G >= 0 or 'column', got '-8'\n");
}
