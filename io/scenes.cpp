// scenes.cpp — RGB counting scenes: layout by rejection sampling, then painting.
// The scene model (sizes, colours, occlusion rule) is stated in scenes.h.
#include "io/scenes.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "core/rng.h"

namespace og {

namespace {

constexpr float kPi = 3.14159265f;

void hsv_to_rgb(float h, float s, float v, float out[3]) {
  const float c = v * s, hp = h * 6, x = c * (1 - std::abs(std::fmod(hp, 2.0f) - 1));
  float r = 0, g = 0, b = 0;
  switch (std::min(5, int(hp))) {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x;
  }
  out[0] = r + v - c, out[1] = g + v - c, out[2] = b + v - c;
}

void vivid_colour(Rng& rng, float out[3]) {
  const float h = rng.uniform(), s = rng.uniform(0.5f, 1.0f), v = rng.uniform(0.65f, 1.0f);
  hsv_to_rgb(h, s, v, out);
}

// Radius of the disc around the centre that holds the whole shape.
float reach(const SceneShape& p) {
  switch (p.kind) {
    case SceneKind::square: return p.a * 1.4143f;
    case SceneKind::ring: return p.a + 0.5f * p.b;
    case SceneKind::line: return p.a + 0.5f * p.b;
    default: return std::max(p.a, p.b);
  }
}

// Signed distance (pixels, > 0 inside) of the point (x, y) to the shape's edge; the
// ellipse's is the usual first-order estimate, exact enough for one-pixel smoothing.
// c, s: cos and sin of p.angle (computed once per shape, not per pixel).
float inside(const SceneShape& p, float c, float s, float x, float y) {
  const float dx = x - p.cx, dy = y - p.cy;
  const float u = c * dx + s * dy, v = -s * dx + c * dy;
  switch (p.kind) {
    case SceneKind::disc: return p.a - std::sqrt(dx * dx + dy * dy);
    case SceneKind::ellipse: {
      const float n = std::sqrt((u / p.a) * (u / p.a) + (v / p.b) * (v / p.b));
      return (1 - n) * std::min(p.a, p.b);
    }
    case SceneKind::square: return p.a - std::max(std::abs(u), std::abs(v));
    case SceneKind::ring: return 0.5f * p.b - std::abs(std::sqrt(dx * dx + dy * dy) - p.a);
    case SceneKind::line: {
      const float along = std::clamp(u, -p.a, p.a);
      return 0.5f * p.b - std::sqrt((u - along) * (u - along) + v * v);
    }
  }
  return -1;
}

// A counted shape of a random kind, size and colour; plan_scene places it.
SceneShape counted_shape(Rng& rng, float s) {
  SceneShape p;
  p.kind = static_cast<SceneKind>(rng.below(3));
  if (p.kind == SceneKind::disc) {
    p.a = p.b = rng.uniform(2.5f, 4.5f) * s;
  } else if (p.kind == SceneKind::ellipse) {
    p.a = rng.uniform(2.8f, 4.5f) * s;
    p.b = p.a / rng.uniform(1.25f, 1.8f);
  } else {
    p.a = p.b = rng.uniform(2.2f, 3.8f) * s;
  }
  p.angle = rng.uniform(0, kPi);
  vivid_colour(rng, p.rgb);
  return p;
}

}  // namespace

bool scene_kind_counted(SceneKind kind) {
  return kind == SceneKind::disc || kind == SceneKind::ellipse || kind == SceneKind::square;
}

Scene plan_scene(int count, int size, uint64_t seed) {
  OG_CHECK(size >= 32 && size <= 1024, "plan_scene: size ", size, " is outside 32..1024");
  OG_CHECK(count >= 0 && count < 30, "plan_scene: count ", count, " is outside 0..29");
  Rng rng(seed);
  Scene sc;
  sc.size = size;
  const float s = size / 64.0f;
  for (auto& colour : sc.back) hsv_to_rgb(rng.uniform(), rng.uniform(0, 0.35f), rng.uniform(0.12f, 0.5f), colour);
  const float angle = rng.uniform(0, 2 * kPi);
  sc.dir_x = std::cos(angle), sc.dir_y = std::sin(angle);
  sc.grid = 3 + int(rng.below(6));
  sc.texture.resize(size_t(sc.grid + 1) * (sc.grid + 1) * 4);
  for (float& t : sc.texture) t = rng.normal();
  sc.texture_amp = rng.uniform(0.03f, 0.10f);
  sc.noise_sd = rng.uniform(0.008f, 0.03f);

  // Distractors first: their number does not depend on the count, so it is no cue.
  const int distractors = int(rng.below(7));
  for (int d = 0; d < distractors; ++d) {
    SceneShape p;
    const bool ring = rng.uniform() < 0.5f;
    p.kind = ring ? SceneKind::ring : SceneKind::line;
    p.a = ring ? rng.uniform(3.5f, 7.0f) * s : rng.uniform(3.0f, 9.0f) * s;
    p.b = std::max(0.8f, (ring ? rng.uniform(1.0f, 1.5f) : rng.uniform(0.8f, 1.3f)) * s);
    p.angle = rng.uniform(0, kPi);
    const float r = ring ? reach(p) : 0.0f;   // rings wholly inside; lines may leave the frame
    p.cx = rng.uniform(r + 1, size - 2 - r), p.cy = rng.uniform(r + 1, size - 2 - r);
    vivid_colour(rng, p.rgb);
    (ring || rng.uniform() < 0.5f ? sc.under : sc.over).push_back(p);
  }

  // Counted shapes by rejection: each keeps clear of the cores of the earlier ones.
  // After 200 misses the candidate shrinks by 10% (at least 1 px stays): at size >= 32
  // a 1 px shape always fits, so placement ends and the count is always met.
  for (int j = 0; j < count; ++j) {
    SceneShape p = counted_shape(rng, s);
    for (int tries = 0;; ++tries) {
      if (tries > 0 && tries % 200 == 0) {
        p.a = std::max(1.0f, p.a * 0.9f), p.b = std::max(1.0f, p.b * 0.9f);
      }
      const float r = reach(p);
      p.cx = rng.uniform(r + 1, size - 2 - r), p.cy = rng.uniform(r + 1, size - 2 - r);
      bool clear = true;
      for (const SceneShape& q : sc.objects) {
        const float gap = std::hypot(p.cx - q.cx, p.cy - q.cy) - r - 0.5f * std::min(q.a, q.b);
        if (gap < 0) { clear = false; break; }
      }
      if (clear) break;
    }
    sc.objects.push_back(p);
  }
  sc.noise_seed = rng.next_u64();
  return sc;
}

std::vector<uint8_t> draw_scene(const Scene& sc, std::vector<int16_t>* owner) {
  const int n = sc.size;
  const float half = 0.5f * (n - 1);
  std::vector<float> v(size_t(n) * n * 3);
  const int g = sc.grid;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const float t = std::clamp(0.5f + ((x - half) * sc.dir_x + (y - half) * sc.dir_y) / n, 0.0f, 1.0f);
      // Bilinear value noise: the grid nodes' values weighted by closeness.
      const float gx = float(x) / (n - 1) * g, gy = float(y) / (n - 1) * g;
      const int ix = std::min(g - 1, int(gx)), iy = std::min(g - 1, int(gy));
      const float fx = gx - ix, fy = gy - iy;
      float tex[4];
      for (int c = 0; c < 4; ++c) {
        auto node = [&](int i, int k) { return sc.texture[(size_t(k) * (g + 1) + i) * 4 + c]; };
        tex[c] = (1 - fy) * ((1 - fx) * node(ix, iy) + fx * node(ix + 1, iy)) +
                 fy * ((1 - fx) * node(ix, iy + 1) + fx * node(ix + 1, iy + 1));
      }
      for (int c = 0; c < 3; ++c)
        v[(size_t(y) * n + x) * 3 + c] =
            (1 - t) * sc.back[0][c] + t * sc.back[1][c] + sc.texture_amp * (tex[0] + 0.35f * tex[c + 1]);
    }
  if (owner) owner->assign(size_t(n) * n, -1);

  auto paint = [&](const SceneShape& p, int16_t who) {
    const float r = reach(p) + 1, ca = std::cos(p.angle), sa = std::sin(p.angle);
    const int y0 = std::max(0, int(std::floor(p.cy - r))), y1 = std::min(n - 1, int(std::ceil(p.cy + r)));
    const int x0 = std::max(0, int(std::floor(p.cx - r))), x1 = std::min(n - 1, int(std::ceil(p.cx + r)));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const float alpha = std::clamp(inside(p, ca, sa, float(x), float(y)) + 0.5f, 0.0f, 1.0f);
        if (alpha <= 0) continue;
        float* px = &v[(size_t(y) * n + x) * 3];
        for (int c = 0; c < 3; ++c) px[c] = (1 - alpha) * px[c] + alpha * p.rgb[c];
        if (owner && alpha >= 0.5f) (*owner)[size_t(y) * n + x] = who;
      }
  };
  for (const SceneShape& p : sc.under) paint(p, -2);
  for (size_t j = 0; j < sc.objects.size(); ++j) paint(sc.objects[j], int16_t(j));
  for (const SceneShape& p : sc.over) paint(p, -2);

  // Sensor noise last, over shapes and background alike.
  Rng rng(sc.noise_seed);
  std::vector<uint8_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const float value = 255 * (v[i] + sc.noise_sd * rng.normal());
    out[i] = static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
  }
  return out;
}

std::vector<uint8_t> render_scene(int count, int size, uint64_t seed) {
  return draw_scene(plan_scene(count, size, seed));
}

}  // namespace og
