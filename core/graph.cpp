// graph.cpp — recording nodes and the reverse loop.
#include "core/graph.h"

#include "core/blas.h"

#include <chrono>
#include <cmath>
#include <sstream>
#include <unordered_map>

namespace og {

namespace {
struct LeafNode : Node {
  std::string param_name;  // set by Graph::param, for messages
  const char* name() const override { return "leaf"; }
};

// "node 3 (linear_relu)" or "node 1 (leaf, parameter 0.weight)".
std::string node_label(const Node& n, size_t i) {
  const auto* leaf = dynamic_cast<const LeafNode*>(&n);
  if (leaf && !leaf->param_name.empty())
    return cat("node ", i, " (leaf, parameter ", leaf->param_name, ")");
  return cat("node ", i, " (", n.name(), ")");
}
}  // namespace

std::string number_text(float v) { return std::isnan(v) ? "nan" : cat(v); }

int64_t first_non_finite(const Tensor& t) {
  if (!t.defined()) return -1;
  const float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(p[i])) return i;
  return -1;
}

Tensor& Node::grad_buf() {
  if (!grad.defined()) grad = Tensor::zeros(value.shape());
  return grad;
}

float* Node::in_grad_fresh(size_t i, bool& fresh) {
  Node& n = *inputs[i];
  fresh = !n.grad.defined();
  if (fresh) n.grad = Tensor::empty(n.value.shape());
  return n.grad.data();
}

Var Graph::add_leaf(Tensor t, bool wants_grad) {
  auto n = std::make_unique<LeafNode>();
  n->value = std::move(t);
  n->needs_grad = wants_grad && grad_enabled_;
  nodes_.push_back(std::move(n));
  return Var{nodes_.back().get(), this};
}

Var Graph::input(Tensor t) { return add_leaf(std::move(t), false); }
Var Graph::leaf(Tensor t) { return add_leaf(std::move(t), true); }

Var Graph::param(Parameter& p) {
  OG_CHECK(p.grad.defined() && p.grad.shape() == p.value.shape(), "param: ", p.name,
           " has value ", p.value.shape(), " but grad ", p.grad.shape());
  Var v = add_leaf(p.value, true);
  static_cast<LeafNode*>(v.node)->param_name = p.name;
  v.node->grad = p.grad;  // shared buffer: backward accumulates straight into p.grad
  return v;
}

namespace {
template <class F>
void timed(Node::Timing& t, F run) {
  const GemmTotals g0 = gemm_totals();
  const auto t0 = std::chrono::steady_clock::now();
  run();
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const GemmTotals g1 = gemm_totals();
  t.gemm_seconds = g1.seconds - g0.seconds;
  t.gemm_flops = g1.flops - g0.flops;
}
}  // namespace

Var Graph::add(std::unique_ptr<Node> n, const Var* ins, size_t count) {
  bool any = false;
  for (size_t i = 0; i < count; ++i) {
    OG_CHECK(ins[i].graph == this, n->name(), ": input ", i, " belongs to another graph");
    n->inputs.push_back(ins[i].node);
    any = any || ins[i].node->needs_grad;
  }
  n->needs_grad = any && grad_enabled_;
  if (timing_) {
    timed(n->fwd_time, [&] { n->forward(); });
  } else {
    n->forward();
  }
  nodes_.push_back(std::move(n));
  return Var{nodes_.back().get(), this};
}

void Graph::backward(Var loss) {
  OG_CHECK(loss.graph == this, "backward: the loss belongs to another graph");
  OG_CHECK(loss.value().numel() == 1, "backward: loss must be a scalar, got shape ",
           loss.shape(), " from ", loss.node->name());
  backward(loss, Tensor::full(loss.shape(), 1.0f));
}

void Graph::backward(Var out, const Tensor& seed) {
  OG_CHECK(out.graph == this, "backward: the output belongs to another graph");
  OG_CHECK(seed.shape() == out.shape(), "backward: seed shape ", seed.shape(),
           " differs from output shape ", out.shape(), " of ", out.node->name());
  Tensor& g = out.node->grad_buf();
  for (int64_t i = 0; i < g.numel(); ++i) g[i] += seed[i];
  // Find the output's position, then walk the tape backwards from it.
  size_t end = nodes_.size();
  while (end > 0 && nodes_[end - 1].get() != out.node) --end;
  for (size_t i = end; i-- > 0;) {
    Node& n = *nodes_[i];
    if (!n.needs_grad || !n.grad.defined() || n.inputs.empty()) continue;
    if (timing_) {
      timed(n.bwd_time, [&] { n.backward(); });
    } else {
      n.backward();
    }
  }
}

void Graph::clear_intermediate_grads() {
  for (auto& n : nodes_)
    if (!n->inputs.empty()) n->grad = Tensor();
}

void Graph::replay() {
  for (auto& n : nodes_) n->forward();
}

NonFiniteSpot Graph::find_non_finite() const {
  NonFiniteSpot spot;
  auto mark = [&](size_t i, bool in_grad, int64_t e) {
    const Node& n = *nodes_[i];
    const Tensor& t = in_grad ? n.grad : n.value;
    spot = {true, i, in_grad, e, t[e], ""};
    spot.text = cat(node_label(n, i), in_grad ? " gradient" : " value", " holds ", number_text(t[e]),
                    " at element ", e, " of ", t.shape());
  };
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const int64_t e = first_non_finite(nodes_[i]->value);
    if (e >= 0) {
      mark(i, false, e);
      return spot;
    }
  }
  for (size_t i = nodes_.size(); i-- > 0;) {
    const int64_t e = first_non_finite(nodes_[i]->grad);
    if (e < 0) continue;
    mark(i, true, e);
    std::string from;  // the consumers whose backward wrote this gradient
    for (size_t j = i + 1; j < nodes_.size(); ++j)
      for (const Node* in : nodes_[j]->inputs)
        if (in == nodes_[i].get()) {
          from += (from.empty() ? "" : ", ") + node_label(*nodes_[j], j);
          break;
        }
    if (!from.empty()) spot.text += ", written by the backward of " + from;
    return spot;
  }
  return spot;
}

std::string Graph::to_dot() const {
  std::ostringstream s;
  std::unordered_map<const Node*, size_t> index;
  s << "digraph ordgrad {\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = *nodes_[i];
    index[&n] = i;
    s << "  n" << i << " [label=\"" << n.name() << ' ' << n.value.shape() << "\"];\n";
    for (const Node* in : n.inputs) s << "  n" << index.at(in) << " -> n" << i << ";\n";
  }
  s << "}\n";
  return s.str();
}

}  // namespace og
