// protobuf.cpp — the protobuf wire format (see protobuf.h).
#include "core/protobuf.h"

#include <cstring>

namespace og {

void Proto::raw_varint(uint64_t v) {
  while (v >= 0x80) {
    out_ += char(0x80 | (v & 0x7f));
    v >>= 7;
  }
  out_ += char(v);
}

void Proto::key(int field, int wire) { raw_varint(uint64_t(field) << 3 | uint64_t(wire)); }

Proto& Proto::varint(int field, int64_t v) {
  key(field, 0);
  raw_varint(uint64_t(v));
  return *this;
}

Proto& Proto::bytes(int field, const std::string& s) {
  key(field, 2);
  raw_varint(s.size());
  out_ += s;
  return *this;
}

Proto& Proto::message(int field, const Proto& m) { return bytes(field, m.str()); }

Proto& Proto::f32(int field, float v) {
  key(field, 5);
  uint32_t b = 0;
  std::memcpy(&b, &v, 4);
  for (int i = 0; i < 4; ++i) out_ += char((b >> (8 * i)) & 0xff);
  return *this;
}

Proto& Proto::packed(int field, const std::vector<int64_t>& v) {
  Proto body;
  for (int64_t x : v) body.raw_varint(uint64_t(x));
  return bytes(field, body.str());
}

Proto& Proto::packed(int field, const std::vector<float>& v) {
  std::string body(4 * v.size(), '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t b = 0;
    std::memcpy(&b, &v[i], 4);
    for (int k = 0; k < 4; ++k) body[4 * i + size_t(k)] = char((b >> (8 * k)) & 0xff);
  }
  return bytes(field, body);
}

}  // namespace og
