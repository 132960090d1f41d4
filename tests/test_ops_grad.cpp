// The gradient-check table: one row per node of ordgrad, each checked against
// 4-point central differences with a random cotangent and the accumulation check
// (core/gradcheck.h). Adding an op means adding one row here.
#include <doctest/doctest.h>

#include <functional>
#include <set>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "grad_rows.h"
#include "helpers.h"

using namespace og;
using test::away_from_zero;
using test::randn;
using test::uniform;

using test::Built;
using test::GradRow;

std::vector<GradRow> test::op_rows() {
  return {
      {"add", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(randn({3, 4}, r)); return Built{add(a, b), {a, b}}; }},
      {"add", [](Graph& g, Rng& r) { Var a = g.leaf(randn({2, 3, 2, 2}, r)), b = g.leaf(randn({3}, r)); return Built{add(a, b), {a, b}}; }},
      {"add_relu", [](Graph& g, Rng& r) {  // |a + b| >= 0.3: clear of the kink
         Var a = g.leaf(away_from_zero({3, 4}, r, 0.5f)), b = g.leaf(uniform({3, 4}, r, -0.2f, 0.2f));
         return Built{add_relu(a, b), {a, b}}; }},
      {"add_relu", [](Graph& g, Rng& r) {
         Var a = g.leaf(away_from_zero({2, 3, 2, 2}, r, 0.5f)), b = g.leaf(uniform({3}, r, -0.2f, 0.2f));
         return Built{add_relu(a, b), {a, b}}; }},
      {"sub", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(randn({4}, r)); return Built{sub(a, b), {a, b}}; }},
      {"mul", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(randn({3, 1}, r)); return Built{mul(a, b), {a, b}}; }},
      {"mul", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(randn({3, 4}, r)); return Built{mul(a, b), {a, b}}; }},
      {"div", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(uniform({4}, r, 0.5f, 2.0f)); return Built{div(a, b), {a, b}}; }},
      {"add_scalar", [](Graph& g, Rng& r) { Var x = g.leaf(randn({5}, r)); return Built{add_scalar(x, 0.7f), {x}}; }},
      {"mul_scalar", [](Graph& g, Rng& r) { Var x = g.leaf(randn({5}, r)); return Built{mul_scalar(x, -1.3f), {x}}; }},
      {"matmul", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(randn({4, 5}, r)); return Built{matmul(a, b), {a, b}}; }},
      {"matmul", [](Graph& g, Rng& r) { Var a = g.leaf(randn({4, 3}, r)), b = g.leaf(randn({4, 5}, r)); return Built{matmul(a, b, true, false), {a, b}}; }},
      {"matmul", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 4}, r)), b = g.leaf(randn({5, 4}, r)); return Built{matmul(a, b, false, true), {a, b}}; }},
      {"matmul", [](Graph& g, Rng& r) { Var a = g.leaf(randn({4, 3}, r)), b = g.leaf(randn({5, 4}, r)); return Built{matmul(a, b, true, true), {a, b}}; }},
      {"relu", [](Graph& g, Rng& r) { Var x = g.leaf(away_from_zero({4, 5}, r)); return Built{relu(x), {x}}; }},
      {"leaky_relu", [](Graph& g, Rng& r) { Var x = g.leaf(away_from_zero({4, 5}, r)); return Built{leaky_relu(x, 0.1f), {x}}; }},
      {"sigmoid", [](Graph& g, Rng& r) { Var x = g.leaf(randn({4, 5}, r, 2.0f)); return Built{sigmoid(x), {x}}; }},
      {"tanh", [](Graph& g, Rng& r) { Var x = g.leaf(randn({4, 5}, r)); return Built{tanh(x), {x}}; }},
      {"exp", [](Graph& g, Rng& r) { Var x = g.leaf(randn({4, 5}, r)); return Built{exp(x), {x}}; }},
      {"log", [](Graph& g, Rng& r) { Var x = g.leaf(uniform({4, 5}, r, 0.5f, 3.0f)); return Built{log(x), {x}}; }},
      {"softplus", [](Graph& g, Rng& r) { Var x = g.leaf(randn({4, 5}, r, 3.0f)); return Built{softplus(x), {x}}; }},
      {"abs", [](Graph& g, Rng& r) { Var x = g.leaf(away_from_zero({4, 5}, r)); return Built{abs(x), {x}}; }},
      {"square", [](Graph& g, Rng& r) { Var x = g.leaf(randn({4, 5}, r)); return Built{square(x), {x}}; }},
      {"sum", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 4}, r)); return Built{sum(x), {x}}; }},
      {"sum", [](Graph& g, Rng& r) { Var x = g.leaf(randn({2, 3, 4}, r)); return Built{sum(x, 1), {x}}; }},
      {"mean", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 4}, r)); return Built{mean(x), {x}}; }},
      {"mean", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 4}, r)); return Built{mean(x, 0), {x}}; }},
      {"logsumexp", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 6}, r, 2.0f)); return Built{logsumexp(x), {x}}; }},
      {"softmax", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 6}, r, 2.0f)); return Built{softmax(x), {x}}; }},
      {"log_softmax", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 6}, r, 2.0f)); return Built{log_softmax(x), {x}}; }},
      {"cumsum", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 6}, r)); return Built{cumsum(x), {x}}; }},
      {"gather", [](Graph& g, Rng& r) { Var x = g.leaf(randn({4, 6}, r)); return Built{gather(x, {5, 0, 2, 2}), {x}}; }},
      {"concat", [](Graph& g, Rng& r) { Var a = g.leaf(randn({3, 2}, r)), b = g.leaf(randn({3, 4}, r)); return Built{concat({a, b, a}), {a, b}}; }},
      {"slice", [](Graph& g, Rng& r) { Var x = g.leaf(randn({3, 6}, r)); return Built{slice(x, 1, 4), {x}}; }},
      {"reshape", [](Graph& g, Rng& r) { Var x = g.leaf(randn({2, 3, 4}, r)); return Built{reshape(x, {6, 4}), {x}}; }},
      {"reshape", [](Graph& g, Rng& r) { Var x = g.leaf(randn({2, 3, 2, 2}, r)); return Built{flatten(x), {x}}; }},
  };
}

namespace {
const std::vector<GradRow>& grad_table() {
  static const std::vector<GradRow> rows = [] {
    std::vector<GradRow> all = test::op_rows();
    for (auto* more : {&test::layer_rows, &test::conv_rows, &test::loss_rows, &test::ordinal_rows,
                       &test::group_rows})
      for (GradRow& r : more()) all.push_back(std::move(r));
    return all;
  }();
  return rows;
}
}  // namespace

TEST_CASE("gradient-check table: every row passes") {
  for (const GradRow& row : grad_table()) {
    Rng rng(17);
    Graph g;
    Built b = row.build(g, rng);
    GradCheckResult res = grad_check(g, b.out, b.wrt, row.opt);
    INFO(std::string(row.op), ": ", res.report);
    CHECK(res.ok);
    CHECK(b.out.node->name() == std::string(row.op));
  }
}

// Every node name defined in the library's sources has a row in the table. Node
// names appear as `return "name";` in name(), or as the first argument of the
// unary/binary/reduce_sum helpers.
TEST_CASE("gradient-check table covers every node in the sources") {
  std::set<std::string> in_table;
  for (const GradRow& row : grad_table()) in_table.insert(row.op);
  std::set<std::string> defined = test::node_names_in({"core", "layers", "losses"});
  defined.erase("leaf");
  REQUIRE(defined.size() >= 25);  // the scan found the ops (run from the repository root)
  for (const std::string& name : defined) {
    INFO("node without a gradient-check row: ", name);
    CHECK(in_table.count(name) == 1);
  }
}
