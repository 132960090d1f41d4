// docs/api.md matches ordgrad.h: every header the umbrella includes is named on the
// page, and every header the page names exists and is included.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>

#include "helpers.h"

TEST_CASE("docs/api.md names exactly the headers ordgrad.h includes") {
  const std::string umbrella = og::test::read_file("ordgrad.h"), page = og::test::read_file("docs/api.md");
  std::set<std::string> included, named;
  const std::regex inc(R"(#include "((core|layers|losses|optim|io|model)/[a-z_0-9/]+\.h)\")");
  for (std::sregex_iterator i(umbrella.begin(), umbrella.end(), inc), e; i != e; ++i) included.insert((*i)[1]);
  const std::regex ref(R"(`((core|layers|losses|optim|io|model)/[a-z_0-9/]+\.h)`)");
  for (std::sregex_iterator i(page.begin(), page.end(), ref), e; i != e; ++i) named.insert((*i)[1]);
  REQUIRE(included.size() > 40);
  for (const std::string& h : included) CHECK_MESSAGE(named.count(h), h, " is in ordgrad.h but not in docs/api.md");
  for (const std::string& h : named) CHECK_MESSAGE(included.count(h), h, " is in docs/api.md but not in ordgrad.h");
}
