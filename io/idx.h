// idx.h — IDX files (MNIST, Fashion-MNIST) and the Fashion-MNIST loader.
//
// IDX layout, all integers big-endian u32:
//   labels: magic 0x00000801 (u8 data, 1 dim), N,             u8 label[N]
//   images: magic 0x00000803 (u8 data, 3 dims), N, rows, cols, u8 pixel[N*rows*cols]
// pixels row-major per image, images one after another. Files are read through
// zlib's gzread, which inflates gzip files and passes plain files through, so
// "x.gz" and its uncompressed twin read the same. Every read is checked: a missing
// file, a wrong magic, data shorter or longer than the header says, or damaged
// gzip data throws og::Error with one line naming the file. The pixel buffer grows
// as data actually arrives, so a damaged header cannot trigger a huge allocation.
// Reading is serial (one zlib stream); the conversion to floats runs parallel over
// images and normalize() over elements, each thread writing only its own outputs.
//
// Fashion-MNIST comes from Debian's dataset-fashion-mnist package, which installs
// train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz  (60000 images, 28x28)
// t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz   (10000 images)
// in /usr/share/datasets/fashion-mnist; labels are 0..9, 6000 / 1000 per class.
//
// Normalisation. load_* gives x = pixel/255 in [0,1]. The reference CNN recipe then
// applies normalize(images, kFashionMnistMean, kFashionMnistStd), i.e.
//   x <- (x - 0.2860) / 0.3530,
// the mean and standard deviation of all training-set pixels after /255. Use the
// training statistics for the test split too.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace og {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr float kFashionMnistMean = 0.2860f;
constexpr float kFashionMnistStd = 0.3530f;

struct IdxImages {
  int64_t n = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;   // n*rows*cols bytes, image i at i*rows*cols
};

IdxImages read_idx_images(const std::string& path);
std::vector<uint8_t> read_idx_labels(const std::string& path);

struct ImageSet {
  Tensor images;             // [N,1,H,W], pixel/255
  std::vector<int> labels;   // N labels
};

// An image file and its label file; the counts must agree.
ImageSet load_idx_set(const std::string& images_path, const std::string& labels_path);
// The train (60000) or test (10000) split from `dir`. Each "<name>.gz" may also be
// present uncompressed as "<name>". Labels are checked to be 0..9.
ImageSet load_fashion_mnist(const std::string& dir = kFashionMnistDir, bool train = true);

// x <- (x - mean) / std for every element, in place (parallel over elements).
void normalize(Tensor& images, float mean, float std);

}  // namespace og
