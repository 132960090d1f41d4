// schedule.cpp — learning-rate schedules and their spec strings (formulas in schedule.h).
#include "optim/schedule.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/check.h"

namespace og {

float LrSchedule::lr(int64_t step) const {
  const double base = base_lr;
  if (step < warmup) return static_cast<float>(base * double(step + 1) / double(warmup));
  const int64_t s = step - warmup;
  switch (kind) {
    case Kind::constant:
      return base_lr;
    case Kind::step:
      return static_cast<float>(base * std::pow(double(gamma), double(s / every)));
    case Kind::cosine: {
      const double frac = double(s < total ? s : total) / double(total);
      const double pi = std::acos(-1.0);
      return static_cast<float>(min_lr + (base - min_lr) * 0.5 * (1.0 + std::cos(pi * frac)));
    }
  }
  return base_lr;
}

LrSchedule LrSchedule::constant(float base_lr) {
  LrSchedule s;
  s.base_lr = base_lr;
  return s;
}

LrSchedule LrSchedule::step_decay(float base_lr, int64_t every, float gamma) {
  OG_CHECK(every >= 1, "schedule: step decay every ", every, " steps; must be >= 1");
  LrSchedule s = constant(base_lr);
  s.kind = Kind::step;
  s.every = every;
  s.gamma = gamma;
  return s;
}

LrSchedule LrSchedule::cosine(float base_lr, int64_t total, float min_lr) {
  OG_CHECK(total >= 1, "schedule: cosine over ", total, " steps; must be >= 1");
  LrSchedule s = constant(base_lr);
  s.kind = Kind::cosine;
  s.total = total;
  s.min_lr = min_lr;
  return s;
}

LrSchedule LrSchedule::with_warmup(int64_t steps) const {
  OG_CHECK(steps >= 0, "schedule: warm-up of ", steps, " steps; must be >= 0");
  LrSchedule s = *this;
  s.warmup = steps;
  return s;
}

namespace {
double number(const std::string& spec, const std::string& key, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  OG_CHECK(!text.empty() && *end == '\0' && errno == 0 && std::isfinite(v), "schedule '", spec,
           "': ", key, "=", text, " is not a number");
  return v;
}

int64_t count(const std::string& spec, const std::string& key, const std::string& text) {
  const double v = number(spec, key, text);
  OG_CHECK(v == std::floor(v) && v >= 0 && v < 9e15, "schedule '", spec, "': ", key, "=", text,
           " is not a whole number >= 0");
  return static_cast<int64_t>(v);
}
}  // namespace

LrSchedule LrSchedule::parse(const std::string& spec, float base_lr) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  OG_CHECK(kind == "constant" || kind == "step" || kind == "cosine", "schedule '", spec,
           "': unknown schedule '", kind, "' (constant, step, cosine)");
  int64_t every = 0, total = 0, warm = 0;
  double gamma = 0.1, min = 0.0;
  bool has_every = false, has_total = false;
  if (colon != std::string::npos) {
    const std::string opts = spec.substr(colon + 1);
    size_t start = 0;
    while (start <= opts.size()) {
      size_t comma = opts.find(',', start);
      if (comma == std::string::npos) comma = opts.size();
      const std::string kv = opts.substr(start, comma - start);
      const size_t eq = kv.find('=');
      OG_CHECK(eq != std::string::npos, "schedule '", spec, "': option '", kv,
               "' is not key=value");
      const std::string key = kv.substr(0, eq), val = kv.substr(eq + 1);
      if (key == "warmup") warm = count(spec, key, val);
      else if (key == "every" && kind == "step") every = count(spec, key, val), has_every = true;
      else if (key == "gamma" && kind == "step") gamma = number(spec, key, val);
      else if (key == "total" && kind == "cosine") total = count(spec, key, val), has_total = true;
      else if (key == "min" && kind == "cosine") min = number(spec, key, val);
      else OG_CHECK(false, "schedule '", spec, "': unknown option '", key, "' for ", kind);
      start = comma + 1;
    }
  }
  LrSchedule s = constant(base_lr);
  if (kind == "step") {
    OG_CHECK(has_every, "schedule '", spec, "': step needs every=K");
    s = step_decay(base_lr, every, static_cast<float>(gamma));
  } else if (kind == "cosine") {
    OG_CHECK(has_total, "schedule '", spec, "': cosine needs total=T");
    s = cosine(base_lr, total, static_cast<float>(min));
  }
  return s.with_warmup(warm);
}

}  // namespace og
