// og::Net (model/net.h): networks written in C++ spell the architecture language.
#include <doctest/doctest.h>

#include "helpers.h"
#include "model/architecture.h"
#include "model/net.h"

using namespace og;

TEST_CASE("Net: every method spells the same network as the text, and every layer word has one") {
  Net net;
  net.conv(8, 3, 1, 1, false).bn().relu().maxpool(2).avgpool(2, 1).conv(16, 3, 2, 1).leakyrelu(0.2f)
      .res(Net().conv(16, 3, 1, 1).bn(0.05f, 1e-3f).tanh()).sigmoid().dropout(0.25f).gap().dense(12)
      .res(Net().dense(6, false).relu()).flatten().add("dense(4)");
  const std::string text =
      "conv(8,3,pad=1,bias=0), bn, relu, maxpool(2), avgpool(2,stride=1), conv(16,3,stride=2,pad=1), "
      "leakyrelu(0.2), res(conv(16,3,pad=1), bn(momentum=0.05,eps=0.001), tanh), sigmoid, dropout(0.25), gap, "
      "dense(12), res(dense(6,bias=0), relu), flatten, dense(4)";
  CHECK(canonical_architecture(net.text()) == canonical_architecture(text));
  // A word added to the language without a Net method fails here.
  std::string missing;
  for (const LayerWord& w : architecture_words())
    if (net.text().find(w.word) == std::string::npos) missing += std::string(" ") + w.word;
  CHECK_MESSAGE(missing.empty(), "layer words with no og::Net method:", missing);
  // Floats are stored exactly, in the shortest text.
  CHECK(Net().dropout(0.1f).text() == "dropout(0.1)");
  CHECK(Net().leakyrelu(0.123456789f).text() == "leakyrelu(0.12345679)");
  CHECK_THROWS_WITH_AS(Net().res(Net()), doctest::Contains("body is empty"), Error);
}
