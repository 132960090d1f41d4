// graph.h — the tape: Node, Var, Parameter and Graph.
//
// A Graph records nodes in creation order, which is a topological order, so
// backward() is one reverse loop with no recursion. Each Node holds its forward
// value, its gradient, raw pointers to its inputs (the Graph owns every node), and
// two virtual methods:
//   forward()  computes `value` from the inputs' values (re-run by replay());
//   backward() ACCUMULATES (+=) d loss / d input into each input's grad,
//              never assigns: an input used twice must receive both terms.
// Parameters live outside graphs; g.param(p) makes a leaf whose value and grad
// share p's buffers, so gradients accumulate into p.grad across the step.
// Destroying the Graph frees every activation of the step at once.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/check.h"
#include "core/tensor.h"

namespace og {

struct Parameter {
  std::string name;   // e.g. "conv1.weight"
  Tensor value;
  Tensor grad;        // same shape as value, zero after Optimizer::zero_grad()
  Parameter() = default;
  Parameter(std::string n, Tensor v)
      : name(std::move(n)), value(std::move(v)), grad(Tensor::zeros(value.shape())) {}
};

struct Node {
  Tensor value;
  Tensor grad;                 // d loss / d value; allocated (zeros) on first use
  std::vector<Node*> inputs;   // producers, owned by the same Graph
  bool needs_grad = false;     // some input (transitively a leaf) wants a gradient
  // Filled only when Graph::set_timing(true): wall seconds of forward() / backward(),
  // and the part spent in sgemm with its operations (when set_gemm_profiling is on).
  struct Timing {
    double seconds = 0, gemm_seconds = 0, gemm_flops = 0;
  };
  Timing fwd_time, bwd_time;

  virtual ~Node() = default;
  virtual const char* name() const = 0;
  virtual void forward() {}    // leaves keep their value
  virtual void backward() {}   // leaves have nothing to propagate

  const Tensor& in(size_t i) const { return inputs[i]->value; }
  bool wants(size_t i) const { return inputs[i]->needs_grad; }
  Tensor& grad_buf();                              // this node's grad, allocated if needed
  Tensor& in_grad(size_t i) { return inputs[i]->grad_buf(); }
  // For a backward that writes EVERY element of input i's gradient: that buffer, and in
  // `fresh` whether this is its first contribution. A fresh buffer is uninitialised
  // and the caller stores its terms (=) instead of adding them (+=): no zero fill and
  // one read fewer per element. The values equal adding into zeros, except that a
  // term of -0 stays -0 (0 + -0 would give +0).
  float* in_grad_fresh(size_t i, bool& fresh);
};

class Graph;

// A float for messages: "nan" for every NaN (glibc would print "-nan" for some),
// "inf", "-inf", or the number.
std::string number_text(float v);

// Flat index of the first NaN or Inf in t, or -1 (also for an undefined tensor).
int64_t first_non_finite(const Tensor& t);

// Where the first NaN or Inf sits on a tape (Graph::find_non_finite).
struct NonFiniteSpot {
  bool found = false;
  size_t node = 0;         // position on the tape (0 = the first node recorded)
  bool in_grad = false;    // false: the node's forward value; true: its gradient
  int64_t element = 0;     // flat index of the first bad element
  float bad = 0;           // that element (nan, inf or -inf)
  std::string text;        // one line, e.g. "node 7 (conv2d_relu) value holds inf at element 12 of [8,32,8,8]"
};

// A cheap handle to a node of a graph (like DyNet's Expression).
// Deferred updates of running statistics (Graph::set_stat_log). Each entry applies one
// layer's update from its `count` values, which follow those of the entries before it.
struct StatLog {
  struct Entry {
    std::function<void(const float*)> apply;
    size_t count;
  };
  std::vector<Entry> entries;
  std::vector<float> values;
};

struct Var {
  Node* node = nullptr;
  Graph* graph = nullptr;
  const Tensor& value() const { return node->value; }
  const Tensor& grad() const { return node->grad; }
  const Shape& shape() const { return node->value.shape(); }
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  Var input(Tensor t);            // constant leaf: no gradient
  Var leaf(Tensor t);             // leaf that receives a gradient (tests, explain)
  Var param(Parameter& p);        // leaf sharing p.value and p.grad

  // Create node N(args...) on inputs `ins`, run its forward, return its handle.
  template <class N, class... A>
  Var record(std::initializer_list<Var> ins, A&&... args) {
    return add(std::make_unique<N>(std::forward<A>(args)...), ins.begin(), ins.size());
  }
  template <class N, class... A>
  Var record_n(const std::vector<Var>& ins, A&&... args) {
    return add(std::make_unique<N>(std::forward<A>(args)...), ins.data(), ins.size());
  }

  // Seed d loss / d loss = 1 and run every node's backward in reverse order.
  void backward(Var loss);
  // Same, but seed the output gradient with `seed` (any shape equal to out's).
  void backward(Var out, const Tensor& seed);
  // Forget the gradients of every non-leaf node (leaves and parameters keep theirs),
  // so backward() can run again on the same tape from a clean start.
  void clear_intermediate_grads();
  // Re-run forward() of every node in order (after editing leaf values in place).
  void replay();

  bool grad_enabled() const { return grad_enabled_; }
  void set_grad_enabled(bool on) { grad_enabled_ = on; }  // off = inference
  bool training() const { return training_; }
  void set_training(bool on) { training_ = on; }          // dropout, batchnorm mode

  void set_timing(bool on) { timing_ = on; }             // per-node seconds, for `ordgrad bench`

  // Running statistics (batch norm) of a graph with a log are not updated when a
  // layer is recorded: the layer appends its update to the log instead, to be applied
  // later, in shard order, on every process (model/shards.h).
  void set_stat_log(StatLog* log) { stat_log_ = log; }
  StatLog* stat_log() const { return stat_log_; }

  // The first NaN or Inf on the tape: the first node in tape order whose forward
  // value holds one; if every value is finite, the first gradient the backward
  // pass made non-finite (the last node in tape order whose gradient holds one:
  // backward runs in reverse, and that gradient was written by the backward of
  // the consumers named in `text`). A parameter's leaf is named by its parameter.
  // Costs one pass over the tape, so callers run it only once something is wrong
  // (a non-finite loss or parameter gradient).
  NonFiniteSpot find_non_finite() const;

  size_t size() const { return nodes_.size(); }
  const Node& node(size_t i) const { return *nodes_[i]; }
  std::string to_dot() const;   // Graphviz text of the tape, for teaching

 private:
  Var add(std::unique_ptr<Node> n, const Var* ins, size_t count);
  Var add_leaf(Tensor t, bool wants_grad);
  std::vector<std::unique_ptr<Node>> nodes_;
  bool grad_enabled_ = true;
  bool training_ = true;
  bool timing_ = false;
  StatLog* stat_log_ = nullptr;
};

}  // namespace og
