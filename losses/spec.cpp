// spec.cpp — parsing loss specs, and the one table that maps names to loss nodes.
#include "losses/spec.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>

#include "core/ops.h"
#include "losses/cdw_ce.h"
#include "losses/ce.h"
#include "losses/class_weights.h"
#include "losses/clm.h"
#include "losses/coral.h"
#include "losses/corn.h"
#include "losses/cum_bce.h"
#include "losses/ev.h"
#include "losses/group_total.h"
#include "losses/mean_var.h"
#include "losses/reduce.h"
#include "losses/reg.h"
#include "losses/rps.h"
#include "losses/soft_target.h"

namespace og {

namespace {

enum class Kind { number, boolean, choice };

struct Key {
  const char* name;
  Kind kind;
  const char* fallback;
  const char* choices = "";  // for Kind::choice: "a|b"
};

// Typed access to one term's options (validated at parse time).
struct Options {
  const LossTerm& term;
  float num(const char* key, float fallback) const {
    auto it = term.options.find(key);
    return it == term.options.end() ? fallback : std::strtof(it->second.c_str(), nullptr);
  }
  bool flag(const char* key) const {
    auto it = term.options.find(key);
    return it != term.options.end() && (it->second == "1" || it->second == "true");
  }
  std::string str(const char* key, const char* fallback) const {
    auto it = term.options.find(key);
    return it == term.options.end() ? fallback : it->second;
  }
};

using Builder = std::function<Var(Var, const LossTarget&, const Options&)>;
// The sum the loss's weighted mean divides by on this target (see LossSpec::denominators).
using Denominator = double (*)(const LossTarget&, const Options&);

struct Entry {
  const char* name;
  Head head;
  std::vector<Key> keys;
  Builder build;
  Denominator denominator;
};

// Most losses: sum_i w_i (losses/reduce.h).
double item_weights(const LossTarget& t, const Options&) {
  double sum = 0;
  for (double w : loss_weights("loss", t.labels, t.K, t.class_weights, t.sample_weights)) sum += w;
  return sum;
}

// corn: sum_i w_i * (number of its conditional tasks), losses/corn.cpp.
double corn_pairs(const LossTarget& t, const Options&) {
  const std::vector<double> w = loss_weights("corn", t.labels, t.K, t.class_weights, t.sample_weights);
  double sum = 0;
  for (size_t i = 0; i < w.size(); ++i) sum += w[i] * std::min(t.labels[i] + 1, t.K - 1);
  return sum;
}

int group_of(const Options& o);

// Group totals: sum over groups of the mean sample weight of its items (class weights
// do not apply), losses/total_common.cpp.
double group_weights(const LossTarget& t, const Options& o) {
  const std::vector<double> w = loss_weights("total", t.labels, t.K, {}, t.sample_weights);
  const size_t G = size_t(group_of(o));
  double sum = 0;
  for (size_t g = 0; g + G <= w.size(); g += G) {
    double group = 0;
    for (size_t i = g; i < g + G; ++i) group += w[i];
    sum += group / double(G);
  }
  return sum;
}

// Largest group= accepted: a group is rows of one batch, and its total's distribution
// has group*(K-1)+1 entries.
constexpr int kMaxGroup = 1 << 16;

int group_of(const Options& o) { return static_cast<int>(o.num("group", 8)); }  // checked by group()

ClmLink link_of(const Options& o) { return o.str("link", "logit") == "probit" ? ClmLink::probit : ClmLink::logit; }

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      {"ce", Head::softmax, {{"smoothing", Kind::number, "0"}},
       [](Var z, const LossTarget& t, const Options& o) {
         return cross_entropy(z, t.labels, CeOptions{t.class_weights, t.sample_weights, o.num("smoothing", 0)});
       }, item_weights},
      {"rps", Head::softmax, {{"normalize", Kind::boolean, "false"}},
       [](Var z, const LossTarget& t, const Options& o) { return rps(z, t, o.flag("normalize")); }, item_weights},
      {"ev_l1", Head::softmax, {},
       [](Var z, const LossTarget& t, const Options&) { return ev_loss(z, t, EvDistance::l1); }, item_weights},
      {"ev_l2", Head::softmax, {},
       [](Var z, const LossTarget& t, const Options&) { return ev_loss(z, t, EvDistance::l2); }, item_weights},
      {"ev_huber", Head::softmax, {{"delta", Kind::number, "1"}},
       [](Var z, const LossTarget& t, const Options& o) {
         return ev_loss(z, t, EvDistance::huber, o.num("delta", 1));
       }, item_weights},
      {"cum_bce", Head::softmax, {},
       [](Var z, const LossTarget& t, const Options&) { return cum_bce(z, t); }, item_weights},
      {"cdw_ce", Head::softmax, {{"alpha", Kind::number, "1"}, {"normalize", Kind::boolean, "false"}},
       [](Var z, const LossTarget& t, const Options& o) {
         return cdw_ce(z, t, o.num("alpha", 1), o.flag("normalize"));
       }, item_weights},
      {"sord", Head::softmax, {{"alpha", Kind::number, "1"}, {"squared", Kind::boolean, "false"}},
       [](Var z, const LossTarget& t, const Options& o) {
         return sord(z, t, o.num("alpha", 1), o.flag("squared"));
       }, item_weights},
      {"gauss_ld", Head::softmax, {{"sigma", Kind::number, "1"}},
       [](Var z, const LossTarget& t, const Options& o) { return gauss_ld(z, t, o.num("sigma", 1)); }, item_weights},
      {"mean_var", Head::softmax, {{"l1", Kind::number, "0.2"}, {"l2", Kind::number, "0.05"}},
       [](Var z, const LossTarget& t, const Options& o) {
         return mean_var(z, t, o.num("l1", 0.2f), o.num("l2", 0.05f));
       }, item_weights},
      {"total_nll", Head::softmax, {{"group", Kind::number, "8"}},
       [](Var z, const LossTarget& t, const Options& o) { return total_nll(z, t, group_of(o)); }, group_weights},
      {"total_crps", Head::softmax, {{"group", Kind::number, "8"}},
       [](Var z, const LossTarget& t, const Options& o) { return total_crps(z, t, group_of(o)); }, group_weights},
      {"total_ev_l1", Head::softmax, {{"group", Kind::number, "8"}},
       [](Var z, const LossTarget& t, const Options& o) { return total_ev_l1(z, t, group_of(o)); }, group_weights},
      {"coral", Head::coral, {},
       [](Var s, const LossTarget& t, const Options&) { return coral(s, t); }, item_weights},
      {"corn", Head::corn, {},
       [](Var s, const LossTarget& t, const Options&) { return corn(s, t); }, corn_pairs},
      {"clm", Head::clm, {{"link", Kind::choice, "logit", "logit|probit"}},
       [](Var c, const LossTarget& t, const Options& o) { return clm(c, t, link_of(o)); }, item_weights},
      {"reg_l1", Head::regression, {},
       [](Var r, const LossTarget& t, const Options&) { return reg_loss(r, t, RegDistance::l1); }, item_weights},
      {"reg_l2", Head::regression, {},
       [](Var r, const LossTarget& t, const Options&) { return reg_loss(r, t, RegDistance::l2); }, item_weights},
      {"reg_huber", Head::regression, {{"delta", Kind::number, "1"}},
       [](Var r, const LossTarget& t, const Options& o) {
         return reg_loss(r, t, RegDistance::huber, o.num("delta", 1));
       }, item_weights},
  };
  return entries;
}

const Entry* find(const std::string& name) {
  for (const Entry& e : table())
    if (name == e.name) return &e;
  return nullptr;
}

std::string names() {
  std::string s;
  for (const Entry& e : table()) s += std::string(s.empty() ? "" : ", ") + e.name;
  return s;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

bool parse_number(const std::string& s, float& out) {
  char* end = nullptr;
  out = std::strtof(s.c_str(), &end);
  return !s.empty() && *end == '\0' && std::isfinite(out);
}

void check_value(const std::string& spec, const Entry& e, const Key& k, const std::string& v) {
  float x;
  switch (k.kind) {
    case Kind::number:
      OG_CHECK(parse_number(v, x), "loss '", spec, "': ", e.name, ":", k.name, " expects a number, got '", v, "'");
      break;
    case Kind::boolean:
      OG_CHECK(v == "1" || v == "0" || v == "true" || v == "false", "loss '", spec, "': ", e.name, ":",
               k.name, " expects true or false, got '", v, "'");
      break;
    case Kind::choice: {
      bool ok = false;
      for (const std::string& c : split(k.choices, '|')) ok = ok || c == v;
      OG_CHECK(ok, "loss '", spec, "': ", e.name, ":", k.name, " must be one of ", k.choices, ", got '", v, "'");
      break;
    }
  }
}

}  // namespace

LossSpec LossSpec::parse(const std::string& text) {
  LossSpec spec;
  spec.text_ = text;
  OG_CHECK(!trim(text).empty(), "loss spec is empty (known losses: ", names(), ")");
  for (const std::string& raw : split(text, '+')) {
    std::string t = trim(raw);
    OG_CHECK(!t.empty(), "loss '", text, "': empty term (terms are joined by '+')");
    LossTerm term;
    const size_t star = t.find('*');
    if (star != std::string::npos) {
      OG_CHECK(parse_number(trim(t.substr(0, star)), term.coef), "loss '", text, "': bad coefficient '",
               t.substr(0, star), "' (expected coef*name)");
      t = trim(t.substr(star + 1));
    }
    const size_t colon = t.find(':');
    term.name = trim(t.substr(0, colon));
    const Entry* e = find(term.name);
    OG_CHECK(e, "loss '", text, "': unknown loss '", term.name, "' (known: ", names(), ")");
    if (colon != std::string::npos) {
      for (const std::string& kv : split(t.substr(colon + 1), ',')) {
        const size_t eq = kv.find('=');
        OG_CHECK(eq != std::string::npos, "loss '", text, "': expected key=value, got '", kv, "'");
        const std::string key = trim(kv.substr(0, eq)), value = trim(kv.substr(eq + 1));
        if (key == "weights") {  // every loss takes class weights; check the scheme now
          class_weights(value, {0}, 1);
          term.options[key] = value;
          continue;
        }
        const Key* k = nullptr;
        std::string known;
        for (const Key& c : e->keys) {
          if (key == c.name) k = &c;
          known += std::string(known.empty() ? "" : ", ") + c.name;
        }
        OG_CHECK(k, "loss '", text, "': ", term.name, " has no option '", key, "' (known: ",
                 known.empty() ? std::string("") : known + ", ", "weights)");
        check_value(text, *e, *k, value);
        term.options[key] = value;
      }
    }
    if (spec.terms_.empty()) spec.head_ = e->head;
    OG_CHECK(e->head == spec.head_, "loss '", text, "': ", term.name, " reads a ", head_name(e->head),
             " head, ", spec.terms_[0].name, " a ", head_name(spec.head_), " head; they cannot be added");
    spec.terms_.push_back(term);
  }
  spec.group();  // checks the group sizes agree
  return spec;
}

void LossSpec::fit(const std::vector<int>& labels, int K, const std::vector<float>& sample_weights) {
  for (LossTerm& t : terms_) {
    auto it = t.options.find("weights");
    if (it != t.options.end()) t.class_weights = class_weights(it->second, labels, K, sample_weights);
  }
}

int LossSpec::group() const {
  int g = 0;
  for (const LossTerm& t : terms_) {
    auto it = t.options.find("group");
    if (it == t.options.end() && t.name.rfind("total_", 0) == 0) g = std::max(g, 8);
    if (it != t.options.end()) {
      // Range first, then the cast: a float beyond int's range must not reach static_cast<int>.
      const float f = std::strtof(it->second.c_str(), nullptr);
      OG_CHECK(f >= 1 && f <= kMaxGroup && f == std::floor(f), "loss '", text_, "': ", t.name,
               ":group must be a whole number in [1, ", kMaxGroup, "], got '", it->second, "'");
      const int v = static_cast<int>(f);
      OG_CHECK(g == 0 || g == v, "loss '", text_, "': terms use different group sizes");
      g = v;
    }
  }
  return g;
}

LossSpec LossSpec::with_default_group(int G) const {
  LossSpec s = *this;
  for (LossTerm& t : s.terms_)
    if (t.name.rfind("total_", 0) == 0 && !t.options.count("group")) t.options["group"] = std::to_string(G);
  s.group();
  return s;
}

namespace {
// The target a term reads: the spec's fitted class weights, when it has them.
LossTarget term_target(const std::string& text, const LossTerm& t, const LossTarget& target) {
  if (t.class_weights.empty()) return target;
  OG_CHECK(int(t.class_weights.size()) == target.K, "loss '", text, "': class weights fitted for ",
           t.class_weights.size(), " classes, used with ", target.K);
  LossTarget weighted = target;
  weighted.class_weights = t.class_weights;
  return weighted;
}
}  // namespace

Var LossSpec::build(Var outputs, const LossTarget& target) const { return build(outputs, target, {}); }

Var LossSpec::build(Var outputs, const LossTarget& target, const std::vector<double>& scales) const {
  OG_CHECK(outputs.shape().nd == 2, "loss '", text_, "': needs outputs [N,W], got ", outputs.shape());
  OG_CHECK(scales.empty() || scales.size() == terms_.size(), "loss '", text_, "': ", scales.size(),
           " scales for ", terms_.size(), " terms");
  Var total;
  for (size_t i = 0; i < terms_.size(); ++i) {
    const LossTerm& t = terms_[i];
    Var v = find(t.name)->build(outputs, term_target(text_, t, target), Options{t});
    const float coef = scales.empty() ? t.coef : static_cast<float>(t.coef * scales[i]);
    if (coef != 1.0f) v = mul_scalar(v, coef);
    total = total.node ? add(total, v) : v;
  }
  return total;
}

std::vector<double> LossSpec::denominators(const LossTarget& target) const {
  std::vector<double> d;
  for (const LossTerm& t : terms_) {
    const Entry* e = find(t.name);
    OG_CHECK(e->denominator != nullptr, "loss '", t.name, "' has no denominator in the loss table");
    d.push_back(e->denominator(term_target(text_, t, target), Options{t}));
  }
  return d;
}

std::string LossSpec::catalogue() {
  std::ostringstream s;
  for (const Entry& e : table()) {
    s << "  " << e.name << " (" << head_name(e.head) << " head)";
    for (size_t i = 0; i < e.keys.size(); ++i)
      s << (i ? "," : ":") << e.keys[i].name << '=' << e.keys[i].fallback;
    s << '\n';
  }
  return s.str();
}

}  // namespace og
