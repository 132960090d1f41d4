// safetensors.h — the safetensors format (Hugging Face's): named tensors and string
// metadata, readable with no ordgrad code (json + numpy, PyTorch, safetensors itself).
//
// Layout: u64 little-endian N, then N bytes of JSON, then the tensors' bytes back to back:
//   {"__metadata__":{"key":"value",...},
//    "name":{"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}, ...}
// offsets counted from the first byte after the JSON. Written as the reference writer
// writes it: compact JSON, "__metadata__" first (left out when empty; its keys in
// order), tensors sorted by name (all F32, so dtype does not reorder them), offsets
// contiguous from 0, the JSON padded with spaces to a multiple of 8 bytes so that the
// data is aligned, floats little-endian.
//
// Reading refuses, with one og::Error line naming the file: a file under 8 bytes, a
// header over 100,000,000 bytes (the reference's limit) or past the end of the file,
// JSON that is not an object of the shape above, a duplicate name, a dtype other than
// F32 (ordgrad's only one; others are named), a negative or overflowing shape,
// offsets that do not tile the data exactly (gaps, overlaps, out of order, out of
// range, or a size that does not match shape x 4 bytes), and bytes after the data.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace og {

struct SafeTensors {
  std::map<std::string, std::string> metadata;
  std::vector<std::pair<std::string, Tensor>> tensors;  // in the file's data order
};

std::string safetensors_bytes(const SafeTensors& s);
// `who` names the bytes in errors (a path).
SafeTensors parse_safetensors(const std::string& bytes, const std::string& who);

void save_safetensors(const std::string& path, const SafeTensors& s);  // atomic, durable
SafeTensors load_safetensors(const std::string& path);

// True if the bytes start like a safetensors file (a plausible length, then '{').
bool looks_like_safetensors(const std::string& head);

}  // namespace og
