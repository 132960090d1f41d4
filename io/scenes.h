// scenes.h — RGB counting scenes: solid coloured shapes to count among outline
// distractors on textured, cluttered backgrounds (gen-counts --channels 3).
//
// The label of a scene is the number of counted shapes; everything else is clutter.
// Lengths scale with s = size / 64 (the stated sizes are those of a 64x64 scene).
//   Background: a linear blend of two muted colours (saturation < 0.35, value
//     0.12..0.5) along a random direction, a value-noise texture (a coarse random grid
//     of 3..8 cells, bilinearly interpolated, amplitude 0.03..0.10, shared by the
//     channels, plus a weaker per-channel part) and Gaussian pixel noise.
//   Counted: solid shapes of random hue (saturation 0.5..1, value 0.65..1): discs of
//     radius 2.5..4.5 s, rotated ellipses (semi-axes up to 4.5 s, aspect up to 1.8)
//     and rotated squares (half side 2.2..3.8 s); a third of each.
//   Distractors (0..6 of them, NOT counted, the same colours): rings (circle
//     outlines, radius 3.5..7 s, about 1.2 s thick) drawn under the counted shapes,
//     and line segments (length 6..18 s, about 1 s wide), half under, half over them.
// Occlusion is partial by construction: a counted shape is placed only where it
// leaves the inner core (radius 0.5 x the smaller semi-axis) of every earlier
// counted shape uncovered, so later shapes may overlap earlier ones but never hide
// one; only a thin line drawn over may cross a core. Counted shapes and rings lie
// wholly inside the image; lines may leave it.
// Pixels are painted front to back with one-pixel anti-aliased edges (alpha
// blending, not addition), so a crowded scene stays a scene of distinct shapes.
//
// Determinism: a scene is drawn only from Rng(seed) (plan_scene makes the layout,
// draw_scene the pixels from the layout's own noise seed).
#pragma once
#include <cstdint>
#include <vector>

namespace og {

enum class SceneKind : int8_t { disc, ellipse, square, ring, line };

// Whether shapes of this kind are counted (disc, ellipse, square) or clutter.
bool scene_kind_counted(SceneKind kind);

struct SceneShape {
  SceneKind kind = SceneKind::disc;
  float cx = 0, cy = 0;   // centre, pixels
  float a = 0, b = 0;     // disc: a = b = radius; ellipse: semi-axes; square: a = b =
                          // half side; ring: a = radius, b = thickness; line: a = half
                          // length, b = width
  float angle = 0;        // rotation of ellipse, square and line (radians)
  float rgb[3] = {0, 0, 0};  // 0..1
};

struct Scene {
  int size = 64;
  float back[2][3] = {};        // the two background colours (0..1)
  float dir_x = 1, dir_y = 0;   // blend direction (unit)
  int grid = 4;                 // texture cells per side
  std::vector<float> texture;   // (grid + 1)^2 * 4: shared, r, g, b at each grid node
  float texture_amp = 0.05f, noise_sd = 0.02f;
  uint64_t noise_seed = 0;
  // Drawing order: under, objects, over. objects are the counted shapes.
  std::vector<SceneShape> under, objects, over;
};

// The layout of a scene with `count` counted shapes (0..29), size 32..1024 (smaller
// scenes have no room for 29 shapes with visible cores). og::Error otherwise.
Scene plan_scene(int count, int size, uint64_t seed);

// The scene as size*size*3 bytes, RGB interleaved, row-major. With `owner`, also
// which shape shows at each pixel (alpha >= 0.5 painted last): the index into
// scene.objects, -2 for a distractor, -1 for the background.
std::vector<uint8_t> draw_scene(const Scene& scene, std::vector<int16_t>* owner = nullptr);

// draw_scene(plan_scene(count, size, seed)).
std::vector<uint8_t> render_scene(int count, int size, uint64_t seed);

}  // namespace og
