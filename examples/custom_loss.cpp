// custom_loss — a new loss node written in a program, checked with og::grad_check.
// Squared earth mover's distance between the softmax CDF and the label's, each gap
// weighted by the distance between neighbouring class values (rps when all are 1):
//   forward : p = softmax(z_i), C_k = sum_{j<=k} p_j, r_k = C_k - 1[k >= y_i]
//             L = (1/N) sum_i sum_{k<K-1} d_k r_k^2,  d_k = v_{k+1} - v_k
//   backward: s_j = dL_i/dp_j = sum_{j<=k<K-1} 2 d_k r_k; through softmax
//             dz_ij += g/N * p_j (s_j - sum_m p_m s_m)
// --plant-bug drops the "- sum_m p_m s_m" term: the check must then fail (exit 1).
#include <ordgrad/ordgrad.h>

#include <cmath>
#include <cstdio>
#include <cstring>

struct SquaredEmdNode : og::Node {
  std::vector<int> y;
  std::vector<double> d;
  bool bug;
  SquaredEmdNode(std::vector<int> labels, std::vector<double> gaps, bool plant_bug)
      : y(std::move(labels)), d(std::move(gaps)), bug(plant_bug) {}
  const char* name() const override { return "squared_emd"; }
  // Row i's loss; with dz, also adds scale * dL_i/dz_i into it.
  double row(int64_t i, float* dz, double scale) const {
    const int64_t K = in(0).shape()[1];
    const float* z = in(0).data() + i * K;
    std::vector<double> p(K), s(K, 0.0);
    double top = z[0], sum = 0, c = 0, loss = 0, mean_s = 0;
    for (int64_t k = 1; k < K; ++k) top = std::max(top, double(z[k]));
    for (int64_t k = 0; k < K; ++k) sum += p[k] = std::exp(z[k] - top);
    for (int64_t k = 0; k < K - 1; ++k) {
      c += p[k] /= sum;
      const double r = c - (k >= y[i] ? 1.0 : 0.0);
      loss += d[k] * r * r;
      s[k] = 2 * d[k] * r;
    }
    p[K - 1] /= sum;
    for (int64_t k = K - 2; k >= 0; --k) s[k] += s[k + 1];  // suffix sums
    for (int64_t k = 0; k < K; ++k) mean_s += p[k] * s[k];
    if (dz)
      for (int64_t j = 0; j < K; ++j) dz[i * K + j] += float(scale * p[j] * (s[j] - (bug ? 0 : mean_s)));
    return loss;
  }
  void forward() override {
    double total = 0;
    for (int64_t i = 0; i < in(0).shape()[0]; ++i) total += row(i, nullptr, 0);
    value = og::Tensor::full({}, float(total / y.size()));
  }
  void backward() override {
    if (!wants(0)) return;
    float* dz = in_grad(0).data();
    for (int64_t i = 0; i < in(0).shape()[0]; ++i) row(i, dz, grad[0] / y.size());
  }
};

og::Var squared_emd(og::Var z, std::vector<int> y, std::vector<double> gaps, bool bug = false) {
  OG_CHECK(z.shape().nd == 2 && z.shape()[0] == int64_t(y.size()) && z.shape()[1] == int64_t(gaps.size()) + 1,
           "squared_emd: logits ", z.shape(), " need N labels and K-1 gaps");
  return z.graph->record<SquaredEmdNode>({z}, std::move(y), std::move(gaps), bug);
}

int main(int argc, char** argv) {
  const bool bug = argc > 1 && std::strcmp(argv[1], "--plant-bug") == 0;
  og::Rng rng(3);
  og::Tensor z0 = og::Tensor::empty({6, 5});
  for (int64_t i = 0; i < z0.numel(); ++i) z0[i] = rng.normal(0, 1.5f);
  const std::vector<int> y = {0, 4, 2, 1, 3, 2};
  og::Graph g0;  // forward against the library: with unit gaps this is rps (losses/rps.h)
  og::LossTarget t;
  t.labels = y, t.K = 5;
  const float mine = squared_emd(g0.input(z0), y, {1, 1, 1, 1}).value().item();
  const float lib = og::rps(g0.input(z0), t).value().item();
  std::printf("unit gaps: squared_emd %.6f, og::rps %.6f\n", mine, lib);
  if (std::fabs(mine - lib) > 1e-5f * (1 + std::fabs(lib))) return std::printf("FAIL: forward != rps\n"), 1;
  og::Graph g;  // backward against finite differences, uneven gaps, mixed with ce
  og::Var z = g.leaf(z0);
  og::Var loss = og::cross_entropy(z, y) + 0.5f * squared_emd(z, y, {0.5, 1, 2, 1.5}, bug);
  const og::GradCheckResult r = og::grad_check(g, loss, {z});
  std::printf("gradient check%s: max error / tolerance = %.3g (%s)\n%s\n", bug ? " (planted bug)" : "",
              r.worst_ratio, r.ok ? "ok" : "FAIL", r.report.c_str());
  return r.ok ? 0 : 1;
}
