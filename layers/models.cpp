// models.cpp — the named architectures of models.h.
#include "layers/models.h"

#include <sstream>

#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/linear.h"
#include "layers/pool2d.h"

namespace og {

namespace {
std::vector<int> parse_widths(const std::string& text, const std::string& spec) {
  std::vector<int> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    OG_CHECK(!item.empty() && *end == '\0' && v > 0 && v <= 1 << 20, "model '", spec,
             "': bad layer width '", item, "'");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::unique_ptr<Linear> dense(int in, int out, Rng& rng, bool relu) {
  auto l = std::make_unique<Linear>(in, out, rng);
  l->fuse_relu = relu;
  return l;
}
}  // namespace

std::unique_ptr<Sequential> build_model(const std::string& spec, const Shape& input, int outputs,
                                        Rng& rng) {
  OG_CHECK(outputs > 0, "model '", spec, "': needs at least one output, got ", outputs);
  auto net = std::make_unique<Sequential>();
  if (spec == "fashion-cnn") {
    OG_CHECK(input.nd == 3 && input[1] % 4 == 0 && input[2] % 4 == 0, "model fashion-cnn: input ",
             input, " must be C,H,W with H and W multiples of 4");
    const int C = int(input[0]), H = int(input[1]), W = int(input[2]);
    auto c1 = std::make_unique<Conv2d>(C, 32, 3, 1, 1, rng);
    c1->fuse_relu = true;
    auto c2 = std::make_unique<Conv2d>(32, 64, 3, 1, 1, rng);
    c2->fuse_relu = true;
    net->add(std::move(c1));
    net->add(std::make_unique<MaxPool2d>(2, 2));
    net->add(std::move(c2));
    net->add(std::make_unique<MaxPool2d>(2, 2));
    net->add(std::make_unique<Flatten>());
    net->add(dense(64 * (H / 4) * (W / 4), 128, rng, true));
    net->add(dense(128, outputs, rng, false));
    return net;
  }
  const int features = static_cast<int>(input.numel());
  std::vector<int> hidden;
  if (spec.rfind("mlp:", 0) == 0) hidden = parse_widths(spec.substr(4), spec);
  else OG_CHECK(spec == "linear", "unknown model '", spec, "' (known: fashion-cnn, mlp:H1,H2,..., linear)");
  net->add(std::make_unique<Flatten>());
  int width = features;
  for (int h : hidden) {
    net->add(dense(width, h, rng, true));
    width = h;
  }
  net->add(dense(width, outputs, rng, false));
  return net;
}

}  // namespace og
