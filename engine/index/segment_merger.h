// SegmentMerger: rewrites N finished segments (and their deleted-doc sets) as ONE new segment that
// holds their live docs only. Used by GenerationWriter::Finish (WriterOptions::merge_on_finish)
// inside the temp generation dir, before the MANIFEST is written; usable by a background merger
// later (it only needs SegmentReaders and an output directory).
//
// The new DocIds are the live docs in input order (segment 0's live docs first, each segment's in
// DocId order). Terms are merged k-way from the sorted term dictionaries and each term's postings
// re-encoded (fresh skip tables and block-max bounds, positions, per-field tfs); a term whose docs
// are all deleted disappears. Field lengths, keyword columns (value dictionaries merged, values
// only deleted docs used dropped, ordinals remapped), numeric columns, stored fields and external
// ids are rewritten for the live docs; the new segment has no deleted docs. The surface
// dictionary is the union of the inputs' keys with term ordinals remapped (entries whose terms all
// vanished are dropped); its doc_freq is the sum of the inputs' (capped at the new max_doc; exact
// without deletions, an upper bound with them, since a segment does not record which docs a
// spelling came from) and its spelling is that of the input with the largest doc_freq.
//
// Memory: one term's merged postings at a time, plus per-doc arrays (lengths, column values,
// ids) and per-term / per-value ordinal maps; stored fields are streamed through a spill file.
// Not thread-safe; the inputs must stay open during the merge.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "engine/index/generation_info.h"
#include "engine/index/schema.h"
#include "engine/index/segment_reader.h"
#include "engine/util/status.h"

namespace busca::index {

struct SegmentMergeOptions {
  int stored_compression_level = 3;
  size_t stored_block_bytes = 16 * 1024;
};

struct SegmentMergeResult {
  SegmentInfo info;              // id and counts of the new segment (text_bytes 0: the caller knows it)
  std::vector<FileInfo> files;   // the 9 files written (names relative to the output dir)
};

// Writes seg-<out_id>.* (with an empty .deletes) into `out_dir` from the live docs of `inputs`,
// which must share `schema`. REQUIRES: at least one input; the total live docs < 2^32 - 1.
// On error, partially written files may remain in out_dir (the caller owns that directory).
Result<SegmentMergeResult> MergeSegments(const CollectionSchema& schema,
                                         std::span<const SegmentReader* const> inputs,
                                         const std::filesystem::path& out_dir, uint32_t out_id,
                                         const SegmentMergeOptions& options = {});

}  // namespace busca::index
