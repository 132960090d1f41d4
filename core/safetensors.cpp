// safetensors.cpp — writing and strictly reading safetensors files (see safetensors.h).
#include "core/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "core/atomic_file.h"
#include "core/check.h"

namespace og {

namespace {
constexpr uint64_t kMaxHeader = 100000000;

uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// The header length N in a file's first 8 bytes, checked against the limit and the
// file's size before anything is allocated for it.
uint64_t header_length(const char* first8, uint64_t file_size, const std::string& who) {
  const uint64_t n = get_u64(first8);
  OG_CHECK(n <= kMaxHeader, who, ": safetensors header of ", n, " bytes is over the limit of ", kMaxHeader);
  OG_CHECK(n <= file_size - 8, who, ": safetensors header of ", n, " bytes runs past the end of the file (",
           file_size, " bytes)");
  return n;
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += char((v >> (8 * i)) & 0xff);
}

// A JSON string as serde_json writes it: quotes, backslashes and control characters
// escaped, everything else (UTF-8 included) as is.
void put_json_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += std::string("\\u00") + hex[c >> 4] + hex[c & 15];
        else out += char(c);
    }
  }
  out += '"';
}

// The header's JSON, parsed strictly into what a safetensors header may hold.
class Json {
 public:
  Json(const std::string& text, const std::string& who) : s_(text), who_(who) {}

  struct Info {
    std::string dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
    bool has_dtype = false, has_shape = false, has_offsets = false;
  };

  void parse(std::map<std::string, std::string>& metadata, std::vector<std::pair<std::string, Info>>& infos) {
    ws();
    expect('{');
    bool seen_meta = false;
    std::vector<std::string> names;
    if (!take('}')) {
      do {
        ws();
        const std::string key = string();
        ws();
        expect(':');
        ws();
        if (key == "__metadata__") {
          OG_CHECK(!seen_meta, who_, ": __metadata__ appears twice");
          seen_meta = true;
          string_map(metadata);
        } else {
          OG_CHECK(std::find(names.begin(), names.end(), key) == names.end(), who_, ": tensor '", key,
                   "' appears twice");
          names.push_back(key);
          infos.emplace_back(key, info(key));
        }
        ws();
      } while (take(','));
      expect('}');
    }
    ws();
    OG_CHECK(at_ == s_.size(), who_, ": header has text after its JSON object at byte ", at_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(cat(who_, ": header is not a safetensors JSON object: ", what, " at byte ", at_));
  }
  void ws() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\r' || s_[at_] == '\t')) ++at_;
  }
  bool take(char c) {
    ws();
    if (at_ < s_.size() && s_[at_] == c) return ++at_, true;
    return false;
  }
  void expect(char c) {
    if (!take(c)) fail(cat("expected '", c, "'"));
  }
  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xc0 | (cp >> 6)), out += char(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += char(0xe0 | (cp >> 12)), out += char(0x80 | ((cp >> 6) & 0x3f)), out += char(0x80 | (cp & 0x3f));
    } else {
      out += char(0xf0 | (cp >> 18)), out += char(0x80 | ((cp >> 12) & 0x3f));
      out += char(0x80 | ((cp >> 6) & 0x3f)), out += char(0x80 | (cp & 0x3f));
    }
  }
  uint32_t hex4() {
    if (at_ + 4 > s_.size()) fail("a short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[at_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
      else fail("a bad \\u escape");
    }
    return v;
  }
  std::string string() {
    if (at_ >= s_.size() || s_[at_] != '"') fail("expected a string");
    ++at_;
    std::string out;
    while (true) {
      if (at_ >= s_.size()) fail("an unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[at_++]);
      if (c == '"') return out;
      if (c < 0x20) fail("a control character in a string");
      if (c != '\\') {
        out += char(c);
        continue;
      }
      if (at_ >= s_.size()) fail("an unterminated escape");
      switch (s_[at_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xd800 && cp < 0xdc00) {  // a surrogate pair
            if (!(at_ + 2 <= s_.size() && s_[at_] == '\\' && s_[at_ + 1] == 'u')) fail("a lone surrogate");
            at_ += 2;
            const uint32_t lo = hex4();
            if (lo < 0xdc00 || lo >= 0xe000) fail("a lone surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            fail("a lone surrogate");
          }
          put_utf8(out, cp);
          break;
        }
        default: fail("an unknown escape");
      }
    }
  }
  uint64_t integer() {
    ws();
    if (at_ >= s_.size() || s_[at_] < '0' || s_[at_] > '9') fail("expected a non-negative integer");
    if (s_[at_] == '0' && at_ + 1 < s_.size() && s_[at_ + 1] >= '0' && s_[at_ + 1] <= '9') fail("a leading zero");
    uint64_t v = 0;
    while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') {
      const uint64_t d = uint64_t(s_[at_++] - '0');
      if (v > (UINT64_MAX - d) / 10) fail("an integer past 64 bits");
      v = v * 10 + d;
    }
    if (at_ < s_.size() && (s_[at_] == '.' || s_[at_] == 'e' || s_[at_] == 'E')) fail("a non-integer number");
    return v;
  }
  std::vector<uint64_t> integers() {
    std::vector<uint64_t> v;
    expect('[');
    if (take(']')) return v;
    do {
      v.push_back(integer());
      if (v.size() > 64) fail("an array of more than 64 numbers");
    } while (take(','));
    expect(']');
    return v;
  }
  void string_map(std::map<std::string, std::string>& out) {
    expect('{');
    if (take('}')) return;
    do {
      ws();
      std::string k = string();
      expect(':');
      ws();
      if (!out.emplace(std::move(k), string()).second) fail("a metadata key twice");
    } while (take(','));
    expect('}');
  }
  Info info(const std::string& name) {
    Info r;
    expect('{');
    if (!take('}')) {
      do {
        ws();
        const std::string k = string();
        expect(':');
        ws();
        if (k == "dtype" && !r.has_dtype) {
          r.dtype = string(), r.has_dtype = true;
        } else if (k == "shape" && !r.has_shape) {
          for (uint64_t d : integers()) {
            OG_CHECK(d <= uint64_t(INT64_MAX), who_, ": tensor '", name, "' has a dimension past 63 bits");
            r.shape.push_back(int64_t(d));
          }
          r.has_shape = true;
        } else if (k == "data_offsets" && !r.has_offsets) {
          const std::vector<uint64_t> o = integers();
          OG_CHECK(o.size() == 2, who_, ": tensor '", name, "' has ", o.size(), " data_offsets, not 2");
          r.begin = o[0], r.end = o[1], r.has_offsets = true;
        } else {
          fail(cat("tensor '", name, "' has an unknown or repeated key '", k, "'"));
        }
      } while (take(','));
      expect('}');
    }
    OG_CHECK(r.has_dtype && r.has_shape && r.has_offsets, who_, ": tensor '", name,
             "' lacks dtype, shape or data_offsets");
    return r;
  }

  const std::string& s_;
  const std::string& who_;
  size_t at_ = 0;
};

// Bytes per element of the dtypes the format names; 0 for an unknown one.
int dtype_size(const std::string& d) {
  static const std::pair<const char*, int> kSizes[] = {
      {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
      {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4}, {"F64", 8}, {"I64", 8}, {"U64", 8}};
  for (const auto& [name, size] : kSizes)
    if (d == name) return size;
  return 0;
}
}  // namespace

std::string safetensors_bytes(const SafeTensors& s) {
  std::vector<const std::pair<std::string, Tensor>*> order;
  for (const auto& t : s.tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (size_t i = 1; i < order.size(); ++i)
    OG_CHECK(order[i]->first != order[i - 1]->first, "safetensors: tensor '", order[i]->first, "' twice");
  std::string json = "{";
  if (!s.metadata.empty()) {
    json += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : s.metadata) {
      if (!first) json += ',';
      first = false;
      put_json_string(json, k);
      json += ':';
      put_json_string(json, v);
    }
    json += '}';
  }
  uint64_t offset = 0;
  for (const auto* t : order) {
    if (json.size() > 1) json += ',';
    put_json_string(json, t->first);
    json += ":{\"dtype\":\"F32\",\"shape\":[";
    const Shape& sh = t->second.shape();
    for (int i = 0; i < sh.nd; ++i) json += (i ? "," : "") + std::to_string(sh[i]);
    const uint64_t bytes = 4 * uint64_t(t->second.numel());
    json += cat("],\"data_offsets\":[", offset, ",", offset + bytes, "]}");
    offset += bytes;
  }
  json += '}';
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + json.size() + offset);
  put_u64(out, json.size());
  out += json;
  for (const auto* t : order) {
    const float* d = t->second.data();
    for (int64_t i = 0; i < t->second.numel(); ++i) {
      uint32_t bits = 0;
      std::memcpy(&bits, d + i, 4);
      for (int b = 0; b < 4; ++b) out += char((bits >> (8 * b)) & 0xff);
    }
  }
  return out;
}

bool looks_like_safetensors(const std::string& head) {
  if (head.size() < 9) return false;
  const uint64_t n = get_u64(head.data());
  return n >= 2 && n <= kMaxHeader && head[8] == '{';
}

SafeTensors parse_safetensors(const std::string& bytes, const std::string& who) {
  OG_CHECK(bytes.size() >= 8, who, ": ", bytes.size(), " bytes is too short for a safetensors file (8-byte header length)");
  const uint64_t n = header_length(bytes.data(), bytes.size(), who);
  SafeTensors out;
  std::vector<std::pair<std::string, Json::Info>> infos;
  Json(bytes.substr(8, n), who).parse(out.metadata, infos);
  std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) {
    return a.second.begin != b.second.begin ? a.second.begin < b.second.begin : a.second.end < b.second.end;
  });
  const uint64_t data_size = bytes.size() - 8 - n;
  uint64_t at = 0;
  for (const auto& [name, info] : infos) {
    const int size = dtype_size(info.dtype);
    OG_CHECK(size > 0, who, ": tensor '", name, "' has unknown dtype '", info.dtype, "'");
    OG_CHECK(info.dtype == "F32", who, ": tensor '", name, "' has dtype ", info.dtype,
             "; ordgrad reads F32 tensors only");
    OG_CHECK(info.shape.size() <= 4, who, ": tensor '", name, "' has ", info.shape.size(),
             " dimensions; ordgrad tensors have at most 4");
    uint64_t count = 1;
    for (int64_t d : info.shape) {
      OG_CHECK(d == 0 || count <= data_size / uint64_t(d), who, ": tensor '", name,
               "' has a shape larger than the file");
      count *= uint64_t(d);
    }
    OG_CHECK(info.begin == at && info.end >= info.begin, who, ": tensor '", name, "' has data_offsets [",
             info.begin, ",", info.end, "]; expected to start at ", at,
             " (offsets must tile the data without gaps or overlaps)");
    OG_CHECK(info.end <= data_size, who, ": tensor '", name, "' ends at byte ", info.end, " of data, past the ",
             data_size, " bytes after the header");
    OG_CHECK(info.end - info.begin == count * uint64_t(size), who, ": tensor '", name, "' has ",
             info.end - info.begin, " bytes for ", count, " F32 values (", count * 4, " bytes)");
    std::vector<int64_t> dims(info.shape.begin(), info.shape.end());
    Tensor t = Tensor::empty(Shape::of(dims));
    const char* src = bytes.data() + 8 + n + info.begin;
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t bits = 0;
      for (int b = 0; b < 4; ++b) bits |= uint32_t(static_cast<unsigned char>(src[4 * i + uint64_t(b)])) << (8 * b);
      std::memcpy(t.data() + i, &bits, 4);
    }
    out.tensors.emplace_back(name, std::move(t));
    at = info.end;
  }
  OG_CHECK(at == data_size, who, ": the tensors cover ", at, " bytes of data but the file holds ", data_size,
           " after the header");
  return out;
}

void save_safetensors(const std::string& path, const SafeTensors& s) {
  const std::string bytes = safetensors_bytes(s);
  const std::string err = write_file_atomic(path, bytes.data(), bytes.size(), Sync::durable);
  OG_CHECK(err.empty(), err);
}

SafeTensors load_safetensors(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  OG_CHECK(f, "cannot open '", path, "'");
  const std::streamoff size = f.tellg();
  OG_CHECK(size >= 0, "cannot read '", path, "'");
  // The header length is checked against the file's size before anything large is read.
  std::string bytes(size_t(std::min<std::streamoff>(size, 8)), '\0');
  f.seekg(0);
  f.read(bytes.data(), std::streamsize(bytes.size()));
  if (bytes.size() == 8) {
    header_length(bytes.data(), uint64_t(size), path);
    bytes.resize(size_t(size));
    f.read(bytes.data() + 8, std::streamsize(size - 8));
  }
  OG_CHECK(f, "cannot read '", path, "'");
  return parse_safetensors(bytes, path);
}

}  // namespace og
