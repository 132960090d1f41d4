// The README's tables are whole: every row has the header's number of cells (a row
// pasted into the wrong table, as happened once, fails here), and a table is not split
// by a blank line (a split leaves a second part without a header row).
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "helpers.h"

namespace {
// Cells of a markdown table row; "\|" inside a cell is not a separator.
int cells(const std::string& row) {
  int n = 0;
  for (size_t i = 1; i < row.size(); ++i)
    if (row[i] == '|' && row[i - 1] != '\\') ++n;
  return n;
}
}  // namespace

TEST_CASE("README: every table row has its header's cells, every table has a header") {
  std::ifstream f("README.md");
  REQUIRE(f);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  bool in_code = false;
  int tables = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) == 0) in_code = !in_code;
    if (in_code || lines[i].rfind("|", 0) != 0 || (i > 0 && lines[i - 1].rfind("|", 0) == 0)) continue;
    // The first row of a table: a header, then a |---| rule.
    ++tables;
    INFO("README.md line ", i + 1, ": ", lines[i]);
    REQUIRE(i + 1 < lines.size());
    CHECK(std::regex_match(lines[i + 1], std::regex(R"(\|(\s*:?-+:?\s*\|)+\s*)")));
    const int width = cells(lines[i]);
    for (size_t j = i + 1; j < lines.size() && lines[j].rfind("|", 0) == 0; ++j) {
      INFO("README.md line ", j + 1, ": ", lines[j]);
      CHECK(cells(lines[j]) == width);
    }
  }
  CHECK(tables >= 4);
}

TEST_CASE("README: the loss comparison holds figures, the loss table formulas") {
  const std::string readme = og::test::read_file("README.md");
  // A comparison row is a loss followed by "m ± s" figures; a loss-table row by its head.
  CHECK(std::regex_search(readme, std::regex(R"(\n\| `coral` \| [0-9.]+ ± [0-9.]+ \|)")));
  CHECK(std::regex_search(readme, std::regex(R"(\n\| `coral` \| coral \(K−1\))")));
}
