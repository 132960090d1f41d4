// SVG charts: each file is well-formed XML with one <svg> root and carries its
// title, axis labels, legend, one shape per datum; errors and atomic writes.
#include <doctest/doctest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "apps/plot.h"
#include "core/check.h"
#include "helpers.h"

using namespace og;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + what.size())) ++n;
  return n;
}

bool is_name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'));
}

// Every '&' starts one of the five named entities or a numeric reference.
bool entities_ok(const std::string& t) {
  for (size_t i = t.find('&'); i != std::string::npos; i = t.find('&', i + 1)) {
    const size_t semi = t.find(';', i);
    if (semi == std::string::npos) return false;
    const std::string e = t.substr(i + 1, semi - i - 1);
    static const std::set<std::string> named = {"amp", "lt", "gt", "quot", "apos"};
    const bool numeric = e.size() > 1 && e[0] == '#' && e.find_first_not_of("0123456789", 1) == std::string::npos;
    if (!named.count(e) && !numeric) return false;
  }
  return true;
}

// A small well-formedness check: an optional <?xml ...?> prolog, then exactly one
// root element named svg; tags balanced; attributes name="value" (or '...'),
// unique per element, separated by white space; no raw '<' or stray '&' in text or
// values; nothing but white space outside the root. Returns "" or the first problem.
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  std::string root;
  size_t i = 0;
  if (s.compare(0, 5, "<?xml") == 0) {
    i = s.find("?>");
    if (i == std::string::npos) return "unterminated prolog";
    i += 2;
  }
  while (i < s.size()) {
    if (s[i] != '<') {
      const size_t j = std::min(s.find('<', i), s.size());
      const std::string text = s.substr(i, j - i);
      if (open.empty() && text.find_first_not_of(" \t\r\n") != std::string::npos) return "text outside the root";
      if (!entities_ok(text)) return "bad '&' in text: " + text;
      i = j;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      i = s.find("-->", i);
      if (i == std::string::npos) return "unterminated comment";
      i += 3;
      continue;
    }
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    size_t j = i + 1 + closing;
    if (j >= s.size() || !is_name_char(s[j], true)) return "bad tag name at " + std::to_string(i);
    const size_t name_start = j;
    while (j < s.size() && is_name_char(s[j], false)) ++j;
    const std::string name = s.substr(name_start, j - name_start);
    if (closing) {
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size() || s[j] != '>') return "bad closing tag </" + name;
      if (open.empty() || open.back() != name) return "</" + name + "> does not close <" + (open.empty() ? "" : open.back()) + ">";
      open.pop_back();
      i = j + 1;
      continue;
    }
    std::set<std::string> attrs;
    bool self_closing = false;
    for (;;) {
      const size_t before = j;
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size()) return "unterminated <" + name;
      if (s[j] == '>') break;
      if (s.compare(j, 2, "/>") == 0) {
        self_closing = true;
        ++j;
        break;
      }
      if (j == before) return "no space before an attribute of <" + name;
      const size_t a = j;
      while (j < s.size() && is_name_char(s[j], j == a)) ++j;
      const std::string attr = s.substr(a, j - a);
      if (attr.empty() || j >= s.size() || s[j] != '=') return "attribute '" + attr + "' of <" + name + "> has no =value";
      if (!attrs.insert(attr).second) return "attribute '" + attr + "' twice in <" + name + ">";
      ++j;
      if (j >= s.size() || (s[j] != '"' && s[j] != '\'')) return "attribute '" + attr + "' of <" + name + "> is not quoted";
      const size_t end = s.find(s[j], j + 1);
      if (end == std::string::npos) return "unterminated value of '" + attr + "'";
      const std::string value = s.substr(j + 1, end - j - 1);
      if (value.find('<') != std::string::npos || !entities_ok(value)) return "bad value of '" + attr + "': " + value;
      j = end + 1;
    }
    if (open.empty()) {
      if (!root.empty()) return "a second root <" + name + ">";
      root = name;
    }
    if (!self_closing) open.push_back(name);
    i = j + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (root != "svg") return "the root is <" + root + ">, not <svg>";
  return "";
}

// The d attribute of the n-th element with class="line".
std::string line_path(const std::string& svg, size_t n) {
  size_t at = 0;
  for (size_t k = 0; k <= n; ++k) at = svg.find("class=\"line\"", at + 1);
  const size_t start = svg.rfind("<path d=\"", at) + 9;
  return svg.substr(start, svg.find('"', start) - start);
}

// The numeric value of attribute `attr` in every <text ... class="value"> element.
std::vector<double> value_font_sizes(const std::string& svg) {
  std::vector<double> sizes;
  for (size_t at = svg.find("class=\"value\""); at != std::string::npos; at = svg.find("class=\"value\"", at + 1)) {
    const size_t tag = svg.rfind("<text", at);
    const size_t fs = svg.find("font-size=\"", tag) + 11;
    sizes.push_back(std::stod(svg.substr(fs)));
  }
  return sizes;
}

}  // namespace

TEST_CASE("plot: the XML checker itself rejects what it should") {
  CHECK(xml_problem("<?xml version=\"1.0\"?>\n<svg a=\"1\" b='2'><g><text>x &amp; y</text></g><rect/></svg>\n") == "");
  CHECK(xml_problem("<svg><g></svg>") != "");              // unbalanced
  CHECK(xml_problem("<svg><g></svg></g>") != "");          // crossed
  CHECK(xml_problem("<svg a=1></svg>") != "");             // unquoted attribute
  CHECK(xml_problem("<svg a=\"1\"b=\"2\"></svg>") != "");  // no space between attributes
  CHECK(xml_problem("<svg a=\"1\" a=\"2\"></svg>") != ""); // duplicate attribute
  CHECK(xml_problem("<svg></svg><svg></svg>") != "");      // two roots
  CHECK(xml_problem("<svg>a & b</svg>") != "");            // raw ampersand
  CHECK(xml_problem("<svg a=\"<\"></svg>") != "");         // '<' in a value
  CHECK(xml_problem("<html></html>") != "");               // wrong root
}

TEST_CASE("plot: xml_escape and nice_ticks") {
  CHECK(cli::xml_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  CHECK(cli::xml_escape(std::string("bell\x07tab\t\xC3\xA9")) == "bell tab\t\xC3\xA9");  // UTF-8 kept
  const std::vector<double> fifths = cli::nice_ticks(0, 1, 5);
  REQUIRE(fifths.size() == 6);
  for (size_t i = 0; i < 6; ++i) CHECK(fifths[i] == doctest::Approx(0.2 * i));
  CHECK(cli::nice_ticks(0, 97, 5) == std::vector<double>{0, 20, 40, 60, 80});
  CHECK(cli::nice_ticks(0.13, 0.87, 5).size() == 7);  // step 0.1: 0.2 .. 0.8
  CHECK(cli::nice_ticks(0.13, 0.87, 5).front() == doctest::Approx(0.2));
  CHECK(cli::nice_ticks(-1, 1, 4) == std::vector<double>{-1, -0.5, 0, 0.5, 1});
  CHECK(cli::nice_ticks(0, 3, 10, true) == std::vector<double>{0, 1, 2, 3});  // never a 0.5 epoch
  CHECK(cli::nice_ticks(0, 3, 6, false).size() == 7);                         // 0, 0.5, ..., 3
  CHECK(cli::nice_ticks(2, 2, 5) == std::vector<double>{2});
  CHECK(cli::nice_ticks(-0.3, 0.3, 3)[1] == 0.0);  // exactly zero, printed "0" not "-0"
}

TEST_CASE("plot: heatmap of a confusion matrix") {
  test::TempDir dir;
  const std::vector<std::vector<double>> m = {{50, 3, 0, 0}, {7, 41, 17, 1}, {0, 9, 38, 2}, {0, 0, 4, 12}};
  const std::string path = dir.file("cm.svg");
  cli::plot_heatmap(path, "Confusion <test> & \"co\"", m, "predicted class", "true class");
  const std::string svg = test::read_file(path);
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("Confusion &lt;test&gt; &amp; &quot;co&quot;") != std::string::npos);
  CHECK(svg.find(">predicted class</text>") != std::string::npos);
  CHECK(svg.find(">true class</text>") != std::string::npos);
  CHECK(svg.find("font-family=\"sans-serif\"") != std::string::npos);
  CHECK(count(svg, "class=\"cell\"") == 16);
  CHECK(count(svg, "class=\"value\"") == 16);
  for (const char* v : {">50</text>", ">41</text>", ">17</text>", ">12</text>", ">0</text>"})
    CHECK_MESSAGE(svg.find(v) != std::string::npos, v);
  CHECK(svg.find("class=\"colorbar\"") != std::string::npos);
  for (size_t k = 0; k < 4; ++k) CHECK(svg.find(">" + std::to_string(k) + "</text>") != std::string::npos);
  // The largest cell is the darkest, so its number is white; others dark; zeros faint grey.
  CHECK(svg.find("fill=\"#ffffff\" class=\"value\">50<") != std::string::npos);
  CHECK(svg.find("fill=\"#222222\" class=\"value\">7<") != std::string::npos);
  CHECK(count(svg, "fill=\"#a6a6a6\" class=\"value\">0<") == 5);
  CHECK(svg.find("fill=\"#ffffff\" class=\"value\">0<") == std::string::npos);

  // Row-normalised: each row reads as shares of that row.
  cli::plot_heatmap(path, "shares", {{1, 3}, {0, 0}}, "p", "t", true, true);
  const std::string shares = test::read_file(path);
  CHECK(xml_problem(shares) == "");
  CHECK(shares.find(">0.25</text>") != std::string::npos);
  CHECK(shares.find(">0.75</text>") != std::string::npos);
  CHECK(count(shares, ">0.00</text>") == 2);  // a row of zeros stays zero
  CHECK(shares.find(">share of row</text>") != std::string::npos);

  // No numbers when asked not to show them.
  cli::plot_heatmap(path, "plain", m, "p", "t", false);
  CHECK(count(test::read_file(path), "class=\"value\"") == 0);
  CHECK(count(test::read_file(path), "class=\"cell\"") == 16);
}

TEST_CASE("plot: heatmap numbers stay readable up to K = 30, then are left out") {
  test::TempDir dir;
  for (size_t K : {12, 30, 40}) {
    std::vector<std::vector<double>> m(K, std::vector<double>(K, 0));
    for (size_t r = 0; r < K; ++r)
      for (size_t c = 0; c < K; ++c) m[r][c] = r == c ? 900 + r : (r + c) % 7;
    const std::string path = dir.file("k" + std::to_string(K) + ".svg");
    cli::plot_heatmap(path, "K = " + std::to_string(K), m, "predicted", "true");
    const std::string svg = test::read_file(path);
    CAPTURE(K);
    CHECK(xml_problem(svg) == "");
    CHECK(count(svg, "class=\"cell\"") == K * K);
    const std::vector<double> sizes = value_font_sizes(svg);
    if (K <= 30) {
      CHECK(sizes.size() == K * K);
      for (double fs : sizes) CHECK(fs >= 11);
      CHECK(svg.find(">" + std::to_string(900 + K - 1) + "</text>") != std::string::npos);
    } else {
      CHECK(sizes.empty());
    }
    // Crowded axes label every k-th class, never all of 40 at 12 px in 330 px.
    if (K == 40) CHECK(svg.find(">39</text>") == std::string::npos);
  }
  // Font shrinks as K grows (but stays >= 11).
  std::vector<std::vector<double>> small(3, std::vector<double>(3, 5)), big(30, std::vector<double>(30, 5));
  cli::plot_heatmap(dir.file("s.svg"), "s", small, "x", "y");
  cli::plot_heatmap(dir.file("b.svg"), "b", big, "x", "y");
  CHECK(value_font_sizes(test::read_file(dir.file("s.svg")))[0] > value_font_sizes(test::read_file(dir.file("b.svg")))[0]);
}

TEST_CASE("plot: heatmap errors") {
  test::TempDir dir;
  const std::string path = dir.file("bad.svg");
  CHECK_THROWS_WITH_AS(cli::plot_heatmap(path, "t", {{1, 2}, {3}}, "x", "y"),
                       ("plot_heatmap: " + path + ": row 1 has 1 values, row 0 has 2").c_str(), Error);
  CHECK_THROWS_WITH_AS(cli::plot_heatmap(path, "t", {{1, NAN}}, "x", "y"),
                       ("plot_heatmap: " + path + ": m[0][1] is nan").c_str(), Error);
  CHECK_THROWS_AS(cli::plot_heatmap(path, "t", {}, "x", "y"), Error);
  CHECK(dir.listing().empty());
}

TEST_CASE("plot: line chart of training curves skips NaN and inf") {
  test::TempDir dir;
  const std::string path = dir.file("curves.svg");
  cli::Series train{"train", {1, 2, 3, 4, 5}, {2.1, 1.4, 1.1, 0.95, 0.9}, {}};
  cli::Series val{"validation", {1, 2, 3, 4, 5}, {2.2, NAN, 1.3, INFINITY, 1.25}, {}};
  cli::plot_lines(path, "Loss per epoch", "epoch", "mean loss", {train, val});
  const std::string svg = test::read_file(path);
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("width=\"720\" height=\"440\"") != std::string::npos);
  for (const char* t : {">Loss per epoch</text>", ">epoch</text>", ">mean loss</text>", ">train</text>",
                        ">validation</text>"})
    CHECK_MESSAGE(svg.find(t) != std::string::npos, t);
  CHECK(svg.find("class=\"legend\"") != std::string::npos);
  std::string lower = svg;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(lower.find("nan") == std::string::npos);
  CHECK(lower.find("inf") == std::string::npos);
  // Markers: 5 train + 3 finite validation points + one per legend entry.
  CHECK(count(svg, "class=\"marker\"") == 5 + 3 + 2);
  CHECK(count(svg, "class=\"line\"") == 2);
  // The validation line breaks at each skipped point: three pieces, each starting with M.
  CHECK(count(line_path(svg, 0), "M") == 1);
  CHECK(count(line_path(svg, 1), "M") == 3);
  CHECK(count(line_path(svg, 1), "L") == 0);
  // Epochs are integers: no tick at 1.5.
  CHECK(svg.find(">1.5</text>") == std::string::npos);
  CHECK(svg.find(">3</text>") != std::string::npos);

  // One series with error bars: no legend, one error bar per nonzero error.
  cli::Series explain{"rps", {0, 1, 2, 3}, {0.4, 0.1, 0.3, 0.9}, {0.05, 0, 0.02, 0.1}};
  cli::plot_lines(path, "loss if the model predicts j", "predicted class j", "loss", {explain}, false);
  const std::string one = test::read_file(path);
  CHECK(xml_problem(one) == "");
  CHECK(one.find("class=\"legend\"") == std::string::npos);
  CHECK(count(one, "class=\"errbar\"") == 3);
  CHECK(count(one, "class=\"marker\"") == 0);

  // Nothing finite at all still gives a valid, empty frame.
  cli::plot_lines(path, "empty", "x", "y", {{"none", {1, 2}, {NAN, NAN}, {}}});
  CHECK(xml_problem(test::read_file(path)) == "");
  CHECK(count(test::read_file(path), "class=\"line\"") == 0);

  CHECK_THROWS_WITH_AS(cli::plot_lines(path, "t", "x", "y", {{"s", {1, 2}, {1}, {}}}),
                       ("plot_lines: " + path + ": series 's' has 2 x and 1 y values").c_str(), Error);
  CHECK_THROWS_AS(cli::plot_lines(path, "t", "x", "y", {{"s", {1, 2}, {1, 2}, {0.1}}}), Error);
}

TEST_CASE("plot: grouped bars with error bars") {
  test::TempDir dir;
  const std::string path = dir.file("bars.svg");
  const std::vector<std::string> groups = {"accuracy", "within 1"};
  std::vector<cli::Bar> bars = {{"ce", {0.61, 0.88}, {0.02, 0.01}},
                                {"rps", {0.58, 0.93}, {0.03, 0.01}},
                                {"ev_l1", {0.49, 0.91}, {0.04, 0.02}}};
  cli::plot_bars(path, "Loss comparison (mean ± sd over 5 seeds)", "score", groups, bars);
  const std::string svg = test::read_file(path);
  CHECK(xml_problem(svg) == "");
  for (const char* t : {">score</text>", ">accuracy</text>", ">within 1</text>", ">ce</text>", ">rps</text>",
                        ">ev_l1</text>", "mean \xC2\xB1 sd"})
    CHECK_MESSAGE(svg.find(t) != std::string::npos, t);
  CHECK(count(svg, "class=\"bar\"") == 6);
  CHECK(count(svg, "class=\"errbar\"") == 6);
  CHECK(svg.find("rotate(-35") == std::string::npos);  // short labels stay horizontal

  // Long labels are rotated; a NaN value draws no bar; no errors, no error bars.
  bars = {{"cumulative link (logit)", {0.5, NAN}, {}}, {"soft labels with a wide kernel", {0.4, 0.7}, {}}};
  for (int i = 0; i < 8; ++i) bars.push_back({"loss number " + std::to_string(i), {0.1 * i, -0.05 * i}, {}});
  cli::plot_bars(path, "many", "score", groups, bars);
  const std::string many = test::read_file(path);
  CHECK(xml_problem(many) == "");
  CHECK(count(many, "class=\"bar\"") == 2 * 10 - 1);
  CHECK(count(many, "class=\"errbar\"") == 0);
  CHECK(many.find("rotate(-35") != std::string::npos);

  // A single series has no legend.
  cli::plot_bars(path, "one", "score", {"accuracy"}, {{"ce", {0.6}, {0.1}}});
  CHECK(test::read_file(path).find("class=\"legend\"") == std::string::npos);
  CHECK(count(test::read_file(path), "class=\"bar\"") == 1);

  CHECK_THROWS_WITH_AS(cli::plot_bars(path, "t", "y", groups, {{"ce", {0.5}, {}}}),
                       ("plot_bars: " + path + ": bar 'ce' has 1 values for 2 series").c_str(), Error);
  CHECK_THROWS_AS(cli::plot_bars(path, "t", "y", groups, {{"ce", {0.5, 0.6}, {0.1}}}), Error);
  CHECK_THROWS_AS(cli::plot_bars(path, "t", "y", {}, {}), Error);
}

TEST_CASE("plot: a file that cannot be written throws, naming the path, and leaves nothing behind") {
  test::TempDir dir;
  const std::string missing = dir.file("no/such/dir/chart.svg");
  CHECK_THROWS_WITH_AS(cli::plot_lines(missing, "t", "x", "y", {}),
                       ("cannot write '" + missing + "': cannot create '" + missing + ".tmp." +
                        std::to_string(getpid()) + "': No such file or directory").c_str(), Error);
  // The target is a non-empty directory: the temporary file is written, the rename fails.
  std::filesystem::create_directory(dir.file("taken"));
  std::ofstream(dir.file("taken/keep")) << "x";
  CHECK_THROWS_AS(cli::plot_heatmap(dir.file("taken"), "t", {{1}}, "x", "y"), Error);
  CHECK_THROWS_AS(cli::plot_bars(dir.file("taken"), "t", "y", {"a"}, {{"b", {1}, {}}}), Error);
  CHECK(dir.listing() == std::vector<std::string>{"taken"});
  // An existing chart is replaced whole.
  const std::string path = dir.file("chart.svg");
  cli::plot_lines(path, "first", "x", "y", {{"a", {0, 1}, {0, 1}, {}}});
  cli::plot_lines(path, "second", "x", "y", {{"a", {0, 1}, {0, 1}, {}}});
  CHECK(test::read_file(path).find(">second</text>") != std::string::npos);
  CHECK(dir.listing() == std::vector<std::string>{"chart.svg", "taken"});
}
