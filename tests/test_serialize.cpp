// Checkpoints: exact byte layout, bit-exact round trips, damaged files that must
// throw og::Error (never crash), atomic replacement, and name/shape checked loading.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/check.h"
#include "core/rng.h"
#include "core/serialize.h"
#include "tests/helpers.h"

using namespace og;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Builds checkpoint bytes field by field, to pin the documented layout and to make
// damaged files whose checksum is nevertheless right.
struct Bytes {
  std::string b;
  Bytes& raw(const std::string& s) { b += s; return *this; }
  Bytes& uint(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b += static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes& f32(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    return uint(bits, 4);
  }
  Bytes& crc() {
    return uint(crc32(0L, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size())),
                4);
  }
};

using test::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Checkpoint small_checkpoint() {
  Checkpoint ck;
  ck.meta["epoch"] = "3";
  ck.meta["spec"] = "conv:8,relu,dense:10";
  ck.tensors.emplace_back("w", Tensor::from({2, 3}, {1, -2, 3.5f, 0, -0.25f, 7}));
  ck.tensors.emplace_back("b", Tensor::from({2}, {0.5f, -1}));
  ck.tensors.emplace_back("s", Tensor::from({}, {42}));
  return ck;
}

}  // namespace

TEST_CASE("checkpoint bytes follow the documented layout exactly") {
  TempDir dir;
  Checkpoint ck;
  ck.meta["a"] = "bc";
  ck.tensors.emplace_back("w", Tensor::from({2}, {1.0f, -2.0f}));
  ck.tensors.emplace_back("s", Tensor::from({}, {0.5f}));
  save_checkpoint(dir.file("m.ogck"), ck);
  Bytes want;
  want.raw("OGCK").uint(1, 4).uint(1, 4);
  want.uint(1, 4).raw("a").uint(2, 4).raw("bc");
  want.uint(2, 4);
  want.uint(1, 2).raw("w").uint(1, 1).uint(2, 8).f32(1.0f).f32(-2.0f);
  want.uint(1, 2).raw("s").uint(0, 1).f32(0.5f);
  want.crc();
  const std::string got = test::read_file(dir.file("m.ogck"));
  CHECK(got.size() == 4 + 4 + 4 + (4 + 1 + 4 + 2) + 4 + (2 + 1 + 1 + 8 + 8) + (2 + 1 + 1 + 4) + 4);
  CHECK(got == want.b);
  // Bytes 0x3f800000 = 1.0f appear little-endian.
  CHECK(got.substr(4 + 4 + 4 + 11 + 4 + 12, 4) == std::string("\x00\x00\x80\x3f", 4));
}

TEST_CASE("checkpoint round trip keeps meta, order, shapes and float bits") {
  TempDir dir;
  Rng rng(5);
  Checkpoint ck;
  ck.meta["spec"] = "conv:32,relu,pool:2,dense:10";
  ck.meta["empty"] = "";
  ck.meta["binary"] = std::string("a\0b\nc\xff", 6);
  ck.meta["long"] = std::string(100000, 'x');
  Tensor special = Tensor::empty({6});
  special[0] = -0.0f;
  special[1] = std::numeric_limits<float>::infinity();
  special[2] = -std::numeric_limits<float>::infinity();
  special[3] = std::numeric_limits<float>::denorm_min();
  special[4] = std::numeric_limits<float>::max();
  const uint32_t nan_bits = 0x7fc12345u;  // a NaN with a payload must survive too
  std::memcpy(special.data() + 5, &nan_bits, 4);
  ck.tensors.emplace_back("z.scalar", Tensor::from({}, {3.25f}));
  ck.tensors.emplace_back("a.conv.weight", test::randn({4, 3, 5, 5}, rng));
  ck.tensors.emplace_back("m.special", special);
  ck.tensors.emplace_back("e.empty", Tensor::zeros({0, 3}));
  ck.tensors.emplace_back("b.matrix", test::randn({7, 3}, rng));
  const std::string path = dir.file("model.ogck");
  save_checkpoint(path, ck);

  Checkpoint back = load_checkpoint(path);
  CHECK(back.source == path);
  CHECK(back.meta == ck.meta);
  REQUIRE(back.tensors.size() == ck.tensors.size());
  for (size_t i = 0; i < ck.tensors.size(); ++i) {
    CAPTURE(ck.tensors[i].first);
    CHECK(back.tensors[i].first == ck.tensors[i].first);  // file order, not sorted
    CHECK(test::bit_equal(back.tensors[i].second, ck.tensors[i].second));
  }
  CHECK(back.tensors[0].second.shape().nd == 0);
  CHECK(back.tensors[1].second.shape() == Shape{4, 3, 5, 5});
  CHECK(back.find("b.matrix") == &back.tensors[4].second);
  CHECK(back.find("nope") == nullptr);
  // Saving what was loaded reproduces the file byte for byte.
  save_checkpoint(dir.file("again.ogck"), back);
  CHECK(test::read_file(dir.file("again.ogck")) == test::read_file(path));
}

TEST_CASE("a checkpoint cut at any byte throws og::Error with one line naming the file") {
  TempDir dir;
  save_checkpoint(dir.file("full.ogck"), small_checkpoint());
  const std::string full = test::read_file(dir.file("full.ogck"));
  REQUIRE(full.size() > 100);
  const std::string cut = dir.file("cut.ogck");
  int errors = 0;
  for (size_t n = 0; n < full.size(); ++n) {
    CAPTURE(n);
    write_bytes(cut, full.substr(0, n));
    const std::string msg = error_of([&] { load_checkpoint(cut); });
    CHECK(contains(msg, "load_checkpoint: '" + cut + "'"));
    CHECK(!contains(msg, "\n"));
    errors += contains(msg, "(no error)") ? 0 : 1;
  }
  CHECK(errors == static_cast<int>(full.size()));
  // One cut in the data says what was cut, not just that something is wrong.
  write_bytes(cut, full.substr(0, full.size() - 10));
  CHECK(contains(error_of([&] { load_checkpoint(cut); }), "truncated"));
  write_bytes(cut, full);
  CHECK(load_checkpoint(cut).tensors.size() == 3);
}

TEST_CASE("a checkpoint with any byte changed throws og::Error") {
  TempDir dir;
  save_checkpoint(dir.file("full.ogck"), small_checkpoint());
  const std::string full = test::read_file(dir.file("full.ogck"));
  const std::string bad = dir.file("bad.ogck");
  for (size_t i = 0; i < full.size(); ++i) {
    for (int mask : {0x01, 0x80, 0xff}) {
      CAPTURE(i);
      CAPTURE(mask);
      std::string damaged = full;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      write_bytes(bad, damaged);
      const std::string msg = error_of([&] { load_checkpoint(bad); });
      CHECK(contains(msg, "load_checkpoint: '" + bad + "'"));
      CHECK(!contains(msg, "\n"));
    }
  }
  // A flipped bit inside float data is found by the checksum alone.
  std::string damaged = full;
  damaged[full.size() - 8] ^= 0x10;
  write_bytes(bad, damaged);
  CHECK(error_of([&] { load_checkpoint(bad); }) ==
        "load_checkpoint: '" + bad + "' is corrupt (checksum mismatch)");
  // So is a file with extra bytes appended.
  write_bytes(bad, full + "x");
  CHECK(contains(error_of([&] { load_checkpoint(bad); }), "corrupt"));
}

TEST_CASE("wrong magic, future version and missing file give clear messages") {
  TempDir dir;
  const std::string p = dir.file("x.ogck");
  write_bytes(p, "PK\x03\x04 this is a zip archive, not a model");
  CHECK(error_of([&] { load_checkpoint(p); }) ==
        "load_checkpoint: '" + p +
            "' is not an ordgrad checkpoint (starts with bytes 50 4b 03 04, expected \"OGCK\")");
  write_bytes(p, "OG");
  CHECK(error_of([&] { load_checkpoint(p); }) ==
        "load_checkpoint: '" + p + "' is too short to be an ordgrad checkpoint (2 bytes)");

  Bytes future;
  future.raw("OGCK").uint(2, 4).uint(0, 4).uint(0, 4).crc();
  write_bytes(p, future.b);
  CHECK(error_of([&] { load_checkpoint(p); }) ==
        "load_checkpoint: '" + p + "' has unsupported version 2 (this build reads version 1)");

  Bytes empty_v1;  // the same layout at version 1 is a valid, empty checkpoint
  empty_v1.raw("OGCK").uint(1, 4).uint(0, 4).uint(0, 4).crc();
  write_bytes(p, empty_v1.b);
  Checkpoint ck = load_checkpoint(p);
  CHECK(ck.meta.empty());
  CHECK(ck.tensors.empty());

  const std::string missing = dir.file("nope.ogck");
  CHECK(error_of([&] { load_checkpoint(missing); }) ==
        "load_checkpoint: cannot open '" + missing + "': No such file or directory");
  CHECK(error_of([&] { load_checkpoint(dir.path.string()); }) ==
        "load_checkpoint: '" + dir.path.string() + "' is not a regular file");
}

TEST_CASE("absurd sizes with a valid checksum are refused before any allocation") {
  TempDir dir;
  const std::string p = dir.file("x.ogck");
  auto header = [] {
    Bytes b;
    b.raw("OGCK").uint(1, 4).uint(0, 4);
    return b;
  };
  auto msg_for = [&](Bytes b) {
    write_bytes(p, b.crc().b);
    return error_of([&] { load_checkpoint(p); });
  };
  const std::string at = "load_checkpoint: '" + p + "' ";

  Bytes five_dims = header();
  five_dims.uint(1, 4).uint(1, 2).raw("w").uint(5, 1);
  for (int i = 0; i < 5; ++i) five_dims.uint(1, 8);
  five_dims.f32(1);
  CHECK(msg_for(five_dims) == at + "is corrupt: tensor 'w' has 5 dims (at most 4)");

  Bytes negative = header();
  negative.uint(1, 4).uint(1, 2).raw("w").uint(2, 1).uint(2, 8).uint(uint64_t(-3), 8);
  CHECK(msg_for(negative) == at + "is corrupt: tensor 'w' has negative dimension -3");

  // 2^40 x 2^40 floats would overflow 64 bits if multiplied blindly.
  Bytes huge = header();
  huge.uint(1, 4).uint(1, 2).raw("w").uint(2, 1).uint(uint64_t(1) << 40, 8).uint(uint64_t(1) << 40, 8);
  huge.f32(0);
  CHECK(contains(msg_for(huge), "tensor 'w' of shape [1099511627776,1099511627776] needs more"));

  Bytes short_data = header();
  short_data.uint(1, 4).uint(1, 2).raw("w").uint(1, 1).uint(3, 8).f32(1).f32(2);
  CHECK(msg_for(short_data) ==
        at + "is truncated or corrupt: tensor 'w' of shape [3] needs more than the 8 bytes left");

  Bytes long_name = header();
  long_name.uint(1, 4).uint(65535, 2).raw("w").uint(0, 1).f32(0);
  CHECK(msg_for(long_name) ==
        at + "is truncated or corrupt: tensor record 0 name needs 65535 bytes, only 6 left");

  Bytes many_tensors = header();
  many_tensors.uint(0xffffffffu, 4);
  CHECK(msg_for(many_tensors) == at + "is corrupt: tensor count 4294967295 cannot fit in the 0 bytes left");

  Bytes many_meta;
  many_meta.raw("OGCK").uint(1, 4).uint(0x7fffffff, 4).uint(0, 4);
  CHECK(msg_for(many_meta) == at + "is corrupt: meta count 2147483647 cannot fit in the 4 bytes left");

  Bytes long_key;
  long_key.raw("OGCK").uint(1, 4).uint(1, 4).uint(0xfffffff0u, 4).raw("k").uint(0, 4).uint(0, 4);
  CHECK(msg_for(long_key) ==
        at + "is truncated or corrupt: meta record 0 key needs 4294967280 bytes, only 9 left");

  Bytes twice = header();
  twice.uint(2, 4);
  twice.uint(1, 2).raw("w").uint(0, 1).f32(1);
  twice.uint(1, 2).raw("w").uint(0, 1).f32(2);
  CHECK(msg_for(twice) == at + "is corrupt: tensor 'w' appears twice");

  Bytes unprintable = header();  // names from a damaged file never break the one-line rule
  unprintable.uint(1, 4).uint(3, 2).raw("a\nb").uint(5, 1);
  CHECK(msg_for(unprintable) == at + "is corrupt: tensor 'a?b' has 5 dims (at most 4)");
}

TEST_CASE("put_tensors and get_tensors copy by name and check names and shapes") {
  Parameter w("fc.weight", Tensor::from({2, 2}, {1, 2, 3, 4}));
  Parameter b("fc.bias", Tensor::from({2}, {5, 6}));
  Tensor running_mean = Tensor::from({3}, {0.1f, 0.2f, 0.3f});
  std::vector<NamedParam> params = {{"fc.weight", &w}, {"fc.bias", &b}};
  std::vector<NamedTensor> buffers = {{"bn.mean", &running_mean}};

  Checkpoint ck;
  put_tensors(ck, params, "model.");
  put_tensors(ck, buffers, "model.");
  REQUIRE(ck.tensors.size() == 3);
  CHECK(ck.tensors[0].first == "model.fc.weight");
  CHECK(ck.tensors[2].first == "model.bn.mean");
  w.value[0] = 100;  // the checkpoint holds a copy, not the live buffer
  CHECK(ck.find("model.fc.weight")->data()[0] == 1.0f);
  CHECK(error_of([&] { put_tensors(ck, buffers, "model."); }) ==
        "put_tensors: checkpoint already has a tensor 'model.bn.mean'");

  TempDir dir;
  const std::string path = dir.file("m.ogck");
  save_checkpoint(path, ck);
  Checkpoint loaded = load_checkpoint(path);

  Parameter w2("fc.weight", Tensor::zeros({2, 2}));
  Parameter b2("fc.bias", Tensor::zeros({2}));
  Tensor mean2 = Tensor::zeros({3});
  get_tensors(loaded, std::vector<NamedParam>{{"fc.weight", &w2}, {"fc.bias", &b2}}, "model.");
  get_tensors(loaded, std::vector<NamedTensor>{{"bn.mean", &mean2}}, "model.");
  CHECK(w2.value.to_vector() == std::vector<float>{1, 2, 3, 4});
  CHECK(b2.value.to_vector() == std::vector<float>{5, 6});
  CHECK(mean2.to_vector() == std::vector<float>{0.1f, 0.2f, 0.3f});

  Tensor other = Tensor::full({2}, 9);
  CHECK(error_of([&] { get_tensors(loaded, std::vector<NamedTensor>{{"bn.var", &other}}, "model."); }) ==
        "get_tensors: checkpoint '" + path + "' has no tensor 'model.bn.var' (model expects [2])");
  // The first name is fine, the second has the wrong shape: nothing may be written.
  Tensor wrong = Tensor::full({3, 2}, 9);
  CHECK(error_of([&] {
          get_tensors(loaded, std::vector<NamedTensor>{{"fc.bias", &other}, {"fc.weight", &wrong}},
                      "model.");
        }) == "get_tensors: checkpoint '" + path +
                  "' tensor 'model.fc.weight' is [2,2], model expects [3,2]");
  CHECK(other.to_vector() == std::vector<float>{9, 9});
  // Without the prefix the names do not exist.
  CHECK(contains(error_of([&] { get_tensors(loaded, params); }), "has no tensor 'fc.weight'"));
}

TEST_CASE("metadata helpers and the Rng state as text") {
  Rng rng(1234);
  rng.normal();  // a pending spare normal is part of the state
  Checkpoint ck;
  ck.meta["rng"] = encode_rng_state(rng.state());
  ck.meta["step"] = "-17";
  ck.meta["epoch"] = "3x";
  CHECK(ck.meta["rng"].size() == 84);
  CHECK(encode_rng_state({1, 0xabcdefULL, 0, UINT64_MAX, 2}) ==
        "0000000000000001 0000000000abcdef 0000000000000000 ffffffffffffffff 0000000000000002");
  Rng resumed(0);
  resumed.set_state(decode_rng_state(ck.meta_at("rng")));
  for (int i = 0; i < 5; ++i) CHECK(resumed.normal() == rng.normal());
  CHECK(resumed.next_u64() == rng.next_u64());

  CHECK(ck.meta_int("step") == -17);
  CHECK(error_of([&] { ck.meta_int("epoch"); }) == "checkpoint: meta entry 'epoch' = '3x' is not an integer");
  ck.source = "m.ogck";
  CHECK(error_of([&] { ck.meta_at("lr"); }) == "checkpoint 'm.ogck': no meta entry 'lr'");
  CHECK_THROWS_AS(decode_rng_state(""), Error);
  CHECK_THROWS_AS(decode_rng_state(std::string(84, '0')), Error);  // no separators
  std::string bad = encode_rng_state({1, 2, 3, 4, 5});
  bad[20] = 'g';
  CHECK_THROWS_AS(decode_rng_state(bad), Error);
  // Right length, wrong word widths: refused rather than guessed.
  CHECK_THROWS_AS(decode_rng_state("000000000000000A 0 0 0 0" + std::string(60, ' ')), Error);
  CHECK(decode_rng_state(encode_rng_state({1, 2, 3, 4, 5})) == std::array<uint64_t, 5>{1, 2, 3, 4, 5});
}

TEST_CASE("saving over a file replaces it atomically and leaves no temp files") {
  TempDir dir;
  const std::string path = dir.file("model.ogck");
  Checkpoint old_ck = small_checkpoint();
  save_checkpoint(path, old_ck);
  const std::string old_bytes = test::read_file(path);
  Checkpoint new_ck = small_checkpoint();
  new_ck.meta["epoch"] = "4";
  save_checkpoint(path, new_ck);
  CHECK(load_checkpoint(path).meta_at("epoch") == "4");
  CHECK(dir.listing() == std::vector<std::string>{"model.ogck"});

  // A write that fails half way (file size limit, as a full disk would) leaves the
  // old file complete and removes the temp file.
  save_checkpoint(path, old_ck);
  Checkpoint big;
  big.tensors.emplace_back("big", Tensor::zeros({64, 1024}));
  struct rlimit saved;
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  void (*old_handler)(int) = ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of a signal
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const std::string msg = error_of([&] { save_checkpoint(path, big); });
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  CHECK(contains(msg, "save_checkpoint: cannot write '" + path + "'"));
  CHECK(contains(msg, std::strerror(EFBIG)));
  CHECK(test::read_file(path) == old_bytes);
  CHECK(dir.listing() == std::vector<std::string>{"model.ogck"});

  // A rename that fails (the target is a non-empty directory) also cleans up.
  fs::create_directory(dir.path / "taken");
  write_bytes(dir.file("taken/keep"), "x");
  CHECK(contains(error_of([&] { save_checkpoint(dir.file("taken"), old_ck); }),
                 "cannot rename temp file to '" + dir.file("taken") + "'"));
  CHECK(dir.listing() == std::vector<std::string>{"model.ogck", "taken"});
}

TEST_CASE("saving into a missing directory or an invalid checkpoint writes nothing") {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/model.ogck");
  const std::string msg = error_of([&] { save_checkpoint(path, small_checkpoint()); });
  CHECK(contains(msg, "save_checkpoint: cannot create '" + path + ".tmp."));
  CHECK(contains(msg, "No such file or directory"));
  CHECK(dir.listing().empty());

  const std::string p = dir.file("m.ogck");
  Checkpoint dup = small_checkpoint();
  dup.tensors.emplace_back("w", Tensor::zeros({1}));
  CHECK(error_of([&] { save_checkpoint(p, dup); }) ==
        "save_checkpoint: '" + p + "': tensor 'w' appears twice");
  Checkpoint unnamed;
  unnamed.tensors.emplace_back("", Tensor::zeros({1}));
  CHECK_THROWS_AS(save_checkpoint(p, unnamed), Error);
  Checkpoint undefined;
  undefined.tensors.emplace_back("u", Tensor());
  CHECK(error_of([&] { save_checkpoint(p, undefined); }) ==
        "save_checkpoint: '" + p + "': tensor 'u' is undefined");
  CHECK(dir.listing().empty());
}
