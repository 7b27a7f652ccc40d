// GenerationInfo: what a finished generation holds (counts, per-file sizes and checksums, build
// time). Returned by GenerationWriter::Finish() and available from Generation::info(); it is the
// content of the generation's meta.json + MANIFEST. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace busca::index {

// One file of a generation, as listed in its MANIFEST.
struct FileInfo {
  std::string name;       // file name inside the generation dir, e.g. "seg-0000.postings"
  uint64_t size = 0;      // bytes, including header and footer
  uint64_t checksum = 0;  // xxhash64 (seed 0) of everything before the footer
};

struct SegmentInfo {
  uint32_t id = 0;               // file prefix seg-<id as 4 digits>
  uint32_t max_doc = 0;          // docs in the segment, deleted included
  uint32_t deleted_docs = 0;
  uint64_t terms = 0;            // entries of the term dictionary
  uint64_t surface_entries = 0;  // entries of the surface dictionary
  uint64_t postings = 0;         // (term, doc) pairs
  uint64_t positions = 0;        // token occurrences (stopwords included)
  uint64_t text_bytes = 0;       // bytes of text-field input indexed in this segment
};

struct GenerationInfo {
  std::string collection;
  uint64_t id = 0;               // N of gen-N
  uint32_t format_version = 0;
  uint64_t max_doc = 0;          // sum over segments, deleted docs included
  uint64_t live_docs = 0;
  uint64_t deleted_docs = 0;
  uint64_t terms = 0;            // sum over segments (a term in two segments counts twice)
  uint64_t indexed_text_bytes = 0;
  int64_t built_at_micros = 0;   // UTC microseconds since the epoch
  double build_seconds = 0;      // GenerationWriter::Create .. Finish
  std::vector<SegmentInfo> segments;
  std::vector<FileInfo> files;   // every file listed in the MANIFEST (MANIFEST itself excluded)

  uint64_t TotalBytes() const;
  // Sum of the sizes of the files whose name ends with `suffix` (".postings", ".terms", ...).
  uint64_t BytesWithSuffix(std::string_view suffix) const;
};

// The index size split the way issue #2 reports it.
struct SizeBreakdown {
  uint64_t term_dictionary = 0;  // *.terms
  uint64_t postings = 0;         // *.postings (doc deltas, tfs, skip + block-max data)
  uint64_t positions = 0;        // *.positions
  uint64_t surface_dictionary = 0;  // *.surface
  uint64_t stored = 0;           // *.stored (compressed stored fields)
  uint64_t columns = 0;          // *.columns, *.lengths, *.ids, *.deletes
  uint64_t other = 0;            // schema.json, meta.json
  uint64_t indexed_text_bytes = 0;
  // (term_dictionary + postings + positions) / indexed_text_bytes; 0 when no text.
  double InvertedRatio() const;
};
SizeBreakdown ComputeSizeBreakdown(const GenerationInfo& info);

}  // namespace busca::index
