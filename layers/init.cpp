// init.cpp — Kaiming and Xavier initialisers (formulas in init.h).
#include "layers/init.h"

#include <cmath>

#include "core/check.h"

namespace og {

namespace {
void fill_uniform(Tensor& w, float bound, Rng& rng) {
  for (int64_t i = 0; i < w.numel(); ++i) w[i] = rng.uniform(-bound, bound);
}
void fill_normal(Tensor& w, float sd, Rng& rng) {
  for (int64_t i = 0; i < w.numel(); ++i) w[i] = sd * rng.normal();
}
}  // namespace

void kaiming_uniform(Tensor& w, int64_t fan_in, Rng& rng) {
  OG_CHECK(fan_in > 0, "kaiming_uniform: fan_in must be positive, got ", fan_in, " for ", w.shape());
  fill_uniform(w, static_cast<float>(std::sqrt(6.0 / fan_in)), rng);
}

void fan_in_uniform(Tensor& w, int64_t fan_in, Rng& rng) {
  OG_CHECK(fan_in > 0, "fan_in_uniform: fan_in must be positive, got ", fan_in, " for ", w.shape());
  fill_uniform(w, static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in))), rng);
}

void kaiming_normal(Tensor& w, int64_t fan_in, Rng& rng) {
  OG_CHECK(fan_in > 0, "kaiming_normal: fan_in must be positive, got ", fan_in, " for ", w.shape());
  fill_normal(w, static_cast<float>(std::sqrt(2.0 / fan_in)), rng);
}

void xavier_uniform(Tensor& w, int64_t fan_in, int64_t fan_out, Rng& rng) {
  OG_CHECK(fan_in > 0 && fan_out > 0, "xavier_uniform: fans must be positive, got ", fan_in, " and ",
           fan_out, " for ", w.shape());
  fill_uniform(w, static_cast<float>(std::sqrt(6.0 / (fan_in + fan_out))), rng);
}

void xavier_normal(Tensor& w, int64_t fan_in, int64_t fan_out, Rng& rng) {
  OG_CHECK(fan_in > 0 && fan_out > 0, "xavier_normal: fans must be positive, got ", fan_in, " and ",
           fan_out, " for ", w.shape());
  fill_normal(w, static_cast<float>(std::sqrt(2.0 / (fan_in + fan_out))), rng);
}

}  // namespace og
