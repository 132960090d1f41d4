// serialize.cpp — checkpoint writer and checked reader (format in serialize.h).
#include "core/serialize.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>

#include "core/atomic_file.h"
#include "core/check.h"

namespace og {

namespace {

const char kMagic[4] = {'O', 'G', 'C', 'K'};

bool host_is_little_endian() {
  const uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// zlib's crc32 takes a 32-bit length; feed large buffers in pieces.
uLong crc_update(uLong crc, const void* p, size_t n) {
  const auto* b = static_cast<const Bytef*>(p);
  while (n > 0) {
    const size_t piece = n < (size_t(1) << 30) ? n : (size_t(1) << 30);
    crc = crc32(crc, b, static_cast<uInt>(piece));
    b += piece;
    n -= piece;
  }
  return crc;
}

// A name read from a possibly damaged file, made safe for a one-line message.
std::string printable(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 80; ++i)
    out += (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  return s.size() > 80 ? out + "..." : out;
}

std::string dims_text(const int64_t* d, int nd) {
  std::string s = "[";
  for (int i = 0; i < nd; ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

// Streams little-endian fields into a FILE and keeps the running CRC of them.
class Writer {
 public:
  Writer(FILE* f, const std::string& path, const std::string& tmp)
      : f_(f), path_(path), tmp_(tmp) {}
  uLong crc() const { return crc_; }

  void bytes(const void* p, size_t n) {
    if (n > 0 && std::fwrite(p, 1, n, f_) != n) fail("cannot write");
    crc_ = crc_update(crc_, p, n);
  }
  void uint(uint64_t v, int nbytes) {
    uint8_t b[8];
    for (int i = 0; i < nbytes; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    bytes(b, nbytes);
  }
  void floats(const float* p, int64_t n) {
    if (host_is_little_endian()) {
      bytes(p, static_cast<size_t>(n) * sizeof(float));
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      uint32_t bits;
      std::memcpy(&bits, p + i, 4);
      uint(bits, 4);
    }
  }
  // Throw with the current errno; must be called right after the failing call.
  [[noreturn]] void fail(const char* what) const {
    const int err = errno;
    throw Error(cat("save_checkpoint: ", what, " '", path_, "' (temp file '", tmp_,
                    "'): ", std::strerror(err)));
  }

 private:
  FILE* f_;
  const std::string& path_;
  const std::string& tmp_;
  uLong crc_ = crc32(0L, Z_NULL, 0);
};

// Reads fields with every length checked against the bytes left in the file, so a
// damaged header can never make us read past the end or allocate more than the file
// could hold. The last 4 bytes are the CRC and are not available to the body.
class Reader {
 public:
  Reader(FILE* f, const std::string& path, uint64_t size) : f_(f), path_(path), left_(size) {}

  uint64_t body_left() const { return left_ >= 4 ? left_ - 4 : 0; }
  uLong crc() const { return crc_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(cat("load_checkpoint: '", path_, "' ", what));
  }
  void need(uint64_t n, const std::string& what) const {
    if (n > body_left())
      fail(cat("is truncated or corrupt: ", what, " needs ", n, " bytes, only ", body_left(),
               " left"));
  }
  void raw(void* p, size_t n) {
    if (n > 0 && std::fread(p, 1, n, f_) != n) {
      if (std::ferror(f_)) fail(cat("cannot be read: ", std::strerror(errno)));
      fail("is truncated (file shrank while reading)");
    }
    left_ -= n;
  }
  void bytes(void* p, size_t n, const std::string& what) {
    need(n, what);
    raw(p, n);
    crc_ = crc_update(crc_, p, n);
  }
  uint64_t uint(int nbytes, const std::string& what) {
    uint8_t b[8];
    bytes(b, nbytes, what);
    uint64_t v = 0;
    for (int i = 0; i < nbytes; ++i) v |= uint64_t(b[i]) << (8 * i);
    return v;
  }
  std::string text(uint64_t len, const std::string& what) {
    need(len, what);
    std::string s(len, '\0');
    bytes(s.data(), len, what);
    return s;
  }

 private:
  FILE* f_;
  const std::string& path_;
  uint64_t left_;
  uLong crc_ = crc32(0L, Z_NULL, 0);
};

std::string where(const Checkpoint& ck) {
  return ck.source.empty() ? "checkpoint" : "checkpoint '" + ck.source + "'";
}

void check_writable(const Checkpoint& ck, const std::string& path) {
  for (const auto& [key, val] : ck.meta)
    OG_CHECK(key.size() <= std::numeric_limits<uint32_t>::max() &&
                 val.size() <= std::numeric_limits<uint32_t>::max(),
             "save_checkpoint: '", path, "': meta entry '", key.substr(0, 40), "' is too long");
  std::set<std::string> seen;
  for (const auto& [name, t] : ck.tensors) {
    OG_CHECK(!name.empty() && name.size() <= std::numeric_limits<uint16_t>::max(),
             "save_checkpoint: '", path, "': tensor name '", name.substr(0, 40),
             "' must have 1 to 65535 bytes, has ", name.size());
    OG_CHECK(seen.insert(name).second, "save_checkpoint: '", path, "': tensor '", name,
             "' appears twice");
    OG_CHECK(t.defined(), "save_checkpoint: '", path, "': tensor '", name, "' is undefined");
  }
}

}  // namespace

const Tensor* Checkpoint::find(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return &t;
  return nullptr;
}

const std::string& Checkpoint::meta_at(const std::string& key) const {
  auto it = meta.find(key);
  OG_CHECK(it != meta.end(), where(*this), ": no meta entry '", key, "'");
  return it->second;
}

int64_t Checkpoint::meta_int(const std::string& key) const {
  const std::string& s = meta_at(key);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  OG_CHECK(!s.empty() && end == s.c_str() + s.size() && errno == 0, where(*this),
           ": meta entry '", key, "' = '", s.substr(0, 40), "' is not an integer");
  return v;
}

void save_checkpoint(const std::string& path, const Checkpoint& ck) {
  check_writable(ck, path);
  // Same directory as the target, so rename() stays on one filesystem and is atomic.
  const std::string tmp = temp_path(path);
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    const int err = errno;
    throw Error(cat("save_checkpoint: cannot create '", tmp, "' for '", path,
                    "': ", std::strerror(err)));
  }
  try {
    Writer w(f, path, tmp);
    w.bytes(kMagic, 4);
    w.uint(kCheckpointVersion, 4);
    w.uint(ck.meta.size(), 4);
    for (const auto& [key, val] : ck.meta) {
      w.uint(key.size(), 4);
      w.bytes(key.data(), key.size());
      w.uint(val.size(), 4);
      w.bytes(val.data(), val.size());
    }
    w.uint(ck.tensors.size(), 4);
    for (const auto& [name, t] : ck.tensors) {
      w.uint(name.size(), 2);
      w.bytes(name.data(), name.size());
      const Shape& s = t.shape();
      w.uint(static_cast<uint64_t>(s.nd), 1);
      for (int i = 0; i < s.nd; ++i) w.uint(static_cast<uint64_t>(s.d[i]), 8);
      w.floats(t.data(), t.numel());
    }
    w.uint(w.crc(), 4);
    // Data must be on disk before the rename makes it visible under the real name.
    if (std::fflush(f) != 0) w.fail("cannot write");
    if (::fsync(::fileno(f)) != 0) w.fail("cannot fsync");
    FILE* closing = f;
    f = nullptr;
    if (std::fclose(closing) != 0) w.fail("cannot close");
    if (std::rename(tmp.c_str(), path.c_str()) != 0) w.fail("cannot rename temp file to");
  } catch (...) {
    if (f) std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  sync_parent_dir(path);   // make the rename itself durable
  remove_stale_temps(path);
}

Checkpoint load_checkpoint(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    const int err = errno;
    throw Error(cat("load_checkpoint: cannot open '", path, "': ", std::strerror(err)));
  }
  // Closes the file on every exit, including throws.
  std::unique_ptr<FILE, int (*)(FILE*)> closer(f, std::fclose);
  struct stat st;
  if (::fstat(::fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(cat("load_checkpoint: '", path, "' is not a regular file"));
  const uint64_t size = static_cast<uint64_t>(st.st_size);

  Reader r(f, path, size);
  uint8_t magic[4];
  if (size < 12)  // magic, version, the two counts would already need more
    r.fail(cat("is too short to be an ordgrad checkpoint (", size, " bytes)"));
  r.bytes(magic, 4, "magic");
  if (std::memcmp(magic, kMagic, 4) != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3]);
    r.fail(cat("is not an ordgrad checkpoint (starts with bytes ", hex, ", expected \"OGCK\")"));
  }
  const uint64_t version = r.uint(4, "version");
  if (version != kCheckpointVersion)
    r.fail(cat("has unsupported version ", version, " (this build reads version ",
               kCheckpointVersion, ")"));

  Checkpoint ck;
  ck.source = path;
  const uint64_t meta_count = r.uint(4, "meta count");
  if (meta_count > r.body_left() / 8)  // a meta record has at least 8 bytes
    r.fail(cat("is corrupt: meta count ", meta_count, " cannot fit in the ", r.body_left(),
               " bytes left"));
  for (uint64_t i = 0; i < meta_count; ++i) {
    const std::string at = cat("meta record ", i);
    std::string key = r.text(r.uint(4, at + " key length"), at + " key");
    std::string val = r.text(r.uint(4, at + " value length"), at + " value");
    if (ck.meta.count(key)) r.fail(cat("is corrupt: meta key '", printable(key), "' appears twice"));
    ck.meta.emplace(std::move(key), std::move(val));
  }

  const uint64_t tensor_count = r.uint(4, "tensor count");
  if (tensor_count > r.body_left() / 3)  // a tensor record has at least 3 bytes
    r.fail(cat("is corrupt: tensor count ", tensor_count, " cannot fit in the ", r.body_left(),
               " bytes left"));
  std::set<std::string> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    const std::string at = cat("tensor record ", i);
    std::string name = r.text(r.uint(2, at + " name length"), at + " name");
    if (name.empty()) r.fail(cat("is corrupt: ", at, " has an empty name"));
    const std::string what = cat("tensor '", printable(name), "'");
    if (!names.insert(name).second) r.fail(cat("is corrupt: ", what, " appears twice"));
    const uint64_t nd = r.uint(1, what + " ndim");
    if (nd > static_cast<uint64_t>(kMaxDims))
      r.fail(cat("is corrupt: ", what, " has ", nd, " dims (at most ", kMaxDims, ")"));
    int64_t d[kMaxDims];
    for (uint64_t k = 0; k < nd; ++k) {
      d[k] = static_cast<int64_t>(r.uint(8, what + " dims"));
      if (d[k] < 0) r.fail(cat("is corrupt: ", what, " has negative dimension ", d[k]));
    }
    // Bytes of data, computed so that a huge dimension cannot overflow: stop as soon
    // as the product exceeds what is left in the file.
    uint64_t data_bytes = sizeof(float);
    for (uint64_t k = 0; k < nd && data_bytes > 0; ++k) {
      const uint64_t dk = static_cast<uint64_t>(d[k]);
      if (dk != 0 && data_bytes > r.body_left() / dk)
        r.fail(cat("is truncated or corrupt: ", what, " of shape ", dims_text(d, int(nd)),
                   " needs more than the ", r.body_left(), " bytes left"));
      data_bytes *= dk;
    }
    r.need(data_bytes, what + " data");
    Tensor t = Tensor::empty(Shape::of(std::vector<int64_t>(d, d + nd)));
    r.bytes(t.data(), data_bytes, what + " data");
    if (!host_is_little_endian()) {
      for (int64_t k = 0; k < t.numel(); ++k) {
        uint8_t b[4];
        std::memcpy(b, t.data() + k, 4);
        const uint32_t bits = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 |
                              uint32_t(b[3]) << 24;
        std::memcpy(t.data() + k, &bits, 4);
      }
    }
    ck.tensors.emplace_back(std::move(name), std::move(t));
  }

  if (r.body_left() != 0)
    r.fail(cat("is corrupt: ", r.body_left(), " unexpected bytes after the last tensor"));
  uint8_t stored[4];
  const uLong computed = r.crc();
  r.raw(stored, 4);
  const uint32_t expect = uint32_t(stored[0]) | uint32_t(stored[1]) << 8 |
                          uint32_t(stored[2]) << 16 | uint32_t(stored[3]) << 24;
  if (expect != static_cast<uint32_t>(computed)) r.fail("is corrupt (checksum mismatch)");
  return ck;
}

namespace {

struct Slot {
  std::string name;
  Tensor* tensor;
};

void put_slots(Checkpoint& ck, const std::vector<Slot>& slots, const std::string& prefix) {
  for (const Slot& s : slots) {
    const std::string name = prefix + s.name;
    OG_CHECK(s.tensor && s.tensor->defined(), "put_tensors: tensor '", name, "' is undefined");
    OG_CHECK(!ck.find(name), "put_tensors: checkpoint already has a tensor '", name, "'");
    ck.tensors.emplace_back(name, s.tensor->clone());
  }
}

void get_slots(const Checkpoint& ck, const std::vector<Slot>& slots, const std::string& prefix) {
  const std::string from = where(ck);
  std::map<std::string, const Tensor*> index;
  for (const auto& [n, t] : ck.tensors) index.emplace(n, &t);
  std::vector<const Tensor*> found;
  for (const Slot& s : slots) {
    const std::string name = prefix + s.name;
    OG_CHECK(s.tensor && s.tensor->defined(), "get_tensors: model tensor '", name,
             "' is undefined");
    auto it = index.find(name);
    OG_CHECK(it != index.end(), "get_tensors: ", from, " has no tensor '", name,
             "' (model expects ", s.tensor->shape(), ")");
    OG_CHECK(it->second->shape() == s.tensor->shape(), "get_tensors: ", from, " tensor '",
             name, "' is ", it->second->shape(), ", model expects ", s.tensor->shape());
    found.push_back(it->second);
  }
  // Everything checked: only now overwrite, so a failed load changes nothing.
  for (size_t i = 0; i < slots.size(); ++i)
    if (slots[i].tensor->numel() > 0)
      std::memcpy(slots[i].tensor->data(), found[i]->data(),
                  sizeof(float) * static_cast<size_t>(found[i]->numel()));
}

std::vector<Slot> slots_of(const std::vector<NamedTensor>& v) {
  std::vector<Slot> s;
  for (const NamedTensor& t : v) s.push_back({t.name, t.tensor});
  return s;
}

std::vector<Slot> slots_of(const std::vector<NamedParam>& v) {
  std::vector<Slot> s;
  for (const NamedParam& p : v) s.push_back({p.name, p.param ? &p.param->value : nullptr});
  return s;
}

}  // namespace

void put_tensors(Checkpoint& ck, const std::vector<NamedTensor>& tensors,
                 const std::string& prefix) {
  put_slots(ck, slots_of(tensors), prefix);
}
void put_tensors(Checkpoint& ck, const std::vector<NamedParam>& params,
                 const std::string& prefix) {
  put_slots(ck, slots_of(params), prefix);
}
void get_tensors(const Checkpoint& ck, const std::vector<NamedTensor>& tensors,
                 const std::string& prefix) {
  get_slots(ck, slots_of(tensors), prefix);
}
void get_tensors(const Checkpoint& ck, const std::vector<NamedParam>& params,
                 const std::string& prefix) {
  get_slots(ck, slots_of(params), prefix);
}

std::string encode_rng_state(const std::array<uint64_t, 5>& state) {
  std::string s;
  char word[17];
  for (size_t i = 0; i < state.size(); ++i) {
    std::snprintf(word, sizeof word, "%016llx", static_cast<unsigned long long>(state[i]));
    s += (i ? " " : "") + std::string(word);
  }
  return s;
}

std::array<uint64_t, 5> decode_rng_state(const std::string& text) {
  auto bad = [&] {
    return Error(cat("decode_rng_state: expected 5 space-separated 16-digit hex words, got '",
                     text.substr(0, 100), "'"));
  };
  if (text.size() != 5 * 16 + 4) throw bad();
  std::array<uint64_t, 5> st{};
  for (size_t w = 0; w < 5; ++w) {
    if (w > 0 && text[w * 17 - 1] != ' ') throw bad();
    uint64_t v = 0;
    for (size_t k = 0; k < 16; ++k) {
      const char c = text[w * 17 + k];
      int digit;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      else throw bad();
      v = v << 4 | static_cast<uint64_t>(digit);
    }
    st[w] = v;
  }
  return st;
}

}  // namespace og
