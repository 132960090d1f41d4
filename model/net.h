// net.h — writing a network in C++: typed calls that spell the architecture language
// (README: Architectures), so a network built in code is stored in the model file as
// text and rebuilt from the file alone, like any other.
//
//   og::Net net;
//   net.conv(32, 3, 1, 1).bn().relu().res(og::Net().conv(32, 3, 1, 1).bn()).relu().gap();
//   og::ModelInfo info{net.text(), og::Shape{1, 32, 32}, "ce+0.5*rps", 30, 0.5f, 0.25f, {}, {}, 0};
//
// The text is checked where it is built (make_model): a shape that does not fit is one
// og::Error naming the layer.
#pragma once
#include <string>

namespace og {

class Net {
 public:
  Net& conv(int out, int kernel, int stride = 1, int pad = 0, bool bias = true);
  Net& maxpool(int kernel, int stride = 0);  // stride 0 = the kernel
  Net& avgpool(int kernel, int stride = 0);
  Net& gap();
  Net& flatten();
  Net& dense(int out, bool bias = true);
  Net& bn(float momentum = 0.1f, float eps = 1e-5f);
  Net& dropout(float p);
  Net& relu();
  Net& leakyrelu(float slope = 0.01f);
  Net& sigmoid();
  Net& tanh();
  Net& res(const Net& body);  // y = body(x) + x, projected where body changes the shape
  Net& add(const std::string& text);  // any text of the language, e.g. an alias "resnet8"
  const std::string& text() const { return text_; }

 private:
  Net& word(const std::string& w);
  std::string text_;
};

}  // namespace og
