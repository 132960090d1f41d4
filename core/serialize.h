// serialize.h — checkpoints: named tensors plus string metadata in one binary file.
//
// A Checkpoint holds everything needed to resume training: parameters, buffers
// (batch-norm statistics), optimiser moments (under their own name prefix), and
// text metadata such as the model spec, epoch, step, optimiser name and the Rng
// state. The architecture itself stays in code (the model spec string rebuilds it);
// loading checks every tensor by name and shape instead of reading raw floats in
// layer order.
//
// File format, version 1. All integers and floats little-endian, no padding:
//   char     magic[4]        "OGCK"
//   u32      version         1
//   u32      meta_count
//   meta_count times, in key order:
//     u32    key_len,  u8 key[key_len]
//     u32    val_len,  u8 val[val_len]
//   u32      tensor_count
//   tensor_count times, in the order of Checkpoint::tensors:
//     u16    name_len, u8 name[name_len]
//     u8     ndim            0..4 (0 = a one-element scalar)
//     i64    dims[ndim]      each >= 0
//     f32    data[prod(dims)]  row-major, IEEE-754 bit patterns kept exactly
//   u32      crc32           zlib's crc32 of every byte before it
//
// Saving writes "<path>.tmp.<pid>" next to the target, flushes and fsyncs it, then
// rename()s it over the target: readers see the old file or the new one, never a
// half-written one, and a failed save removes the temp file and leaves the old
// file intact. The directory is fsynced after the rename, so the new name is durable.
// A save killed midway (SIGKILL, power loss) leaves its temp file behind; loading
// never looks at temp files, and the next successful save of the same path removes
// those whose pid is no longer running (tests/test_checkpoint_kill.cpp kills saves
// at random moments). Loading checks every length against the bytes left in the file
// before using it, so a damaged file throws og::Error (one line naming the path and
// the problem) instead of crashing or allocating absurd amounts. All I/O runs on the
// calling thread.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/module.h"
#include "core/tensor.h"

namespace og {

constexpr uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  std::map<std::string, std::string> meta;                // written in key order
  std::vector<std::pair<std::string, Tensor>> tensors;    // written in this order
  std::string source;   // the file it was loaded from ("" if built in memory), for messages

  // The tensor called `name`, or nullptr.
  const Tensor* find(const std::string& name) const;
  // Metadata lookups that throw og::Error naming the file and key when absent or malformed.
  const std::string& meta_at(const std::string& key) const;
  int64_t meta_int(const std::string& key) const;
};

void save_checkpoint(const std::string& path, const Checkpoint& ck);
Checkpoint load_checkpoint(const std::string& path);

// Append deep copies of the tensors as "<prefix><name>"; a name already present throws.
void put_tensors(Checkpoint& ck, const std::vector<NamedTensor>& tensors,
                 const std::string& prefix = "");
void put_tensors(Checkpoint& ck, const std::vector<NamedParam>& params,
                 const std::string& prefix = "");  // saves param->value
// Copy "<prefix><name>" from the checkpoint into each existing tensor. Every name
// must exist with exactly the tensor's shape; all are checked before any is
// written, so a failed load leaves the model untouched. Checkpoint tensors that
// nobody asks for are ignored (optimiser state lives beside the model's tensors).
void get_tensors(const Checkpoint& ck, const std::vector<NamedTensor>& tensors,
                 const std::string& prefix = "");
void get_tensors(const Checkpoint& ck, const std::vector<NamedParam>& params,
                 const std::string& prefix = "");  // fills param->value

// Rng::state() as text for Checkpoint::meta: five 16-digit lowercase hex words
// separated by single spaces. Decoding accepts exactly that form and throws otherwise.
std::string encode_rng_state(const std::array<uint64_t, 5>& state);
std::array<uint64_t, 5> decode_rng_state(const std::string& text);

}  // namespace og
