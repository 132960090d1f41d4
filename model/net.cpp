// net.cpp — the typed spelling of the architecture language (see net.h).
#include "model/net.h"

#include <cstdio>
#include <cstdlib>

#include "core/check.h"

namespace og {

namespace {
// The shortest text that reads back as the same float (the stored text stays short).
std::string num(float v) {
  char buf[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}
std::string pool(const char* name, int k, int stride) {
  return cat(name, "(", k, stride > 0 ? cat(",stride=", stride) : "", ")");
}
}  // namespace

Net& Net::word(const std::string& w) {
  text_ += (text_.empty() ? "" : ", ") + w;
  return *this;
}

Net& Net::conv(int out, int k, int stride, int pad, bool bias) {
  return word(cat("conv(", out, ",", k, ",stride=", stride, ",pad=", pad, ",bias=", bias ? 1 : 0, ")"));
}
Net& Net::maxpool(int k, int stride) { return word(pool("maxpool", k, stride)); }
Net& Net::avgpool(int k, int stride) { return word(pool("avgpool", k, stride)); }
Net& Net::gap() { return word("gap"); }
Net& Net::flatten() { return word("flatten"); }
Net& Net::dense(int out, bool bias) { return word(cat("dense(", out, ",bias=", bias ? 1 : 0, ")")); }
Net& Net::bn(float momentum, float eps) { return word("bn(momentum=" + num(momentum) + ",eps=" + num(eps) + ")"); }
Net& Net::dropout(float p) { return word("dropout(" + num(p) + ")"); }
Net& Net::relu() { return word("relu"); }
Net& Net::leakyrelu(float slope) { return word("leakyrelu(" + num(slope) + ")"); }
Net& Net::sigmoid() { return word("sigmoid"); }
Net& Net::tanh() { return word("tanh"); }
Net& Net::res(const Net& body) {
  OG_CHECK(!body.text_.empty(), "Net::res: the block's body is empty");
  return word("res(" + body.text_ + ")");
}
Net& Net::add(const std::string& text) {
  OG_CHECK(!text.empty(), "Net::add: empty text");
  return word(text);
}

}  // namespace og
