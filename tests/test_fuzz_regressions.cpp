// Every input the fuzz targets (fuzz/) turned up, read from fuzz/regressions/<target>/
// (from the repository root, where `make test` runs) and fed to the loader as that
// target feeds it: each must now end in one clean og::Error line, or load correctly.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "apps/commands.h"
#include "helpers.h"
#include "io/images.h"
#include "model/model.h"
#include "losses/class_weights.h"
#include "losses/spec.h"

using namespace og;
using og::test::error_of;
using og::test::TempDir;

namespace {

std::string regression(const std::string& target, const std::string& name) {
  const std::string path = "fuzz/regressions/" + target + "/" + name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing ", path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool one_line(const std::string& msg) { return msg.find('\n') == std::string::npos; }

// fuzz_image: two option bytes (options, target size), then the file's bytes.
std::string image_error(const std::string& name) {
  const std::string in = regression("image", name);
  return error_of([&] { decode_image(in.substr(2), name); });
}

// fuzz_model: byte 0 (bit 0 = the CRC is left off), then the model file.
std::string model_error(const std::string& name, const TempDir& dir) {
  const std::string in = regression("model", name);
  REQUIRE((in[0] & 1) == 0);
  const std::string path = (dir.path / (name + ".ogm")).string();
  std::ofstream(path, std::ios::binary) << in.substr(1);
  return error_of([&] { load_model(path); });
}

}  // namespace

TEST_CASE("fuzz image: a BMP of height 0 is refused, not resized from nothing") {
  const std::string msg = image_error("bmp_zero_height");
  CHECK(msg.find("decode_image: 'bmp_zero_height': image has no pixels: 0x") == 0);
  CHECK(one_line(msg));
}

TEST_CASE("fuzz image: a header announcing 30000x30000 pixels is refused before decoding") {
  const std::string msg = image_error("png_huge_header");
  CHECK(msg.find("image too large: 30000x30000 pixels") != std::string::npos);
  CHECK(one_line(msg));
}

TEST_CASE("fuzz image: formats other than PNG, JPEG and BMP never reach stb_image") {
  const std::string msg = image_error("gif");
  CHECK(msg.find("not a PNG, JPEG or BMP file (starts with bytes 47 49 46 38)") != std::string::npos);
  // Through the path loaders as well: the same check names the file.
  TempDir dir;
  const std::string path = (dir.path / "x.png").string();
  std::ofstream(path, std::ios::binary) << regression("image", "gif").substr(2);
  CHECK(error_of([&] { load_image(path); }).find("not a PNG, JPEG or BMP file") != std::string::npos);
}

TEST_CASE("fuzz image: a PNG chunk claiming more bytes than the file holds is refused") {
  // stb_image grew its buffer to the claimed length first: a 110-byte file asked for 2 GiB.
  const std::string msg = image_error("png_chunk_longer_than_file");
  CHECK(msg.find("cannot decode image: corrupt PNG: chunk 2 ('IDAT') at byte 75 claims 1619132446 bytes") != std::string::npos);
  CHECK(one_line(msg));
}

TEST_CASE("fuzz image: 1 x 2^24 and 2^24 x 1 BMPs resize with the options the target gave them") {
  // Headers only: stb reads the missing pixels as zeros. Resizing the tall one to width
  // 31 kept 2^24 x 31 doubles (4 GiB) before the resize chose its cheaper pass first.
  for (const char* name : {"bmp_tall_thin", "bmp_wide_flat"}) {
    CAPTURE(name);
    const std::string in = regression("image", name);
    ImageOptions opt;   // as fuzz/fuzz_image.cpp reads bytes 0 and 1
    opt.channels = in[0] & 1 ? 3 : 1;
    opt.height = 1 + (in[1] & 15) * 2;
    opt.width = 1 + ((static_cast<uint8_t>(in[1]) >> 4) & 15) * 2;
    const Tensor t = decode_image(in.substr(2), name, opt);
    CHECK(t.shape() == Shape({1, opt.channels, opt.height, opt.width}));
    CHECK(t.numel() == 31 * (opt.channels));
    for (int64_t i = 0; i < t.numel(); ++i) CHECK(t[i] == 0.0f);
  }
}

// fuzz_loss_spec: byte 0 gives K = 2 + b % 8, byte 1 the rows; labels (7i + rows) % K.
TEST_CASE("fuzz loss_spec: lds class weights with a huge or a tiny sigma are finite") {
  for (const char* name : {"lds_huge_sigma", "lds_tiny_sigma"}) {
    CAPTURE(name);
    const std::string in = regression("loss_spec", name);
    const int K = 2 + static_cast<uint8_t>(in[0]) % 8, rows = static_cast<uint8_t>(in[1]);
    std::vector<int> labels(1 + rows % 8);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = (int(i) * 7 + rows) % K;
    LossSpec spec = LossSpec::parse(in.substr(2));
    spec.fit(labels, K, {});
    const std::vector<float>& w = spec.terms()[0].class_weights;
    REQUIRE(int(w.size()) == K);
    const std::string scheme = spec.terms()[0].options.at("weights");
    const double sigma = std::strtod(scheme.c_str() + 4, nullptr);
    // sigma -> infinity smooths every count to the total: equal weights (1 for seen
    // classes); sigma -> 0 smooths nothing: the inverse-frequency weights.
    const std::vector<float> expect = sigma > 1e9 ? std::vector<float>{}
                                                  : class_weights("inverse", labels, K);
    for (int k = 0; k < K; ++k) {
      CAPTURE(k);
      CHECK(std::isfinite(w[k]));
      const bool seen = std::count(labels.begin(), labels.end(), k) > 0;
      if (sigma > 1e9) CHECK(w[k] == doctest::Approx(seen ? 1.0 : 0.0));
      else CHECK(w[k] == doctest::Approx(expect[k]));
    }
  }
}

// fuzz_args: newline-separated tokens after "ordgrad".
TEST_CASE("fuzz args: group= beyond the int range is an error, not a float-to-int overflow") {
  std::vector<std::string> words{"ordgrad"};
  std::stringstream in(regression("args", "group_beyond_int"));
  for (std::string w; std::getline(in, w, '\n');) words.push_back(w);
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  const std::string msg = error_of([&] { cli::run_gradcheck(int(argv.size()), argv.data()); });
  CHECK(msg.find("total_crps:group must be a whole number in [1, 65536]") != std::string::npos);
  CHECK(error_of([] { LossSpec::parse("total_nll:group=1e10"); }).find("in [1, 65536]") !=
        std::string::npos);
  CHECK(LossSpec::parse("total_nll:group=65536").group() == 65536);
}

TEST_CASE("fuzz model: metadata asking for more than the file holds fails before allocating") {
  TempDir dir;
  // Each file is a valid 3-class mlp:2 model (CRC intact) with one metadata entry changed.
  // Old files name an alias ("model" metadata); it expands to the text the error shows.
  CHECK(model_error("huge_mlp", dir).find("architecture 'flatten, dense(1048576), relu, dense(1048576), relu' "
                                          "needs more than the 15 parameters the file stores") !=
        std::string::npos);
  CHECK(model_error("huge_classes", dir).find(": classes 2000000000 is not in [2, 65536]") !=
        std::string::npos);
  CHECK(model_error("classes_wrap", dir).find(": classes 4294967299 is not in [2, 65536]") !=
        std::string::npos);
  CHECK(model_error("huge_input", dir).find("' has more than 16777216 values per example") !=
        std::string::npos);
  CHECK(model_error("huge_cnn", dir).find("' has more than 16777216 values per example") !=
        std::string::npos);
  CHECK(model_error("cnn_channels", dir).find("architecture 'conv(32,3,pad=1), relu, maxpool(2), conv(64,3,pad=1)") !=
        std::string::npos);
  CHECK(model_error("cnn_channels", dir).find("needs more than the 15 parameters the file stores") !=
        std::string::npos);
  for (const char* name : {"huge_mlp", "huge_classes", "classes_wrap", "huge_input", "huge_cnn",
                           "cnn_channels"})
    CHECK(one_line(model_error(name, dir)));
}

TEST_CASE("fuzz args: explain and gradcheck refuse sizes that would hang or exhaust memory") {
  auto cli_error = [](const std::string& name) {
    std::vector<std::string> words{"ordgrad"};
    std::stringstream in(regression("args", name));
    for (std::string w; std::getline(in, w, '\n');) words.push_back(w);
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    auto run = words[1] == "explain" ? cli::run_explain : cli::run_gradcheck;
    return error_of([&] { run(int(argv.size()), argv.data()); });
  };
  // gradcheck total_crps:group=72: 144 rows x 6 outputs, two forwards per entry, each
  // convolving groups of 72: minutes under the sanitizers (the fuzzer's timeout).
  CHECK(cli_error("gradcheck_big_group").find("gradcheck: 144 rows x 6 outputs in groups of 72 are "
                                              "too many to check by finite differences") == 0);
  CHECK(cli_error("gradcheck_huge_classes").find("gradcheck: 2 rows x 2000000000 outputs are too many") == 0);
  // A regression loss with K = 2e9 classes: its class probabilities would be [1, 2e9].
  CHECK(cli_error("explain_huge_classes") == "explain: --classes 2000000000 is more than 65536");
  // --curves evaluates every loss at K x K points.
  CHECK(cli_error("explain_curves_huge") == "explain: --curves draws at most 200 classes, got --classes 100000");
  // What the demo and the tests check still runs.
  std::vector<std::string> ok{"ordgrad", "gradcheck", "--loss", "total_crps:group=8", "--classes", "30"};
  std::vector<char*> argv;
  for (std::string& w : ok) argv.push_back(w.data());
  CHECK(cli::run_gradcheck(int(argv.size()), argv.data()) == 0);
}
