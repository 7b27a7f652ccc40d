// Internal: the envelope every file of a generation shares, buffered checksummed writing and
// read-only memory mapping. Not part of the public API (used by the writer and readers here).
//
//   header (16 bytes): "BSCA" | kind (4 ASCII bytes, e.g. "POST") | u32 format version | u32 0
//   body
//   footer (24 bytes): u64 body size | u64 xxhash64(header + body) | "ACSB" | u32 0
// All integers little-endian. See engine/FORMAT.md.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index/generation_info.h"
#include "engine/util/status.h"

namespace busca::index {

inline constexpr uint32_t kFormatVersion = 2;
inline constexpr size_t kFileHeaderSize = 16;
inline constexpr size_t kFileFooterSize = 24;

// ---- little-endian helpers (x86-64 and aarch64 are little-endian; checked at compile time)
static_assert(std::endian::native == std::endian::little, "Busca's on-disk format is little-endian");

inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t LoadU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void PutU32(std::string* out, uint32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }
inline void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
// Reads a LEB128 varint from [*p, end); false (and *p unchanged) when truncated or too long.
inline bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t result = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 64 && q < end; shift += 7) {
    uint8_t byte = *q++;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *p = q;
      *v = result;
      return true;
    }
  }
  return false;
}
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Writes one file: header at Create, body through Append, footer + fsync at Finish.
// Buffered; the checksum is computed while writing. Not thread-safe.
class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Create(const std::filesystem::path& path,
                                                    std::string_view kind);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  Status Append(const void* data, size_t size);
  Status Append(std::string_view bytes) { return Append(bytes.data(), bytes.size()); }
  // Appends zero bytes until body_size() is a multiple of `alignment` (<= 16, so body offsets and
  // file offsets have the same alignment).
  Status Pad(size_t alignment);
  uint64_t body_size() const { return body_size_; }
  // Writes the footer, fsyncs and closes. Returns the manifest entry (name = file name).
  Result<FileInfo> Finish();

 private:
  FileWriter() = default;
  Status FlushBuffer();
  std::filesystem::path path_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t body_size_ = 0;
  void* hash_state_ = nullptr;  // XXH64_state_t*
  bool finished_ = false;
};

// Convenience: a whole file from one body.
Result<FileInfo> WriteFile(const std::filesystem::path& path, std::string_view kind,
                           std::string_view body);

// A read-only memory mapping of a whole file (Boost.Interprocess file_mapping + mapped_region).
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Checks the envelope of `file` (magic, kind, version, footer, body size, optionally checksum)
// and returns its body. `name` is used in error messages (Corruption: "<name>: ...").
Result<std::span<const uint8_t>> CheckFileEnvelope(std::span<const uint8_t> file,
                                                   std::string_view kind, std::string_view name,
                                                   bool verify_checksum);
// xxhash64 of everything before the footer, as recorded in the footer.
uint64_t ComputeFileChecksum(std::span<const uint8_t> file);

// Maps `path`, checks its envelope and returns mapping + body.
struct CheckedFile {
  std::unique_ptr<MappedFile> file;
  std::span<const uint8_t> body;
};
Result<CheckedFile> OpenCheckedFile(const std::filesystem::path& path, std::string_view kind,
                                    bool verify_checksum);

// fsync of a directory (after creating/renaming entries in it).
Status SyncDirectory(const std::filesystem::path& dir);

// Re-reads the files of the directory `dir` listed in `files` with pread, through one buffer
// (never mapped, so checking a large generation does not make it resident in the caller), and
// checks each one's size and xxhash64 against its FileInfo and against its own footer.
// Corruption("<file>: ...") on a mismatch, IOError when a file cannot be read.
Status VerifyFileChecksums(const std::filesystem::path& dir, const std::vector<FileInfo>& files);

}  // namespace busca::index
