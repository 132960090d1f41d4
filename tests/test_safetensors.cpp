// safetensors files (core/safetensors.h, model/weights.h): the bytes the reference
// writer produces, a model's round trip to the same outputs, and hostile files refused
// with one line.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <string>

#include "apps/commands.h"
#include "core/safetensors.h"
#include "model/inference.h"
#include "model/weights.h"
#include "tests/helpers.h"

using namespace og;

namespace {
std::string u64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s += char((v >> (8 * i)) & 0xff);
  return s;
}
std::string floats(std::initializer_list<float> v) {
  std::string s;
  for (float f : v) {
    uint32_t b = 0;
    std::memcpy(&b, &f, 4);
    for (int i = 0; i < 4; ++i) s += char((b >> (8 * i)) & 0xff);
  }
  return s;
}
SafeTensors one(const std::string& name, Shape shape) {
  SafeTensors s;
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = float(i);
  s.tensors.emplace_back(name, t);
  return s;
}
std::string error_parsing(const std::string& bytes) {
  return test::error_of([&] { parse_safetensors(bytes, "f.safetensors"); });
}
}  // namespace

TEST_CASE("safetensors: the reference writer's bytes for small files") {
  // Six floats 0..5 of shape [1,2,3] named "attn.0": a 64-byte header, no padding.
  const std::string json = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  REQUIRE(json.size() == 64);
  CHECK(safetensors_bytes(one("attn.0", Shape{1, 2, 3})) == u64(64) + json + floats({0, 1, 2, 3, 4, 5}));
  // One character shorter a name and one more dimension: padded with 7 spaces to 72.
  const std::string json2 = R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})";
  CHECK(safetensors_bytes(one("attn0", Shape{1, 1, 2, 3})) == u64(72) + json2 + std::string(7, ' ') +
                                                                 floats({0, 1, 2, 3, 4, 5}));
  // Nothing at all, and metadata alone.
  CHECK(safetensors_bytes(SafeTensors{}) == u64(8) + "{}" + std::string(6, ' '));
  SafeTensors meta;
  meta.metadata["framework"] = "pt";
  CHECK(safetensors_bytes(meta) == u64(40) + R"({"__metadata__":{"framework":"pt"}})" + std::string(5, ' '));
  // Tensors sorted by name; metadata escaped as JSON.
  SafeTensors two = one("b", Shape{2});
  two.tensors.emplace_back("a", Tensor::full({1}, 7.0f));
  two.metadata["k"] = "q\"\\\n\x01";
  const std::string head = R"({"__metadata__":{"k":"q\"\\\n\u0001"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  const std::string bytes = safetensors_bytes(two);
  CHECK(bytes.substr(8, head.size()) == head);
  const SafeTensors back = parse_safetensors(bytes, "x");
  CHECK(back.metadata == two.metadata);
  REQUIRE(back.tensors.size() == 2);
  CHECK(back.tensors[0].first == "a");
  CHECK(back.tensors[1].second[1] == 1.0f);
}

TEST_CASE("safetensors: a model's round trip gives the same bits out") {
  for (const char* arch : {"linear", "mlp:6,5", "conv(4,3,pad=1), bn, relu, maxpool(2), flatten, dropout(0.2), dense(8), relu"}) {
    CAPTURE(arch);
    ModelInfo info;
    info.architecture = arch;
    info.input = std::string(arch).find("conv") == 0 ? Shape{1, 6, 6} : Shape{7};
    info.classes = 5;
    info.loss = "coral";
    if (info.input.nd == 1) info.feature_mean = std::vector<float>(7, 0.5f), info.feature_std = std::vector<float>(7, 2.0f);
    Model m = make_model(info, 11);
    for (NamedTensor& b : m.net->buffers()) b.tensor->fill(0.25f);  // running statistics that are not the defaults
    const std::string bytes = safetensors_bytes(model_safetensors(m));
    const SafeTensors s = parse_safetensors(bytes, "m.safetensors");
    CHECK(s.metadata.at("head") == "coral");
    CHECK(s.metadata.at("architecture") == m.info.architecture);
    Model back = model_from_safetensors(s, "m.safetensors");
    Rng rng(3);
    std::vector<int64_t> dims{4};
    for (int i = 0; i < info.input.nd; ++i) dims.push_back(info.input[i]);
    const Tensor x = test::randn(Shape::of(dims), rng);
    CHECK(test::bit_equal(predict(m, x), predict(back, x)));
    CHECK(safetensors_bytes(model_safetensors(back)) == bytes);
  }
}

TEST_CASE("safetensors: hostile files are refused with one line") {
  const std::string good = safetensors_bytes(one("w", Shape{2, 2}));  // 16 bytes of data
  const std::string json = good.substr(8, good.size() - 8 - 16);
  const auto with_header = [](const std::string& j, const std::string& data) {
    std::string padded = j + std::string((8 - j.size() % 8) % 8, ' ');
    return u64(padded.size()) + padded + data;
  };
  const std::string data = floats({1, 2, 3, 4});
  CHECK(error_parsing("abc") == "f.safetensors: 3 bytes is too short for a safetensors file (8-byte header length)");
  CHECK(error_parsing(u64(1000) + "{}") == "f.safetensors: safetensors header of 1000 bytes runs past the end of the file (10 bytes)");
  CHECK(error_parsing(u64(100 << 20) + "{}") ==
        "f.safetensors: safetensors header of 104857600 bytes is over the limit of 100000000");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}})", data.substr(0, 8))) ==
        "f.safetensors: tensor 'w' has dtype F16; ordgrad reads F32 tensors only");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"Q7","shape":[2,2],"data_offsets":[0,16]}})", data)) ==
        "f.safetensors: tensor 'w' has unknown dtype 'Q7'");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,32]}})", data)) ==
        "f.safetensors: tensor 'w' ends at byte 32 of data, past the 16 bytes after the header");
  CHECK(error_parsing(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                  data)) ==
        "f.safetensors: tensor 'b' has data_offsets [4,12]; expected to start at 8 (offsets must tile the data without "
        "gaps or overlaps)");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", data)) ==
        "f.safetensors: tensor 'w' has 16 bytes for 3 F32 values (12 bytes)");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data)) ==
        "f.safetensors: the tensors cover 8 bytes of data but the file holds 16 after the header");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[0],"data_offsets":[16,16]}})",
                                  data)) == "f.safetensors: tensor 'w' appears twice");
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}})", data)) ==
        "f.safetensors: tensor 'w' has a shape larger than the file");
  CHECK(error_parsing(with_header(R"({"w":[1,2]})", data)).find("f.safetensors: header is not a safetensors JSON object") == 0);
  CHECK(error_parsing(with_header(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})", data))
            .find("f.safetensors: header is not a safetensors JSON object: expected '}'") == 0);
  CHECK(error_parsing(json.substr(0, json.size()) + data) != "(no error)");  // no length prefix
  CHECK(parse_safetensors(good, "ok").tensors.size() == 1);
  // A file without ordgrad's metadata is named as such when loaded as a model.
  CHECK(test::error_of([&] { model_from_safetensors(parse_safetensors(good, "w.safetensors"), "w.safetensors"); })
            .find("w.safetensors: safetensors file without ordgrad's __metadata__") == 0);
}

TEST_CASE("export: eval of the exported file prints the original's metrics") {
  const char* bin = test::ordgrad_binary();
  if (!bin) return;
  test::TempDir tmp;
  test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:8", "--loss", "clm", "--epochs", "2",
                                     "--quiet", "--out", tmp.file("run")});
  test::run_command(cli::run_export, {"ordgrad", "export", "--model", tmp.file("run") + "/model.ogm", "--out",
                                      tmp.file("m.safetensors"), "--quiet"});
  std::string err;
  const auto eval = [&](const std::string& model, const std::string& out) {
    return std::system((std::string(bin) + " eval --data demo:test --json --model " + model + " > " + out).c_str());
  };
  REQUIRE(eval(tmp.file("run") + "/model.ogm", tmp.file("a.json")) == 0);
  REQUIRE(eval(tmp.file("m.safetensors"), tmp.file("b.json")) == 0);
  std::string a = test::read_file(tmp.file("a.json")), b = test::read_file(tmp.file("b.json"));
  CHECK(a.size() > 50);
  const auto strip = [&](std::string s, const std::string& path) {
    for (size_t at; (at = s.find(path)) != std::string::npos;) s.erase(at, path.size());
    return s;
  };
  CHECK(strip(a, tmp.file("run") + "/model.ogm") == strip(b, tmp.file("m.safetensors")));
  // Fine-tuning starts from the exported weights: zero epochs keep them exactly.
  test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:8", "--loss", "clm",
                                     "--epochs", "0", "--seed", "9", "--quiet", "--init", tmp.file("m.safetensors"),
                                     "--out", tmp.file("tuned")});
  const Model original = load_model(tmp.file("run") + "/model.ogm"), tuned = load_model(tmp.file("tuned") + "/model.ogm");
  for (size_t i = 0; i < original.net->parameters().size(); ++i)
    CHECK(test::bit_equal(original.net->parameters()[i].param->value, tuned.net->parameters()[i].param->value));
  CHECK(test::error_of([&] {
          test::run_command(cli::run_train, {"ordgrad", "train", "--data", "demo", "--model", "mlp:9", "--loss", "clm",
                                             "--epochs", "0", "--quiet", "--init", tmp.file("m.safetensors"), "--out",
                                             tmp.file("bad")});
        }) == tmp.file("m.safetensors") + ": holds architecture 'flatten, dense(8), relu', not 'flatten, dense(9), relu'");
  CHECK(test::error_of([&] {
          test::run_command(cli::run_export, {"ordgrad", "export", "--model", tmp.file("run") + "/model.ogm", "--format", "tflite",
                                              "--out", tmp.file("x")});
        }) == "export: unknown --format 'tflite' (known: safetensors, onnx)");
}
