// protobuf.h — writing Protocol Buffers messages (the wire format only), enough for ONNX
// files (model/onnx.h) without a protobuf dependency.
//
// Wire format: each field is a key varint (field_number << 3 | wire_type) then its value:
// wire type 0 a varint (int32/int64/enum; negatives as 10-byte two's complement), 2 a
// length-delimited run (string, bytes, sub-message, packed repeated), 5 four bytes
// little-endian (float). Fields are written in call order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace og {

class Proto {
 public:
  Proto& varint(int field, int64_t v);
  Proto& bytes(int field, const std::string& s);   // string, bytes
  Proto& message(int field, const Proto& m);
  Proto& f32(int field, float v);
  Proto& packed(int field, const std::vector<int64_t>& v);  // repeated int64, packed
  Proto& packed(int field, const std::vector<float>& v);    // repeated float, packed
  const std::string& str() const { return out_; }

 private:
  void key(int field, int wire);
  void raw_varint(uint64_t v);
  std::string out_;
};

}  // namespace og
