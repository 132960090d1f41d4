// onnx.cpp — writing a model as ONNX (see onnx.h). Field numbers are onnx.proto's.
#include "model/onnx.h"

#include <cmath>
#include <cstring>

#include "core/protobuf.h"
#include "core/serialize.h"
#include "core/version.h"
#include "layers/activation.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/dropout.h"
#include "layers/linear.h"
#include "layers/ordinal_head.h"
#include "layers/pool2d.h"
#include "layers/residual.h"
#include "layers/sequential.h"
#include "losses/clm.h"
#include "model/heads.h"

namespace og {

namespace {
constexpr int kFloat = 1;  // TensorProto.DataType FLOAT

Proto attr_int(const std::string& name, int64_t v) { return Proto().bytes(1, name).varint(20, 2).varint(3, v); }
Proto attr_float(const std::string& name, float v) { return Proto().bytes(1, name).varint(20, 1).f32(2, v); }
Proto attr_ints(const std::string& name, const std::vector<int64_t>& v) {
  Proto a;
  a.bytes(1, name).varint(20, 7);
  for (int64_t x : v) a.varint(8, x);
  return a;
}

// A tensor shape of a graph input or output: "N" rows, then fixed sizes.
Proto value_info(const std::string& name, const std::vector<int64_t>& dims) {
  Proto shape;
  shape.message(1, Proto().bytes(2, "N"));
  for (int64_t d : dims) shape.message(1, Proto().varint(1, d));
  const Proto tensor = Proto().varint(1, kFloat).message(2, shape);
  return Proto().bytes(1, name).message(2, Proto().message(1, tensor));
}

class Builder {
 public:
  // A constant (an initializer) of the given dims and values.
  std::string constant(const std::string& hint, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    const std::string name = fresh(hint);
    Proto t;
    for (int64_t d : dims) t.varint(1, d);
    t.varint(2, kFloat).bytes(8, name);
    std::string raw(4 * v.size(), '\0');
    for (size_t i = 0; i < v.size(); ++i) {
      uint32_t b = 0;
      std::memcpy(&b, &v[i], 4);
      for (int k = 0; k < 4; ++k) raw[4 * i + size_t(k)] = char((b >> (8 * k)) & 0xff);
    }
    t.bytes(9, raw);
    inits_.push_back(t);
    return name;
  }
  std::string constant(const std::string& hint, const Tensor& t) {
    std::vector<int64_t> dims;
    for (int i = 0; i < t.shape().nd; ++i) dims.push_back(t.shape()[i]);
    return constant(hint, dims, t.to_vector());
  }
  std::string scalar(float v) { return constant("c", {}, {v}); }

  std::string op(const std::string& type, const std::vector<std::string>& in, const std::vector<Proto>& attrs = {},
                 const std::string& name = "") {
    const std::string out = name.empty() ? fresh(type) : name;
    Proto n;
    for (const std::string& i : in) n.bytes(1, i);
    n.bytes(2, out).bytes(3, out).bytes(4, type);
    for (const Proto& a : attrs) n.message(5, a);
    nodes_.push_back(n);
    return out;
  }
  std::string relu_if(bool on, const std::string& x) { return on ? op("Relu", {x}) : x; }

  Proto graph(const std::vector<int64_t>& in_dims, const std::string& out, int64_t K) {
    Proto g;
    for (const Proto& n : nodes_) g.message(1, n);
    g.bytes(2, "ordgrad");
    for (const Proto& t : inits_) g.message(5, t);
    g.message(11, value_info("input", in_dims));
    g.message(12, value_info(out, {K}));
    return g;
  }
 private:
  std::string fresh(const std::string& hint) { return hint + "_" + std::to_string(count_++); }
  std::vector<Proto> nodes_, inits_;
  int count_ = 0;
};

std::string emit(Builder& b, Module& m, std::string x);

std::string emit_sequential(Builder& b, Sequential& s, std::string x) {
  for (size_t i = 0; i < s.size(); ++i) x = emit(b, s[i], x);
  return x;
}

std::string emit(Builder& b, Module& m, std::string x) {
  if (auto* s = dynamic_cast<Sequential*>(&m)) return emit_sequential(b, *s, x);
  if (auto* c = dynamic_cast<Conv2d*>(&m)) {
    std::vector<std::string> in = {x, b.constant("conv_w", c->weight.value)};
    if (c->bias.value.defined()) in.push_back(b.constant("conv_b", c->bias.value));
    const int64_t k = c->kernel, s = c->stride, p = c->pad;
    return b.relu_if(c->fuse_relu, b.op("Conv", in, {attr_ints("kernel_shape", {k, k}), attr_ints("strides", {s, s}),
                                                     attr_ints("pads", {p, p, p, p})}));
  }
  if (auto* l = dynamic_cast<Linear*>(&m)) {
    std::vector<std::string> in = {x, b.constant("dense_w", l->weight.value)};
    if (l->has_bias) in.push_back(b.constant("dense_b", l->bias.value));
    return b.relu_if(l->fuse_relu, b.op("Gemm", in, {attr_int("transB", 1)}));
  }
  if (auto* n = dynamic_cast<BatchNorm*>(&m)) {
    return b.relu_if(n->fuse_relu,
                     b.op("BatchNormalization",
                          {x, b.constant("bn_scale", n->weight.value), b.constant("bn_bias", n->bias.value),
                           b.constant("bn_mean", n->running_mean), b.constant("bn_var", n->running_var)},
                          {attr_float("epsilon", n->eps)}));
  }
  if (auto* p = dynamic_cast<MaxPool2d*>(&m))
    return b.op("MaxPool", {x}, {attr_ints("kernel_shape", {p->kernel, p->kernel}), attr_ints("strides", {p->stride, p->stride})});
  if (auto* p = dynamic_cast<AvgPool2d*>(&m))
    return b.op("AveragePool", {x},
                {attr_ints("kernel_shape", {p->kernel, p->kernel}), attr_ints("strides", {p->stride, p->stride})});
  if (dynamic_cast<GlobalAvgPool*>(&m)) return b.op("Flatten", {b.op("GlobalAveragePool", {x})}, {attr_int("axis", 1)});
  if (dynamic_cast<Flatten*>(&m)) return b.op("Flatten", {x}, {attr_int("axis", 1)});
  if (dynamic_cast<Dropout*>(&m)) return x;  // eval: the identity
  if (dynamic_cast<ReLU*>(&m)) return b.op("Relu", {x});
  if (auto* a = dynamic_cast<LeakyReLU*>(&m)) return b.op("LeakyRelu", {x}, {attr_float("alpha", a->slope)});
  if (dynamic_cast<Sigmoid*>(&m)) return b.op("Sigmoid", {x});
  if (dynamic_cast<Tanh*>(&m)) return b.op("Tanh", {x});
  if (auto* r = dynamic_cast<Residual*>(&m)) {
    const std::string body = emit_sequential(b, r->body(), x);
    const std::string shortcut = r->projection() ? emit(b, *r->projection(), x) : x;
    return b.relu_if(r->fuse_relu, b.op("Add", {body, shortcut}));
  }
  // The ordinal heads as one Gemm each, their shared weight row repeated K-1 times (a
  // [N,1] + [K-1] broadcast is what OpenCV's importer does not take).
  if (auto* h = dynamic_cast<CoralHead*>(&m)) {  // s_k = w.x + b_k
    const int64_t T = h->biases.value.numel(), in = h->weight.value.numel();
    std::vector<float> w;
    for (int64_t k = 0; k < T; ++k) w.insert(w.end(), h->weight.value.data(), h->weight.value.data() + in);
    return b.op("Gemm", {x, b.constant("coral_w", {T, in}, w), b.constant("coral_b", h->biases.value)},
                {attr_int("transB", 1)});
  }
  if (auto* h = dynamic_cast<ClmHead*>(&m)) {  // c_k = theta_k - w.x
    const Tensor theta = h->thresholds();
    const int64_t T = theta.numel(), in = h->weight.value.numel();
    std::vector<float> w;
    for (int64_t k = 0; k < T; ++k)
      for (int64_t j = 0; j < in; ++j) w.push_back(-h->weight.value[j]);
    return b.op("Gemm", {x, b.constant("clm_w", {T, in}, w), b.constant("clm_theta", theta)}, {attr_int("transB", 1)});
  }
  throw Error(cat("export: layer ", m.describe(), " has no ONNX form"));
}

// p from P(y > k) [N,K-1]: Relu(g D + e), rows renormalised.
std::string probs_from_greater(Builder& b, const std::string& g, int K) {
  std::vector<float> D(size_t((K - 1) * K), 0.0f), e(size_t(K), 0.0f), ones(size_t(K * K), 1.0f);
  for (int k = 0; k < K - 1; ++k) D[size_t(k * K + k)] = -1, D[size_t(k * K + k + 1)] = 1;
  e[0] = 1;
  const std::string p = b.op("Relu", {b.op("Add", {b.op("MatMul", {g, b.constant("diff", {K - 1, K}, D)}),
                                                   b.constant("first", {K}, e)})});
  return b.op("Div", {p, b.op("MatMul", {p, b.constant("ones", {K, K}, ones)})});
}

std::string probabilities(Builder& b, const Model& m, const std::string& out) {
  const int K = m.info.classes;
  const LossSpec spec = LossSpec::parse(m.info.loss);
  switch (m.info.head()) {
    case Head::softmax: return b.op("Softmax", {out}, {attr_int("axis", 1)});
    case Head::coral: return probs_from_greater(b, b.op("Sigmoid", {out}), K);
    case Head::corn: {
      std::vector<float> U(size_t((K - 1) * (K - 1)), 0.0f);
      for (int j = 0; j < K - 1; ++j)
        for (int k = j; k < K - 1; ++k) U[size_t(j * (K - 1) + k)] = 1;
      const std::string log_sig = b.op("Neg", {b.op("Softplus", {b.op("Neg", {out})})});
      return probs_from_greater(b, b.op("Exp", {b.op("MatMul", {log_sig, b.constant("cum", {K - 1, K - 1}, U)})}), K);
    }
    case Head::clm: {
      std::string G;
      const auto& options = spec.terms().at(0).options;  // the head's term carries the link
      const auto link = options.find("link");
      if (link != options.end() && link->second == "probit") {
        const std::string z = b.op("Mul", {out, b.scalar(float(1 / std::sqrt(2.0)))});
        G = b.op("Mul", {b.op("Add", {b.op("Erf", {z}), b.scalar(1)}), b.scalar(0.5f)});
      } else {
        G = b.op("Sigmoid", {out});
      }
      std::vector<float> D(size_t((K - 1) * K), 0.0f), e(size_t(K), 0.0f);
      for (int k = 0; k < K - 1; ++k) D[size_t(k * K + k)] = 1, D[size_t(k * K + k + 1)] = -1;
      e[size_t(K - 1)] = 1;
      return b.op("Relu", {b.op("Add", {b.op("MatMul", {G, b.constant("diff", {K - 1, K}, D)}),
                                        b.constant("last", {K}, e)})});
    }
    case Head::regression: {
      const std::string top = b.scalar(float(K - 1));
      const std::string low = b.op("Relu", {b.op("Round", {out})});
      const std::string c = b.op("Sub", {top, b.op("Relu", {b.op("Sub", {top, low})})});
      std::vector<float> range(static_cast<size_t>(K));
      for (int k = 0; k < K; ++k) range[size_t(k)] = float(k);
      const std::string wide = b.op("MatMul", {c, b.constant("ones", {1, K}, std::vector<float>(size_t(K), 1.0f))});
      const std::string dist = b.op("Abs", {b.op("Sub", {wide, b.constant("classes", {K}, range)})});
      return b.op("Relu", {b.op("Sub", {b.scalar(1), dist})});
    }
    case Head::count_: break;
  }
  throw Error(cat("export: head ", head_name(m.info.head()), " has no ONNX form"));
}
}  // namespace

std::string onnx_bytes(Model& m) {
  Builder b;
  std::string x = "input";
  const ModelInfo& info = m.info;
  if (!info.feature_mean.empty()) {
    const int64_t F = int64_t(info.feature_mean.size());
    x = b.op("Div", {b.op("Sub", {x, b.constant("mean", {F}, info.feature_mean)}), b.constant("std", {F}, info.feature_std)});
  } else if (info.norm_mean != 0.0f || info.norm_std != 1.0f) {
    x = b.op("Div", {b.op("Sub", {x, b.scalar(info.norm_mean)}), b.scalar(info.norm_std)});
  }
  std::string out = emit(b, *m.net, x);
  if (info.temperature != 1.0f && info.head() != Head::regression)  // calibration (model/inference.h)
    out = b.op("Div", {out, b.scalar(info.temperature)});
  const std::string p = probabilities(b, m, out);
  b.op("Identity", {p}, {}, "probabilities");
  std::vector<int64_t> in_dims;
  for (int i = 0; i < info.input.nd; ++i) in_dims.push_back(info.input[i]);
  Proto model;
  model.varint(1, 8);  // IR version 8 (ONNX 1.10 and later)
  model.bytes(2, "ordgrad").bytes(3, kVersion);
  model.message(7, b.graph(in_dims, "probabilities", info.classes));
  model.message(8, Proto().bytes(1, "").varint(2, 13));  // the default domain, opset 13
  Checkpoint ck;
  put_model(ck, m);
  ck.meta["head"] = head_name(info.head());
  ck.meta["ordgrad_version"] = kVersion;
  for (const auto& [k, v] : ck.meta) model.message(14, Proto().bytes(1, k).bytes(2, v));
  return model.str();
}

}  // namespace og
