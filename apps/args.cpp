// args.cpp — flag parsing (see args.h).
#include "apps/args.h"

#include <cerrno>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/check.h"
#include "model/data.h"

namespace og::cli {

Args::Args(std::string command, std::vector<Flag> flags)
    : command_(std::move(command)), flags_(std::move(flags)) {}

const Flag& Args::find(const std::string& name) const {
  for (const Flag& f : flags_)
    if (f.name == name) return f;
  throw Error(cat(command_, ": unknown flag --", name, " (see ordgrad ", command_, " --help)"));
}

bool Args::parse(int argc, char** argv, int first, bool print_help) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      if (print_help) std::fputs(usage().c_str(), stdout);
      return false;
    }
    if (a.rfind("--", 0) != 0) {
      positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Flag& f = find(name);
    if (f.boolean) {
      OG_CHECK(!inline_value || value == "1" || value == "0", command_, ": --", name,
               " is a switch and takes no value");
      given_[name] = inline_value ? value : "1";
      continue;
    }
    if (!inline_value) {
      OG_CHECK(i + 1 < argc, command_, ": --", name, " needs a value");
      value = argv[++i];
    }
    given_[name] = value;
  }
  return true;
}

std::string Args::usage() const {
  std::ostringstream s;
  s << "usage: ordgrad " << command_ << " [flags]\n";
  for (const Flag& f : flags_) {
    std::string left = "  --" + f.name + (f.boolean ? "" : " VALUE");
    if (left.size() < 28) left.resize(28, ' ');
    s << left << ' ' << f.help;
    if (!f.fallback.empty() && !f.boolean) s << " (default " << f.fallback << ")";
    s << '\n';
  }
  return s.str();
}

bool Args::has(const std::string& name) const {
  find(name);
  return given_.count(name) != 0;
}

std::string Args::str(const std::string& name) const {
  const Flag& f = find(name);
  auto it = given_.find(name);
  return it != given_.end() ? it->second : f.fallback;
}

double Args::number(const std::string& name) const {
  const std::string v = str(name);
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(v.c_str(), &end);
  OG_CHECK(!v.empty() && end && *end == '\0' && errno == 0 && std::isfinite(x), command_, ": --",
           name, " expects a number, got '", v, "'");
  return x;
}

int Args::integer(const std::string& name) const {
  const std::string v = str(name);
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v.c_str(), &end, 10);
  OG_CHECK(!v.empty() && end && *end == '\0' && errno == 0 && x >= -2147483647L && x <= 2147483647L,
           command_, ": --", name, " expects an integer, got '", v, "'");
  return static_cast<int>(x);
}

bool Args::flag(const std::string& name) const { return str(name) == "1"; }

void parse_image_size(const std::string& text, const std::string& command, int& height, int& width) {
  const size_t x = text.find_first_of("xX");
  const auto side = [&](const std::string& t, int& v) {
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(t.c_str(), &end, 10);
    const bool ok = !t.empty() && std::isdigit(static_cast<unsigned char>(t[0])) && *end == '\0' && errno == 0 &&
                    n >= 1 && n <= 16384;
    OG_CHECK(ok, command, ": --image-size expects H or HxW (height x width, integers 1..16384), got '", text, "'");
    v = static_cast<int>(n);
  };
  side(text.substr(0, x), height);
  if (x == std::string::npos) width = height;
  else side(text.substr(x + 1), width);
}

std::vector<Flag> with_scoring_data_flags(std::vector<Flag> own) {
  const std::vector<Flag> data = {
      {"weight-column", "", "tables: column of per-row frequency weights"},
      {"test-fraction", "0.2", "tables: share of rows in the test split"},
      {"split-seed", "0", "tables: seed of the train/test split; label folders: of the train/val/test split (default: the model's)"},
      {"split", "", "label folders: train,val,test fractions (default: the model's, as trained)"},
      {"skip-bad", "", "images: leave out (and count) files that cannot be read or decoded", true},
      {"stream", "", "images: decode each batch from disk when needed instead of all images first (bounded memory)", true},
      {"stream-above-mb", "4096", "images: stream without --stream when the decoded images would exceed this many MB (0 = never)"},
  };
  own.insert(own.end(), data.begin(), data.end());
  return own;
}

DataOptions scoring_data_options(const Args& a) {
  DataOptions o;
  o.weight_column = a.str("weight-column");
  o.test_fraction = a.number("test-fraction");
  o.split_seed = static_cast<uint64_t>(a.integer("split-seed"));
  o.split_seed_given = a.has("split-seed");
  if (a.has("split")) o.split = a.str("split");
  o.skip_bad = a.flag("skip-bad");
  o.stream = a.flag("stream");
  const int mb = a.integer("stream-above-mb");
  OG_CHECK(mb >= 0, "--stream-above-mb must be >= 0, got ", mb);
  o.stream_above_mb = mb;
  return o;
}

NamedData load_scoring_data(const Args& a, const ModelInfo& info, const char* command) {
  NamedData d = load_for_model(a.str("data"), info, scoring_data_options(a), command);
  if (!d.skipped_images.empty())
    std::fprintf(stderr, "%s: skipped %zu image(s) that could not be loaded (--skip-bad), the first %s\n", command,
                 d.skipped_images.size(), d.skipped_images[0].c_str());
  return d;
}

bool totals_wanted(const Args& a, const char* command) {
  const std::string g = a.str("group");
  if (g == "column") return true;
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(g.c_str(), &end, 10);
  OG_CHECK(!g.empty() && std::isdigit(static_cast<unsigned char>(g[0])) && *end == '\0' && errno == 0 &&
               n <= 1000000,
           command, ": --group expects a group size G >= 0 or 'column', got '", g, "'");
  return n > 0;
}

GroupFlag group_flag(const Args& a, const NamedData& d, const char* command) {
  GroupFlag f;
  if (!totals_wanted(a, command)) return f;
  if (a.str("group") == "column") {
    OG_CHECK(!d.groups.empty(), command, ": --group column: ", a.str("data"),
             " has no group column (a manifest's `group`); give a group size instead");
    f.rows = groups_by_id(d.groups);
    for (const std::vector<int64_t>& rows : f.rows) f.ids.push_back(d.groups[size_t(rows[0])]);
    f.what = "groups by the group column";
    return f;
  }
  const int G = a.integer("group");
  f.rows = consecutive_groups(d.data.size(), G);
  for (size_t g = 0; g < f.rows.size(); ++g) f.ids.push_back(int(g));
  f.what = cat("groups of ", G);
  return f;
}

std::vector<float> parse_floats(const std::string& text, const std::string& what) {
  std::vector<float> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    char* end = nullptr;
    const double x = std::strtod(item.c_str(), &end);
    OG_CHECK(!item.empty() && end && *end == '\0' && std::isfinite(x), what,
             ": expected comma-separated numbers, got '", item, "'");
    out.push_back(static_cast<float>(x));
  }
  OG_CHECK(!out.empty(), what, ": expected comma-separated numbers, got nothing");
  return out;
}

}  // namespace og::cli
