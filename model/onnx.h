// onnx.h — a model's inference graph as an ONNX model (opset 13), for other runtimes.
//
// Input "input": float [N, C, H, W] images with values in [0, 1] (pixel / 255, channels
// in RGB order), or [N, F] table rows as in the CSV. The graph applies the model's input
// normalisation ((x - norm_mean) / norm_std for images, (x - input.mean) / input.std per
// feature for tables), the network in eval mode (batch norm with its running statistics,
// dropout left out), the calibration temperature when there is one (a Div), then the
// head's class probabilities as output "probabilities"
// [N, K], the same numbers `ordgrad predict` prints:
//   softmax     Softmax(z)
//   coral       g = Sigmoid(s) = P(y > k), s = x W' + b with the shared weight row repeated
//   corn        g = Exp(MatMul(-Softplus(-s), U)), U upper-triangular ones: the running
//               product of sigmoids, as sums of logs (finite for any s)
//   then        p = Relu(MatMul(g, D) + e) / row sums, D the differences g_{k-1} - g_k
//               with g_{-1} = 1, g_{K-1} = 0 (e supplies the 1): ordgrad's clip and
//               renormalisation of a P(y > k) that is not monotone
//   clm         c = theta - x w as one Gemm (the row -w repeated, bias theta);
//               G = F(c) = P(y <= k), F = Sigmoid (logit) or (1 + Erf(c / sqrt 2)) / 2
//               (probit); p = MatMul(G, D') + e', D' the differences G_k - G_{k-1}
//   regression  c = clamp(Round(r), 0, K-1) with Relu; p_k = Relu(1 - |c - k|)
// Ops are those OpenCV's DNN module and onnxruntime implement: Conv, Gemm, MatMul,
// BatchNormalization, MaxPool, AveragePool, GlobalAveragePool, Flatten, Add, Sub, Mul,
// Div, Relu, LeakyRelu, Sigmoid, Tanh, Softplus, Exp, Neg, Abs, Round, Erf, Softmax.
// Metadata props: the model file's metadata, as in the safetensors export (model/weights.h).
#pragma once
#include <string>

#include "model/model.h"

namespace og {

// The serialized ModelProto; og::Error for a layer without an ONNX form.
std::string onnx_bytes(Model& m);

}  // namespace og
