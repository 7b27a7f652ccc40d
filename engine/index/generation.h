// Generation: an immutable, memory-mapped snapshot of one collection: one or more segments, each
// with its deleted-docs set. Start here on the read side.
//
// Open() verifies the whole generation before anything is used: the MANIFEST (its own header and
// checksum), then for every file it lists the size, the header (magic, file kind, format version)
// and the xxhash64 checksum in its footer, then the structure of every segment (offsets and counts
// within their files). A flipped byte, a truncated or extra-long file, a missing file or a wrong
// format version fails with Status::Corruption naming the file — never a crash or wrong results.
//
// An open Generation holds a shared flock on gen-N/LOCK, so IndexDir::IsGenerationInUse() sees
// it from any process and RemoveGeneration() refuses to delete it.
//
// Ownership: shared_ptr<const Generation>; searches keep the generation (and its mappings) alive
// by holding the pointer; every view, cursor and iterator obtained from it is valid while it
// lives. Thread-safety: immutable, every method may be called concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/index/doc_id.h"
#include "engine/index/generation_info.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "engine/index/segment_reader.h"
#include "engine/util/status.h"

namespace busca::index {

struct OpenOptions {
  // Verify the xxhash64 checksum of every file at open (reads every byte once). Turning it off
  // keeps the size/header/structure checks only; meant for benchmarks of very large indexes.
  bool verify_checksums = true;
};

// A document address across the segments of a generation.
struct DocAddress {
  uint32_t segment = 0;  // index into Generation::segments()
  DocId doc = 0;
  friend bool operator==(const DocAddress&, const DocAddress&) = default;
};

class Generation {
 public:
  // Opens the generation in `generation_dir` (a gen-N dir).
  static Result<std::shared_ptr<const Generation>> Open(const std::filesystem::path& generation_dir,
                                                        const OpenOptions& options = {});
  // Opens the generation CURRENT names for `collection`.
  static Result<std::shared_ptr<const Generation>> OpenCurrent(const IndexDir& dir,
                                                               std::string_view collection,
                                                               const OpenOptions& options = {});
  ~Generation();
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  uint64_t id() const { return info_.id; }
  const std::filesystem::path& path() const { return path_; }
  const CollectionSchema& schema() const { return schema_; }
  const GenerationInfo& info() const { return info_; }

  const std::vector<std::unique_ptr<SegmentReader>>& segments() const { return segments_; }
  const SegmentReader& segment(size_t i) const { return *segments_[i]; }
  size_t num_segments() const { return segments_.size(); }

  uint64_t max_doc() const;         // sum over segments, deleted included
  uint64_t live_doc_count() const;  // sum over segments
  // Sum over segments of SegmentReader::DocFreq (deleted docs included).
  uint64_t DocFreq(std::string_view term) const;
  uint64_t FieldLengthSum(size_t field) const;      // deleted included
  uint64_t LiveFieldLengthSum(size_t field) const;  // live docs only
  // The live document with this external id (an id lives in at most one segment as a live doc).
  std::optional<DocAddress> FindExternalId(std::string_view id) const;

 private:
  Generation() = default;
  std::filesystem::path path_;
  CollectionSchema schema_;
  GenerationInfo info_;
  std::vector<std::unique_ptr<SegmentReader>> segments_;
  GenerationLock lock_;
};

// Reads the MANIFEST and meta.json of a generation without opening segments (what `inspect`
// prints); verifies the MANIFEST checksum only.
Result<GenerationInfo> ReadGenerationInfo(const std::filesystem::path& generation_dir);

}  // namespace busca::index
