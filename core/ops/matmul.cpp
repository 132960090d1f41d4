// matmul
// forward : C = op(A) op(B),  op(X) = X or X^T          (one sgemm)
// backward: with A' = op(A), B' = op(B):  dA' = dC B'^T,  dB' = A'^T dC
//           dA += trans_a ? B' dC^T : dC B'^T
//           dB += trans_b ? dC^T A' : A'^T dC            (sgemm with beta = 1)
// shapes  : op(A) [M,K], op(B) [K,N], C [M,N].   saves: nothing (uses the inputs)
#include "core/blas.h"
#include "core/ops.h"

namespace og {
namespace {
struct MatmulNode : Node {
  bool ta, tb;
  int M, N, K;
  MatmulNode(bool trans_a, bool trans_b, int m, int n, int k) : ta(trans_a), tb(trans_b), M(m), N(n), K(k) {}
  const char* name() const override { return "matmul"; }
  void forward() override {
    if (!value.defined()) value = Tensor::empty({M, N});
    gemm(ta, tb, M, N, K, 1.0f, in(0).data(), ta ? M : K, in(1).data(), tb ? K : N, 0.0f,
         value.data(), N);
  }
  void backward() override {
    const float *A = in(0).data(), *B = in(1).data(), *G = grad.data();
    if (wants(0)) {
      float* dA = in_grad(0).data();
      if (!ta) gemm(false, !tb, M, K, N, 1.0f, G, N, B, tb ? K : N, 1.0f, dA, K);   // dC B'^T
      else gemm(tb, true, K, M, N, 1.0f, B, tb ? K : N, G, N, 1.0f, dA, M);        // B' dC^T
    }
    if (wants(1)) {
      float* dB = in_grad(1).data();
      if (!tb) gemm(!ta, false, K, N, M, 1.0f, A, ta ? M : K, G, N, 1.0f, dB, N);   // A'^T dC
      else gemm(true, ta, N, K, M, 1.0f, G, N, A, ta ? M : K, 1.0f, dB, K);        // dC^T A'
    }
  }
};
}  // namespace

Var matmul(Var a, Var b, bool trans_a, bool trans_b) {
  const Shape &sa = a.shape(), &sb = b.shape();
  OG_CHECK(sa.nd == 2 && sb.nd == 2, "matmul: needs 2-D inputs, got ", sa, " and ", sb);
  const int64_t M = trans_a ? sa[1] : sa[0], K = trans_a ? sa[0] : sa[1];
  const int64_t Kb = trans_b ? sb[1] : sb[0], N = trans_b ? sb[0] : sb[1];
  OG_CHECK(K == Kb, "matmul: inner sizes differ: ", sa, (trans_a ? "^T" : ""), " times ", sb,
           (trans_b ? "^T" : ""));
  return a.graph->record<MatmulNode>({a, b}, trans_a, trans_b, int(M), int(N), int(K));
}
}  // namespace og
