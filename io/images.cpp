// images.cpp — manifest and folder loaders, stb_image decoding, colour conversion,
// the tent-filter resize and the augmentations (see images.h for the formulas).
#include "io/images.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string_view>

#include "core/check.h"
#include "core/parallel.h"

namespace og {

namespace {

namespace fs = std::filesystem;

void check_options(const char* fn, const ImageOptions& o) {
  OG_CHECK(o.channels == 1 || o.channels == 3, fn, ": channels must be 1 or 3, got ", o.channels);
  OG_CHECK(o.height >= 1 && o.width >= 1, fn, ": image size must be positive, got ", o.height,
           "x", o.width);
  OG_CHECK(o.expect_channels == 0 || o.expect_channels == 1 || o.expect_channels == 3, fn,
           ": expect_channels must be 0 (any), 1 or 3, got ", o.expect_channels);
}

// ---- resize ---------------------------------------------------------------------

// For each output index o along one axis: the first source index and the
// normalised tent weights of the source pixels that contribute to it.
struct AxisWeights {
  std::vector<int> first, count;
  std::vector<size_t> offset;
  std::vector<double> w;
};

AxisWeights axis_weights(int src, int dst) {
  AxisWeights a;
  const double scale = double(src) / dst;
  const double r = std::max(1.0, scale);   // tent half-width in source pixels
  for (int o = 0; o < dst; ++o) {
    const double c = (o + 0.5) * scale - 0.5;
    const int lo = std::max(0, int(std::ceil(c - r)));
    const int hi = std::min(src - 1, int(std::floor(c + r)));
    const size_t start = a.w.size();
    int first = -1;
    double sum = 0;
    for (int i = lo; i <= hi; ++i) {
      const double wt = 1.0 - std::fabs(i - c) / r;
      if (wt <= 0) continue;   // the tent's ends (and S = D neighbours) weigh nothing
      if (first < 0) first = i;
      a.w.push_back(wt);
      sum += wt;
    }
    if (first < 0) {   // cannot happen for c inside [-0.5, src-0.5]; be safe anyway
      first = std::min(src - 1, std::max(0, int(std::lround(c))));
      a.w.push_back(1.0);
      sum = 1.0;
    }
    for (size_t k = start; k < a.w.size(); ++k) a.w[k] /= sum;
    a.first.push_back(first);
    a.count.push_back(int(a.w.size() - start));
    a.offset.push_back(start);
  }
  return a;
}

// Resizes C planes of an H x W image to dst[C,Ho,Wo] by two passes of tent weights, sums
// in double: along the rows with the column weights ax, down the columns with the row
// weights ay. row(c, y, scratch) gives source row y of plane c as W floats (a pointer
// into the source, or `scratch` filled). The pass that leaves the smaller intermediate
// goes first: rows first keeps H x Wo doubles, columns first Ho x W, and the smaller is
// at most sqrt(H W Ho Wo), so neither a 1 x 2^25 nor a 2^25 x 1 image needs more than
// a few MB (rows first always took 8 GiB for the tall one resized to width 32).
template <class Row>
void resize_planes(const Row& row, int C, int H, int W, float* dst, int Ho, int Wo,
                   const AxisWeights& ax, const AxisWeights& ay) {
  // out[x] = sum_j ax.w[j] * in[ax.first[x] + j], for each output column x
  const auto across = [&](const auto* in, auto* out) {
    for (int x = 0; x < Wo; ++x) {
      double acc = 0;
      const double* w = &ax.w[ax.offset[x]];
      const auto* r = in + ax.first[x];
      for (int j = 0; j < ax.count[x]; ++j) acc += w[j] * r[j];
      out[x] = acc;
    }
  };
  // out[x] = sum_k ay.w[k] * in(ay.first[yo] + k)[x] for x < width
  const auto down = [&](int yo, int width, const auto& in, double* out) {
    std::fill(out, out + width, 0.0);
    for (int k = 0; k < ay.count[yo]; ++k) {
      const double wy = ay.w[ay.offset[yo] + size_t(k)];
      const auto* r = in(ay.first[yo] + k);
      for (int x = 0; x < width; ++x) out[x] += wy * r[x];
    }
  };
  std::vector<float> scratch(static_cast<size_t>(W));
  const bool rows_first = int64_t(H) * Wo <= int64_t(Ho) * W;
  std::vector<double> tmp(rows_first ? size_t(H) * Wo : size_t(Ho) * W);
  std::vector<double> line(static_cast<size_t>(Wo));
  for (int c = 0; c < C; ++c) {
    float* d = dst + size_t(c) * Ho * Wo;
    const auto source = [&](int y) { return row(c, y, scratch.data()); };
    if (rows_first) {
      for (int y = 0; y < H; ++y) across(source(y), &tmp[size_t(y) * Wo]);
      const auto kept = [&](int y) { return &tmp[size_t(y) * Wo]; };
      for (int yo = 0; yo < Ho; ++yo) {
        down(yo, Wo, kept, line.data());
        for (int x = 0; x < Wo; ++x) d[size_t(yo) * Wo + x] = float(line[size_t(x)]);
      }
    } else {
      for (int yo = 0; yo < Ho; ++yo) {
        down(yo, W, source, &tmp[size_t(yo) * W]);
        across(&tmp[size_t(yo) * W], line.data());
        for (int x = 0; x < Wo; ++x) d[size_t(yo) * Wo + x] = float(line[size_t(x)]);
      }
    }
  }
}

// ---- decoding -------------------------------------------------------------------

const char* channel_name(int colour) { return colour == 1 ? "gray" : "RGB"; }

// The file signatures of the formats we decode. stb_image also reads GIF, TGA, PSD,
// HDR, PIC and PNM; refusing them before stb sees the bytes keeps its less-used
// decoders out of reach of whatever file a manifest names.
bool is_png_jpeg_or_bmp(const std::string& b) {
  return b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 || b.compare(0, 3, "\xFF\xD8\xFF") == 0 ||
         b.compare(0, 2, "BM") == 0;
}

// Walks a PNG's chunks (4-byte big-endian length, 4-byte type, data, 4-byte CRC) up
// to IEND; "" if each fits in the file, else what is wrong. stb_image grows its IDAT
// buffer to the length a chunk header claims before reading the chunk, so without
// this a 100-byte file claiming a 1 GiB chunk makes it ask for 2 GiB.
std::string check_png_chunks(const std::string& b) {
  size_t pos = 8;   // after the signature
  for (int index = 0;; ++index) {
    if (b.size() - pos < 12)
      return cat("cannot decode image: truncated PNG: chunk ", index, " at byte ", pos, " is cut off (no IEND chunk)");
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) length = length << 8 | static_cast<unsigned char>(b[pos + size_t(i)]);
    std::string type = b.substr(pos + 4, 4);
    for (char& ch : type)
      if (ch < 0x20 || ch > 0x7e) ch = '?';
    if (length > b.size() - pos - 12)
      return cat("cannot decode image: corrupt PNG: chunk ", index, " ('", type, "') at byte ", pos, " claims ", length,
                 " bytes of data, the file has ", b.size() - pos - 12, " after its header");
    pos += 12 + size_t(length);
    if (type == "IEND") return "";
  }
}

// Channel c (of C output channels) of one decoded row of w pixels, n bytes each, whose
// colour is 1 (gray, + alpha when n = 2) or 3 (RGB, + alpha when n = 4), as floats.
void convert_row(const unsigned char* p, int w, int n, int colour, int C, int c, float* out) {
  for (int x = 0; x < w; ++x, p += n) {
    if (colour == 1 || C == 3)
      out[x] = p[colour == 1 ? 0 : c] / 255.0f;
    else if (p[0] == p[1] && p[1] == p[2])
      out[x] = p[0] / 255.0f;   // gray stored as RGB stays exact
    else
      out[x] = float((0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255.0);
  }
}

std::string first_bytes(const std::string& b) {
  std::string s;
  char hex[4];
  for (size_t i = 0; i < b.size() && i < 4; ++i) {
    std::snprintf(hex, sizeof hex, "%s%02x", i ? " " : "", static_cast<unsigned char>(b[i]));
    s += hex;
  }
  return s.empty() ? "an empty file" : "bytes " + s;
}

// Decodes an image file's bytes into out[C,H,W] (C, H, W from the options). Returns ""
// or the reason it failed (no exceptions: this runs inside a parallel loop).
std::string decode_bytes(const std::string& bytes, const ImageOptions& opt, float* out) {
  if (!is_png_jpeg_or_bmp(bytes))
    return cat("cannot decode image: not a PNG, JPEG or BMP file (starts with ", first_bytes(bytes), ")");
  if (bytes.size() > size_t(std::numeric_limits<int>::max()))
    return cat("image file too large (", bytes.size(), " bytes)");
  if (bytes[0] == '\x89') {   // PNG
    std::string bad = check_png_chunks(bytes);
    if (!bad.empty()) return bad;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const int size = int(bytes.size());
  int w = 0, h = 0, n = 0;
  // The header's size first: a few corrupt bytes must not make stb allocate gigabytes.
  if (stbi_info_from_memory(data, size, &w, &h, &n) &&
      int64_t(w) * int64_t(h) > kMaxImagePixels)
    return cat("image too large: ", h, "x", w, " pixels (height x width), at most ",
               kMaxImagePixels, " pixels");
  std::unique_ptr<unsigned char, void (*)(void*)> px(stbi_load_from_memory(data, size, &w, &h, &n, 0),
                                                     stbi_image_free);
  if (!px) {
    const char* why = stbi_failure_reason();
    return cat("cannot decode image (corrupt, truncated or not PNG/JPEG/BMP): ",
               why ? why : "unknown reason");
  }
  if (w < 1 || h < 1)   // stb accepts a BMP of height 0; there is nothing to resize
    return cat("image has no pixels: ", h, "x", w, " (height x width)");
  const int colour = n >= 3 ? 3 : 1;   // 2 = gray+alpha, 4 = RGBA: the alpha is dropped
  if (opt.expect_channels != 0 && colour != opt.expect_channels)
    return cat("wrong channels: the image is ", channel_name(colour), " (", n,
               " channels in the file), expected ", channel_name(opt.expect_channels));
  if (opt.strict_size && (h != opt.height || w != opt.width))
    return cat("image of the wrong size: ", h, "x", w, " (height x width), expected ",
               opt.height, "x", opt.width);

  const int C = opt.channels;
  const unsigned char* pixels = px.get();
  const auto row = [&](int c, int y, float* to) {
    convert_row(pixels + size_t(y) * w * n, w, n, colour, C, c, to);
    return static_cast<const float*>(to);
  };
  if (h == opt.height && w == opt.width) {
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < h; ++y) row(c, y, out + (size_t(c) * h + y) * w);
  } else {
    resize_planes(row, C, h, w, out, opt.height, opt.width, axis_weights(w, opt.width),
                  axis_weights(h, opt.height));
  }
  return "";
}

}  // namespace

// Reads the file at `path` and decodes it (see decode_bytes); "" or the reason it failed.
std::string decode_file(const std::string& path, const ImageOptions& opt, float* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open the image file";
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return "cannot read the image file";
  return decode_bytes(bytes.str(), opt, out);
}

namespace {

// Decodes every file in parallel into data.images. A failure throws the first one in
// order, or with skip_bad drops that image (paths, labels, groups) and records it in
// data.skipped. context[i] prefixes image i's error message.
void decode_all(ImageData& data, const ImageOptions& opt, const std::vector<std::string>& context) {
  const int64_t N = int64_t(data.paths.size());
  const int64_t per_image = int64_t(opt.channels) * opt.height * opt.width;
  const bool keep = !opt.list_only;  // list_only with skip_bad: decode to find the bad, keep nothing
  if (keep) data.images = Tensor::empty({N, opt.channels, opt.height, opt.width});
  std::vector<std::string> errors(static_cast<size_t>(N));
  float* out = keep ? data.images.data() : nullptr;
  parallel_for(N, 4, [&](int64_t i) {
    thread_local std::vector<float> scratch;
    if (!keep) scratch.resize(size_t(per_image));
    try {
      errors[size_t(i)] = decode_file(data.paths[size_t(i)], opt, keep ? out + i * per_image : scratch.data());
    } catch (const std::exception& e) {   // e.g. bad_alloc: must not leave the parallel region
      errors[size_t(i)] = cat("cannot decode image: ", e.what());
    }
  });
  if (!opt.skip_bad) {
    for (size_t i = 0; i < errors.size(); ++i)
      if (!errors[i].empty()) throw Error(context[i] + errors[i]);
    return;
  }
  // Keep the good images in their order; serial, so the result is the same for any thread count.
  int64_t kept = 0;
  for (int64_t i = 0; i < N; ++i) {
    if (!errors[size_t(i)].empty()) {
      data.skipped.push_back(cat("'", data.paths[size_t(i)], "': ", errors[size_t(i)]));
      continue;
    }
    if (kept != i) {
      if (keep) std::copy(out + i * per_image, out + (i + 1) * per_image, out + kept * per_image);
      data.paths[size_t(kept)] = data.paths[size_t(i)];
      data.labels[size_t(kept)] = data.labels[size_t(i)];
      if (!data.groups.empty()) data.groups[size_t(kept)] = data.groups[size_t(i)];
    }
    ++kept;
  }
  OG_CHECK(kept > 0, context.empty() ? std::string() : context[0], "no image could be decoded (", N,
           " skipped with skip_bad; the first: ", data.skipped.front(), ")");
  data.paths.resize(size_t(kept));
  data.labels.resize(size_t(kept));
  if (!data.groups.empty()) data.groups.resize(size_t(kept));
  if (keep && kept < N) {
    Tensor fewer = Tensor::empty({kept, opt.channels, opt.height, opt.width});
    std::copy(out, out + kept * per_image, fewer.data());
    data.images = fewer;
  }
}

// ---- the manifest ---------------------------------------------------------------

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool parse_int(std::string_view s, int& v) {
  s = trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

// RFC 4180 records: fields split by commas, quoted fields may hold commas, doubled
// quotes and line breaks. Unquoted fields are trimmed of spaces and tabs.
class ManifestReader {
 public:
  ManifestReader(const std::string& path, std::string text) : path_(path), text_(std::move(text)) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
  }

  bool next(std::vector<std::string>& fields, int64_t& record_line) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    record_line = line_;
    for (;;) {
      std::string field;
      while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        ++pos_;
        for (;;) {
          if (pos_ >= text_.size())
            throw Error(cat("load_manifest: '", path_, "' line ", record_line,
                            ": unterminated quote"));
          const char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < text_.size() && text_[pos_] == '"') {
              field += '"';
              ++pos_;
              continue;
            }
            break;
          }
          if (c == '\n') ++line_;
          field += c;
        }
        while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' && text_[pos_] != '\n')
          throw Error(cat("load_manifest: '", path_, "' line ", line_,
                          ": unexpected text after a closing quote"));
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' &&
               text_[pos_] != '\n')
          ++pos_;
        field = std::string(trim(std::string_view(text_).substr(start, pos_ - start)));
      }
      fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return true;
      const char sep = text_[pos_++];
      if (sep == ',') continue;
      if (sep == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return true;
    }
  }

 private:
  const std::string& path_;
  std::string text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

std::string read_file(const char* fn, const std::string& path) {
  std::error_code ec;
  OG_CHECK(fs::exists(path, ec), fn, ": '", path, "' not found");
  OG_CHECK(!fs::is_directory(path, ec), fn, ": '", path, "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  OG_CHECK(in.good(), fn, ": cannot open '", path, "'");
  std::ostringstream text;
  text << in.rdbuf();
  OG_CHECK(!in.bad(), fn, ": cannot read '", path, "'");
  return text.str();
}

}  // namespace

ImageData load_manifest(const std::string& csv_path, const ImageOptions& options) {
  check_options("load_manifest", options);
  ManifestReader reader(csv_path, read_file("load_manifest", csv_path));
  const std::string where = cat("load_manifest: '", csv_path, "' line ");

  std::vector<std::string> fields;
  int64_t line = 0;
  OG_CHECK(reader.next(fields, line), "load_manifest: '", csv_path,
           "' is empty (expected a header path,label[,group])");
  int col_path = -1, col_label = -1, col_group = -1;
  for (size_t j = 0; j < fields.size(); ++j) {
    std::string name = fields[j];
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    int* col = name == "path" ? &col_path : name == "label" ? &col_label
                                          : name == "group" ? &col_group : nullptr;
    if (!col) continue;
    OG_CHECK(*col < 0, where, line, ": column '", name, "' appears twice in the header");
    *col = int(j);
  }
  OG_CHECK(col_path >= 0 && col_label >= 0, where, line,
           ": the header must name the columns path and label (and optionally group)");
  const size_t ncols = fields.size();
  const fs::path base = fs::path(csv_path).parent_path();

  ImageData data;
  std::vector<int64_t> lines;
  while (reader.next(fields, line)) {
    if (fields.size() == 1 && fields[0].empty()) continue;   // a blank line
    OG_CHECK(fields.size() == ncols, where, line, ": ", fields.size(), " fields, the header has ",
             ncols);
    const std::string& path = fields[size_t(col_path)];
    OG_CHECK(!path.empty(), where, line, ": empty path");
    int label = 0;
    OG_CHECK(parse_int(fields[size_t(col_label)], label), where, line, ": label '",
             fields[size_t(col_label)], "' is not an integer");
    OG_CHECK(label >= 0, where, line, ": label ", label, " is negative (labels are 0, 1, 2, ...)");
    if (col_group >= 0) {
      int group = 0;
      OG_CHECK(parse_int(fields[size_t(col_group)], group), where, line, ": group '",
               fields[size_t(col_group)], "' is not an integer");
      data.groups.push_back(group);
    }
    const fs::path p(path);
    data.paths.push_back(p.is_absolute() || base.empty() ? path : (base / p).string());
    data.labels.push_back(label);
    lines.push_back(line);
  }
  OG_CHECK(!data.paths.empty(), "load_manifest: '", csv_path, "' lists no images");

  std::vector<std::string> context(data.paths.size());
  for (size_t i = 0; i < data.paths.size(); ++i) {
    context[i] = cat("load_manifest: '", data.paths[i], "' (line ", lines[i], " of '", csv_path,
                     "'): ");
    std::error_code ec;
    OG_CHECK(options.skip_bad || fs::is_regular_file(data.paths[i], ec), context[i], "image file not found");
  }
  if (!options.list_only || options.skip_bad) decode_all(data, options, context);
  return data;
}

ImageData load_files(std::vector<std::string> paths, std::vector<int> labels, const ImageOptions& options,
                     const std::string& who) {
  check_options(who.c_str(), options);
  OG_CHECK(paths.size() == labels.size(), who, ": ", paths.size(), " paths but ", labels.size(), " labels");
  OG_CHECK(!paths.empty(), who, ": no images to load");
  ImageData data;
  data.paths = std::move(paths);
  data.labels = std::move(labels);
  std::vector<std::string> context(data.paths.size());
  for (size_t i = 0; i < data.paths.size(); ++i) context[i] = cat(who, ": '", data.paths[i], "': ");
  if (!options.list_only || options.skip_bad) decode_all(data, options, context);
  return data;
}

Tensor load_image(const std::string& path, const ImageOptions& options) {
  check_options("load_image", options);
  std::error_code ec;
  OG_CHECK(fs::is_regular_file(path, ec), "load_image: '", path, "': image file not found");
  Tensor t = Tensor::empty({1, options.channels, options.height, options.width});
  const std::string err = decode_file(path, options, t.data());
  OG_CHECK(err.empty(), "load_image: '", path, "': ", err);
  return t;
}

Tensor decode_image(const std::string& bytes, const std::string& name, const ImageOptions& options) {
  check_options("decode_image", options);
  Tensor t = Tensor::empty({1, options.channels, options.height, options.width});
  const std::string err = decode_bytes(bytes, options, t.data());
  OG_CHECK(err.empty(), "decode_image: '", name, "': ", err);
  return t;
}

Tensor resize_bilinear(const Tensor& images, int height, int width) {
  OG_CHECK(images.defined() && images.shape().nd == 4, "resize_bilinear: images ",
           images.shape(), " must be [N,C,H,W]");
  OG_CHECK(height >= 1 && width >= 1, "resize_bilinear: target size ", height, "x", width,
           " must be positive (images ", images.shape(), ")");
  const Shape& s = images.shape();
  const int64_t N = s[0];
  const int C = int(s[1]), H = int(s[2]), W = int(s[3]);
  Tensor out = Tensor::empty({N, C, height, width});
  if (out.numel() == 0) return out;
  OG_CHECK(H >= 1 && W >= 1, "resize_bilinear: images ", s, " are empty");
  const AxisWeights ax = axis_weights(W, width), ay = axis_weights(H, height);
  const float* src = images.data();
  float* dst = out.data();
  parallel_for(N, 2, [&](int64_t n) {
    const float* image = src + n * C * H * W;
    const auto row = [&](int c, int y, float*) { return image + (int64_t(c) * H + y) * W; };
    resize_planes(row, C, H, W, dst + n * C * height * width, height, width, ax, ay);
  });
  return out;
}

void augment_batch(Tensor& batch, const Augment& a, Rng& rng) {
  OG_CHECK(batch.defined() && batch.shape().nd == 4, "augment_batch: batch ", batch.shape(),
           " must be [N,C,H,W]");
  OG_CHECK(a.max_shift >= 0, "augment_batch: max_shift ", a.max_shift, " must be >= 0");
  OG_CHECK(a.brightness >= 0 && a.brightness < 1, "augment_batch: brightness ", a.brightness,
           " must be in [0, 1)");
  const Shape& s = batch.shape();
  const int64_t N = s[0], C = s[1], H = s[2], W = s[3];

  struct Draw {
    bool flip_h = false, flip_v = false;
    int dx = 0, dy = 0;
    float scale = 1;
  };
  std::vector<Draw> draws(static_cast<size_t>(N));
  for (Draw& d : draws) {   // serial, in image order: independent of the thread count
    if (a.flip_h) d.flip_h = rng.uniform() < 0.5f;
    if (a.flip_v) d.flip_v = rng.uniform() < 0.5f;
    if (a.max_shift > 0) {
      d.dx = int(rng.below(uint64_t(2 * a.max_shift + 1))) - a.max_shift;
      d.dy = int(rng.below(uint64_t(2 * a.max_shift + 1))) - a.max_shift;
    }
    if (a.brightness > 0) d.scale = rng.uniform(1 - a.brightness, 1 + a.brightness);
  }

  float* x = batch.data();
  const int64_t per_image = C * H * W;
  parallel_for(N, 16, [&](int64_t n) {
    const Draw& d = draws[size_t(n)];
    float* img = x + n * per_image;
    const std::vector<float> src(img, img + per_image);
    for (int64_t c = 0; c < C; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t xo = 0; xo < W; ++xo) {
          // Output (y, xo) shows the flipped image at (y - dy, xo - dx).
          const int64_t yy = y - d.dy, xx = xo - d.dx;
          float v = 0;
          if (yy >= 0 && yy < H && xx >= 0 && xx < W) {
            const int64_t sy = d.flip_v ? H - 1 - yy : yy, sx = d.flip_h ? W - 1 - xx : xx;
            v = src[size_t((c * H + sy) * W + sx)];
          }
          img[(c * H + y) * W + xo] = d.scale * v;
        }
  });
}

}  // namespace og
