// fuzz_csv.cpp — the two CSV readers: read_table (numeric tables, then the label map
// and standardisation that training applies) and load_manifest (image manifests).
// Input: byte 0 picks the reader and its options, the rest is the CSV file. The
// manifest's directory holds one small valid image, "a.png", so rows can name it.
#include <cmath>
#include <cstring>

#include "core/check.h"
#include "fuzz/fuzz_common.h"
#include "io/csv.h"
#include "io/images.h"

namespace {

// A 2x2 gray PNG (signature, IHDR, one IDAT, IEND), written once next to the manifest.
const unsigned char kPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x57,
    0xdd, 0x52, 0xf8, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60,
    0x00, 0x01, 0x00, 0x00, 0x06, 0x00, 0x01, 0xfe, 0x8c, 0x67, 0xc8, 0x00, 0x00, 0x00, 0x00,
    0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

void table(const std::string& path, bool weighted) {
  og::TableOptions opt;
  if (weighted) opt.weight_column = "w";
  og::Table t = og::read_table(path, opt);
  const og::LabelMap map = og::LabelMap::fit(t.raw_labels);
  const std::vector<int> y = map.to_classes(t.raw_labels);
  for (size_t i = 0; i < y.size(); ++i)
    if (map.to_label(y[i]) != t.raw_labels[i]) __builtin_trap();
  const og::Standardizer s = og::Standardizer::fit(t.x, t.weights);
  s.apply(t.x);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  og::fuzz::Input in{data, size};
  const uint8_t mode = in.byte();
  const std::string text = in.rest();
  // Rows may name any path; keep the fuzzer away from device and kernel files.
  for (const char* bad : {"/dev", "/proc", "/sys"})
    if (text.find(bad) != std::string::npos) return 0;
  static const std::string png = og::fuzz::write_scratch(
      "a.png", std::string(reinterpret_cast<const char*>(kPng), sizeof kPng));
  (void)png;
  try {
    if (mode & 1) {
      og::ImageOptions opt;
      opt.channels = mode & 2 ? 3 : 1;
      opt.height = opt.width = 4;
      const og::ImageData d = og::load_manifest(og::fuzz::write_scratch("m.csv", text), opt);
      if (d.labels.size() != d.paths.size() || (!d.groups.empty() && d.groups.size() != d.paths.size()))
        __builtin_trap();
    } else {
      table(og::fuzz::write_scratch("t.csv", text), (mode & 2) != 0);
    }
  } catch (const og::Error&) {
  }
  return 0;
}
