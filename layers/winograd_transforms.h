// winograd_transforms.h — the transforms of Winograd's F(2x2, 3x3) (matrices B, G, A and
// the formulas in layers/conv2d_winograd.cpp): of the weights, and of tiles held in
// tile-major arrays (value k of tile t at a[k * T + t]). Internal to layers/.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace og::wino {

// U[e][o][c] = (G g G^T)[e] for every 3x3 kernel g = w[o,c].
inline void transform_weights(const float* w, int64_t O, int64_t C, float* U) {
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c) {
      const float* g = w + (o * C + c) * 9;
      float t[4][3];  // G g
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[j];
        t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        t[3][j] = g[6 + j];
      }
      for (int i = 0; i < 4; ++i) {  // (G g) G^T
        float* u = U + (i * 4) * O * C + o * C + c;
        u[0] = t[i][0];
        u[O * C] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        u[2 * O * C] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        u[3 * O * C] = t[i][2];
      }
    }
}

// dw[o,c] += G^T dU[.][o][c] G.
inline void add_weight_grad(const float* dU, int64_t O, int64_t C, float* dw) {
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c) {
      float x[4][4];
      for (int e = 0; e < 16; ++e) x[e / 4][e % 4] = dU[e * O * C + o * C + c];
      float t[3][4];  // G^T X
      for (int j = 0; j < 4; ++j) {
        t[0][j] = x[0][j] + 0.5f * (x[1][j] + x[2][j]);
        t[1][j] = 0.5f * (x[1][j] - x[2][j]);
        t[2][j] = 0.5f * (x[1][j] + x[2][j]) + x[3][j];
      }
      float* g = dw + (o * C + c) * 9;
      for (int i = 0; i < 3; ++i) {  // (G^T X) G
        g[3 * i + 0] += t[i][0] + 0.5f * (t[i][1] + t[i][2]);
        g[3 * i + 1] += 0.5f * (t[i][1] - t[i][2]);
        g[3 * i + 2] += 0.5f * (t[i][1] + t[i][2]) + t[i][3];
      }
    }
}

// The per-tile transforms run 8 tiles at a time as GCC vector types, then the last
// T % 8 tiles one by one, with the same additions in the same order either way. (As
// plain loops over t, GCC 12 vectorised none of them: "no vectype" for their strided
// loads, and the scalar transforms took ~20% of a resnet8 step.)
typedef float f8 __attribute__((vector_size(32)));
template <class V>
inline V ld(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
inline void st(float* p, V v) { std::memcpy(p, &v, sizeof v); }

// Runs tile(t) as f8 over tiles [t, t+8) and as float over the remainder.
template <class Tile8, class Tile1>
inline void by_eights(int64_t T, Tile8 tile8, Tile1 tile1) {
  int64_t t = 0;
  for (; t + 8 <= T; t += 8) tile8(t);
  for (; t < T; ++t) tile1(t);
}

// v[e * es + t] = (B^T d_t B)[e] for tiles t..t+lanes, patch entry k of tile t at d[k][t].
template <class V>
inline void input_tile(const float* const* d, int64_t t, float* __restrict v, int64_t es) {
  V x[4][4], b[4][4];
  for (int k = 0; k < 16; ++k) x[k / 4][k % 4] = ld<V>(d[k] + t);
  for (int j = 0; j < 4; ++j) {  // B^T d
    b[0][j] = x[0][j] - x[2][j];
    b[1][j] = x[1][j] + x[2][j];
    b[2][j] = x[2][j] - x[1][j];
    b[3][j] = x[1][j] - x[3][j];
  }
  for (int i = 0; i < 4; ++i) {  // (B^T d) B
    st<V>(v + (4 * i + 0) * es + t, b[i][0] - b[i][2]);
    st<V>(v + (4 * i + 1) * es + t, b[i][1] + b[i][2]);
    st<V>(v + (4 * i + 2) * es + t, b[i][2] - b[i][1]);
    st<V>(v + (4 * i + 3) * es + t, b[i][1] - b[i][3]);
  }
}

inline void transform_input(const float* const* d, int64_t T, float* __restrict v, int64_t es) {
  by_eights(T, [&](int64_t t) { input_tile<f8>(d, t, v, es); }, [&](int64_t t) { input_tile<float>(d, t, v, es); });
}

// d[k * T + t] = (B dV_t B^T)[k]: the adjoint of transform_input.
template <class V>
inline void input_grad_tile(const float* __restrict dv, int64_t es, int64_t T, int64_t t, float* __restrict d) {
  V x[4][4], b[4][4];
  for (int e = 0; e < 16; ++e) x[e / 4][e % 4] = ld<V>(dv + e * es + t);
  for (int j = 0; j < 4; ++j) {  // B X
    b[0][j] = x[0][j];
    b[1][j] = x[1][j] - x[2][j] + x[3][j];
    b[2][j] = x[1][j] + x[2][j] - x[0][j];
    b[3][j] = -x[3][j];
  }
  for (int i = 0; i < 4; ++i) {  // (B X) B^T
    st<V>(d + (4 * i + 0) * T + t, b[i][0]);
    st<V>(d + (4 * i + 1) * T + t, b[i][1] - b[i][2] + b[i][3]);
    st<V>(d + (4 * i + 2) * T + t, b[i][1] + b[i][2] - b[i][0]);
    st<V>(d + (4 * i + 3) * T + t, -b[i][3]);
  }
}

inline void transform_input_grad(const float* __restrict dv, int64_t es, int64_t T, float* __restrict d) {
  by_eights(T, [&](int64_t t) { input_grad_tile<f8>(dv, es, T, t, d); },
            [&](int64_t t) { input_grad_tile<float>(dv, es, T, t, d); });
}

// out[(2a+b) T + t] = (A^T M_t A)[a][b] + bias, then relu.
inline void transform_output(const float* __restrict m, int64_t es, int64_t T, float bias, bool relu,
                      float* __restrict out) {
  const float floor = relu ? 0.0f : -INFINITY;
  for (int64_t t = 0; t < T; ++t) {
    float x[4][4], a[2][4];
    for (int e = 0; e < 16; ++e) x[e / 4][e % 4] = m[e * es + t];
    for (int j = 0; j < 4; ++j) {  // A^T M
      a[0][j] = x[0][j] + x[1][j] + x[2][j];
      a[1][j] = x[1][j] - x[2][j] - x[3][j];
    }
    for (int i = 0; i < 2; ++i) {  // (A^T M) A
      out[(2 * i + 0) * T + t] = std::max(a[i][0] + a[i][1] + a[i][2] + bias, floor);
      out[(2 * i + 1) * T + t] = std::max(a[i][1] - a[i][2] - a[i][3] + bias, floor);
    }
  }
}

// dm[e * es + t] = (A dZ_t A^T)[e] from z[(2a+b) T + t] = dZ_t[a][b].
template <class V>
inline void output_grad_tile(const float* __restrict z, int64_t T, int64_t t, float* __restrict dm, int64_t es) {
  const V z00 = ld<V>(z + t), z01 = ld<V>(z + T + t), z10 = ld<V>(z + 2 * T + t), z11 = ld<V>(z + 3 * T + t);
  const V a[4][2] = {{z00, z01}, {z00 + z10, z01 + z11}, {z00 - z10, z01 - z11}, {-z10, -z11}};
  for (int i = 0; i < 4; ++i) {  // (A dZ) A^T
    st<V>(dm + (4 * i + 0) * es + t, a[i][0]);
    st<V>(dm + (4 * i + 1) * es + t, a[i][0] + a[i][1]);
    st<V>(dm + (4 * i + 2) * es + t, a[i][0] - a[i][1]);
    st<V>(dm + (4 * i + 3) * es + t, -a[i][1]);
  }
}

inline void transform_output_grad(const float* __restrict z, int64_t T, float* __restrict dm, int64_t es) {
  by_eights(T, [&](int64_t t) { output_grad_tile<f8>(z, T, t, dm, es); },
            [&](int64_t t) { output_grad_tile<float>(z, T, t, dm, es); });
}

}  // namespace og::wino
