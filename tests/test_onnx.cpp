// ONNX export (model/onnx.h) and its protobuf writer (core/protobuf.h): the wire format's
// bytes, and an ONNX form for every layer word of the architecture language under every
// head, so a new layer cannot ship without one. Other runtimes check the exported
// numbers in scripts/checks/onnx.sh (the onnx checker and OpenCV's DNN module).
#include <doctest/doctest.h>

#include <string>

#include "core/protobuf.h"
#include "model/architecture.h"
#include "model/onnx.h"
#include "tests/helpers.h"

using namespace og;

TEST_CASE("protobuf: the wire format's bytes") {
  CHECK(Proto().varint(1, 150).str() == std::string("\x08\x96\x01", 3));  // the format's own example
  CHECK(Proto().bytes(2, "testing").str() == std::string("\x12\x07testing", 9));
  CHECK(Proto().varint(3, -1).str() == std::string("\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11));
  CHECK(Proto().f32(2, 1.0f).str() == std::string("\x15\x00\x00\x80\x3f", 5));
  CHECK(Proto().message(3, Proto().varint(1, 150)).str() == std::string("\x1a\x03\x08\x96\x01", 5));
  CHECK(Proto().packed(4, std::vector<int64_t>{3, 270, 86942}).str() ==
        std::string("\x22\x06\x03\x8e\x02\x9e\xa7\x05", 8));
  CHECK(Proto().packed(4, std::vector<float>{1.0f}).str() == std::string("\x22\x04\x00\x00\x80\x3f", 6));
  CHECK(Proto().varint(16, 1).str() == std::string("\x80\x01\x01", 3));  // a two-byte key
}

TEST_CASE("onnx: every layer word exports under every head") {
  for (const LayerWord& w : architecture_words()) {
    for (const char* loss : {"ce", "coral", "corn", "clm:link=probit", "reg_l1"}) {
      const std::string word = w.word, head = loss;
      CAPTURE(word);
      CAPTURE(head);
      ModelInfo info;
      info.architecture = std::string(w.example) + ", flatten";  // a flat input for the head
      info.input = Shape{1, 16, 16};
      info.classes = 4;
      info.loss = loss;
      info.norm_mean = 0.5f;
      info.norm_std = 0.25f;
      Model m = make_model(info, 1);
      std::string bytes;
      CHECK_NOTHROW(bytes = onnx_bytes(m));
      CHECK(bytes.rfind("\x08\x08", 0) == 0);  // ir_version 8 first
      CHECK(bytes.find("probabilities") != std::string::npos);
      CHECK(bytes.find(m.info.architecture) != std::string::npos);  // in the metadata props
    }
  }
}
