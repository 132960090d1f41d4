// lbfgs.h — limited-memory BFGS for small full-batch problems (Nocedal & Wright,
// Numerical Optimization, 2nd ed., Alg. 7.4 and 7.5).
//
// All parameters are viewed as one vector x (list order, then memory order) with
// gradient g. One iteration:
//   d = -H g by the two-loop recursion over the last m pairs (s_i, y_i),
//       s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i, rho_i = 1 / (s_i . y_i),
//       initial H0 = gamma I with gamma = s.y / y.y of the newest pair;
//       with no pairs yet d = -g (then the first trial step is lr * min(1, 1/|g|_1)).
//   line search: backtracking from t = lr. Accept x + t d when (Armijo)
//       f(x + t d) <= f(x) + c1 t g.d,
//     or, since a float loss cannot resolve decreases below ~1e-7 |f| (near the
//     optimum the Armijo test then fails on rounding noise), when the approximate
//     form of Hager & Zhang (SIAM J. Optim. 16, 2005) holds:
//       f(x + t d) <= f(x) + 1e-6 |f(x)|  and  g(x + t d).d <= (1 - 2 c1) |g.d|.
//     Otherwise t <- the minimiser of the quadratic through f(x), g.d and
//     f(x + t d), kept within [0.1 t, 0.5 t] (Nocedal & Wright §3.5). There is no
//     Wolfe curvature test, so a pair with s.y <= 1e-10 y.y is dropped to keep H
//     positive definite; a non-descent direction clears the history.
//   stop when max |g_i| <= tolerance_grad, when no parameter moved by more than
//   tolerance_change relative to max(1, |x_i|), when the line search fails (x is
//   restored), or after max_iter; `stop` says which. In float the change test is
//   the usual end near the optimum: once t d is below the parameters' resolution
//   the accepted step moves nothing, and every later iteration would repeat it.
// Vectors and dot products are double, serial and in fixed order (deterministic);
// parameters stay float. The history persists across step() calls.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/module.h"

namespace og {

struct LbfgsOptions {
  float lr = 1.0f;                  // first trial step of each line search
  int history = 10;                 // m, pairs kept
  int max_iter = 20;                // iterations per step() (0: evaluate only; the constructor wants >= 1)
  int max_backtracks = 25;          // trial points per line search
  double c1 = 1e-4;                 // Armijo sufficient-decrease constant
  double tolerance_grad = 1e-7;     // on max |g_i|
  double tolerance_change = 1e-9;   // on max |s_i| / max(1, |x_i|), the largest relative change
};

// Why the last step() returned.
enum class LbfgsStop {
  none,         // no step() yet
  gradient,     // max |g_i| <= tolerance_grad
  change,       // the last iteration moved no parameter by more than tolerance_change
  line_search,  // no trial point was accepted; x is where it was
  max_iter,     // max_iter iterations of this step() ran
};
const char* stop_name(LbfgsStop s);  // "gradient", "change", "line_search", "max_iter", "none"

class LBFGS {
 public:
  // Throws og::Error on a null parameter, a grad shape differing from its value,
  // or options out of range.
  explicit LBFGS(std::vector<NamedParam> params, LbfgsOptions options = {});

  // Up to max_iter iterations. `closure` must zero the gradients, build the graph
  // at the current parameters, run backward and return the loss. Returns the loss
  // at the final parameters; their gradients are left in p.grad.
  float step(const std::function<float()>& closure);
  void zero_grad();
  const char* name() const { return "lbfgs"; }

  LbfgsOptions options;
  int64_t steps = 0;        // completed step() calls
  int64_t iterations = 0;   // accepted iterations, all steps
  int64_t evaluations = 0;  // closure calls, all steps
  // After each step(): why it returned, and the gradient at the final parameters.
  LbfgsStop stop = LbfgsStop::none;
  double grad_max = 0;      // max |g_i|
  double grad_l2 = 0;       // |g|_2

 private:
  struct Pair {
    std::vector<double> s, y;
    double rho;
  };
  void read_values(std::vector<double>& x) const;
  void read_grads(std::vector<double>& g) const;
  void write_values(const std::vector<double>& x);
  std::vector<double> direction(const std::vector<double>& g) const;

  std::vector<NamedParam> params_;
  int64_t n_ = 0;             // total number of elements
  std::vector<Pair> history_;  // oldest first, at most options.history
};

}  // namespace og
