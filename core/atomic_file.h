// atomic_file.h — writing a file so that neither a reader nor a crash ever sees half of it.
//
// The bytes go to temp_path(path) = "<path>.tmp.<pid>" in the target's directory (so the
// rename stays on one filesystem and is atomic), which is then renamed over the target:
// a reader sees the old file or the new one. With Sync::durable the file is fsynced
// before the rename and its directory after it, so after a power cut the name holds
// the old content or the new, never an empty or partial file, and the write then removes
// the temp files of earlier writes to the same path whose processes died mid-write.
// Sync::none skips all three (thousands of generated images; a crash leaves at most a
// stray temp file).
#pragma once
#include <cstddef>
#include <string>

namespace og {

enum class Sync { none, durable };

// "" on success, else "cannot write '<path>': <reason>" (the temp file is removed).
// Never throws: it runs inside parallel loops.
std::string write_file_atomic(const std::string& path, const void* data, size_t size, Sync sync);

// "<path>.tmp.<pid>": where write_file_atomic and save_checkpoint stage a file.
std::string temp_path(const std::string& path);

// The directory part of path ("." for a bare name, "/" for a file in the root).
std::string parent_dir(const std::string& path);

// fsyncs the directory holding path, making a rename in it durable. Best effort: some
// filesystems refuse to fsync a directory, and the file itself is complete either way.
void sync_parent_dir(const std::string& path);

// Removes "<path>.tmp.<pid>" files whose pid is not a running process (writers killed
// mid-write). Temp files of live processes (a concurrent write) stay. Pids are those of
// this machine: a directory shared between machines may lose another host's temp file
// (its write then fails cleanly at the rename; the target is untouched).
void remove_stale_temps(const std::string& path);

// The same for text, throwing og::Error with that line on failure (durable).
void write_text_atomic(const std::string& path, const std::string& text);

// Creates a directory and its parents if missing; og::Error naming it otherwise.
void make_dirs(const std::string& dir);

}  // namespace og
