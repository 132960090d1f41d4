// images.h — the user's own images: CSV manifests and label folders, decoded with
// stb_image, resized to the model's input, and label-preserving augmentations.
//
// Sources. PNG, JPEG and BMP through Debian's libstb (stbi_load_from_memory; no
// STB_IMAGE_IMPLEMENTATION here, the library is linked with -lstb). A file is read
// whole and its first bytes must be a PNG, JPEG or BMP signature, so stb's other
// decoders (GIF, TGA, PSD, HDR, PIC, PNM) never see user files; an image whose
// header announces more than kMaxImagePixels pixels is refused before decoding, and a
// PNG's chunks must each fit in the file (stb sizes its buffer from the chunk header).
// Decoding needs the file, stb's pixels and at most sqrt(H·W·Ho·Wo) doubles for the
// resize, whatever the image's shape.
//   load_manifest(csv): CSV with a header naming the columns `path`, `label` and
//     optionally `group` (found by name, in any order; other columns are ignored).
//     Fields may be quoted ("a, b.png", "say ""hi""") as in RFC 4180; CRLF or LF line
//     ends; a UTF-8 BOM is skipped; blank lines are skipped. A relative path is
//     relative to the directory of the CSV file. label: an integer >= 0; group: an
//     integer (ImageData::groups stays empty without a group column).
//   load_files(paths, labels, options, who): the listed files (io/folders.h walks label
//     folders into such lists; load_folder there reads a whole folder).
//
// Pixels. x = byte/255, a float in [0,1], stored NCHW as images [N,C,H,W] with
// C = ImageOptions::channels (1 or 3). Alpha is dropped. Colour conversion:
//   RGB -> gray: x = (0.299 r + 0.587 g + 0.114 b) / 255 (ITU-R BT.601 luma); a pixel
//     with r = g = b keeps exactly r/255, so gray images stored as RGB (BMP) are exact;
//   gray -> RGB: the gray value in all three channels.
//
// Resize (resize_bilinear): separable, pixel centres aligned (source coordinate of
// output pixel o is (o + 0.5)·S/D − 0.5 for source size S, output size D), each output
// a weighted mean of source pixels with the tent weight max(0, 1 − |i − c|/r),
// r = max(1, S/D). Upsampling (r = 1) is plain bilinear interpolation; downsampling
// widens the tent to the output pixel's footprint, so every source pixel contributes
// (close to an area average, no aliasing from skipped pixels). Weights are >= 0 and
// renormalised at the borders (which equals edge clamping for r = 1), so a constant
// image stays constant, a monotone image stays monotone, and S = D is a copy.
//
// Errors: og::Error, one line naming the function and the file:
//   "load_manifest: 'm.csv' line 4: label '-2' is negative"
//   "load_manifest: 'imgs/a.png' (line 3 of 'm.csv'): cannot decode image: <stb reason>"
//   "load_folder: 'd/3/x.png': cannot decode image: not a PNG, JPEG or BMP file (starts with
//    bytes 47 49 46 38)" (the `who` of load_files)
//   "load_image: 'a.png': cannot decode image: corrupt PNG: chunk 1 ('IDAT') at byte 33
//    claims 1073742000 bytes of data, the file has 410 after its header"
//   missing manifest / folder / image file, a corrupt or truncated image, a malformed
//   manifest (missing column or field, non-integer label or group, unterminated quote),
//   a negative label, no images at all; with strict_size an image of another size
//   ("image of the wrong size"); with expect_channels a source of other colour
//   channels ("wrong channels", counting 1 for gray and gray+alpha, 3 for RGB and RGBA).
//
// Parallelism. Manifest parsing and the folder walk are serial. Decoding runs
// parallel over images (og::parallel_for): each image writes only its own slice of
// the output and its own error slot; after the loop the error of the first failing
// image in order is thrown, so results and messages do not depend on the thread
// count. stb_image keeps its failure reason thread-local (v2.24+), as Debian's is.
//
// Augmentation (augment_batch), per image n of a batch [N,C,H,W], in this order:
//   flip_h: with p = 1/2 mirror left-right (x -> W-1-x);  flip_v: up-down likewise;
//   shift : dx, dy uniform integers in [-max_shift, max_shift]; content moves by
//           (dx, dy): out[y][x] = in[y-dy][x-dx], zero where that lies outside;
//   brightness: every value of the image times s ~ uniform[1 - b, 1 + b) (no clamping,
//           so apply it to [0,1] pixels before normalising for a brightness meaning).
// All random numbers are drawn first, serially, in image order (flip_h, flip_v, dx,
// dy, s for each enabled option), then the images are transformed in parallel, each
// thread writing its own images: a seed gives the same batch for any thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"

namespace og {

struct ImageOptions {
  int channels = 1;            // model input channels: 1 (gray) or 3 (RGB)
  int height = 32, width = 32; // model input size; images are resized to it
  bool strict_size = false;    // true: an image of another size is an error, not resized
  int expect_channels = 0;     // 0 = any source; 1 or 3: other sources are an error
  bool skip_bad = false;       // leave out images that fail to load (ImageData::skipped)
  bool list_only = false;      // read the list (paths, labels, groups) but keep no pixels:
                               // ImageData::images stays undefined (io/stream.h decodes later);
                               // with skip_bad each image is still decoded once, to drop the bad
};

struct ImageData {
  Tensor images;                   // [N,C,H,W], values in [0,1]
  std::vector<int> labels;         // N labels >= 0
  std::vector<int> groups;         // N group ids; empty when the manifest has none
  std::vector<std::string> paths;  // N file paths as opened
  std::vector<std::string> skipped;  // with skip_bad: "'path': reason" of each image left out
};

ImageData load_manifest(const std::string& csv_path, const ImageOptions& options = {});
// The files `paths` with their labels, decoded in parallel; errors start with `who`.
ImageData load_files(std::vector<std::string> paths, std::vector<int> labels, const ImageOptions& options,
                     const std::string& who);

// At most this many pixels (height x width) per source image: 2^25, e.g. 6000x5000.
constexpr int64_t kMaxImagePixels = int64_t(1) << 25;

// One image file as [1,C,H,W] (the decoding used by both loaders).
Tensor load_image(const std::string& path, const ImageOptions& options = {});
// The file at `path` decoded into out[C,H,W] (C, H, W of the options): "" or the reason
// it failed, without the file's name; never throws for a bad file (parallel loops call it).
std::string decode_file(const std::string& path, const ImageOptions& options, float* out);
// The same from the file's bytes held in memory; `name` names it in errors.
Tensor decode_image(const std::string& bytes, const std::string& name,
                    const ImageOptions& options = {});

// images [N,C,H,W] resized to [N,C,height,width] (see the header comment).
Tensor resize_bilinear(const Tensor& images, int height, int width);

struct Augment {
  bool flip_h = false, flip_v = false;
  int max_shift = 0;       // pixels, >= 0
  float brightness = 0;    // b in [0, 1)
};

// Augments batch [N,C,H,W] in place with random draws from rng (see above).
void augment_batch(Tensor& batch, const Augment& augment, Rng& rng);

}  // namespace og
