// GenerationWriter: builds one new immutable generation of a collection. Start here on the write
// side.
//
//   BUSCA_ASSIGN_OR_RETURN(auto writer, GenerationWriter::Create(schema, IndexDir(root), {}));
//   for (...) BUSCA_RETURN_IF_ERROR(writer->Add(AnalyzeDocument(schema, doc, analyzer)...));
//   BUSCA_ASSIGN_OR_RETURN(GenerationInfo info, writer->Finish());
//   // validate, then: IndexDir(root).PublishCurrent(schema.name, info.id)
//
// Analysis is the expensive part and runs outside, in parallel (AnalyzeDocument with one Analyzer
// per thread); Add() only inverts, single-threaded. When the in-memory segment grows past
// WriterOptions::memory_budget_bytes it is written out as a segment file set and a new one starts,
// so memory stays bounded whatever the collection size. Finish() writes the last segment, the
// deleted-docs sets, merges the segments into one (WriterOptions::merge_on_finish; the old
// segment files are removed only once the merged segment is written and re-opened), writes
// schema.json, meta.json and the MANIFEST (last), re-reads every file to check
// its checksum against the manifest, and renames the temp dir to gen-<N>. It does NOT publish
// CURRENT: the caller does that after its own validation.
//
// The fast path (indexer/): DocumentPreparer::Prepare, run in parallel with one preparer and one
// Analyzer per thread, does the per-document half of the inversion (analysis, grouping the
// tokens by term and spelling, sorting positions, encoding the stored record) into a
// PreparedDocument; AddPrepared() then only merges it into the segment. Add() goes through the
// same two halves on the calling thread, so both paths write the same bytes.
//
// If the writer is destroyed without a successful Finish(), the temp dir is removed.
// Not thread-safe: one thread drives a writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/index/document.h"
#include "engine/index/document_preparer.h"
#include "engine/index/generation_info.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "engine/util/status.h"

namespace busca::index {

struct WriterOptions {
  // In-memory inversion budget; a segment is flushed when ApproximateMemoryUsage() exceeds it.
  size_t memory_budget_bytes = size_t{256} << 20;
  // Also flush after this many docs in one segment (DocIds are uint32; keeps segments moderate).
  uint32_t max_docs_per_segment = 1u << 24;
  // zstd level of stored-field blocks.
  int stored_compression_level = 3;
  // Uncompressed bytes per stored-field block.
  size_t stored_block_bytes = 16 * 1024;
  // Finish() merges every segment into one (live docs only, see segment_merger.h) when there is
  // more than one segment or any doc was deleted, inside the temp dir before the MANIFEST. Tests
  // that need a multi-segment generation with deletions set it to false.
  bool merge_on_finish = true;
};

class GenerationWriter {
 public:
  // Creates DIR/<schema.name>/.tmp-gen-<N>-<pid>/ (N = IndexDir::NextGenerationId).
  static Result<std::unique_ptr<GenerationWriter>> Create(const CollectionSchema& schema,
                                                          const IndexDir& dir,
                                                          const WriterOptions& options = {});
  ~GenerationWriter();
  GenerationWriter(const GenerationWriter&) = delete;
  GenerationWriter& operator=(const GenerationWriter&) = delete;

  // Adds a document (validated against the schema; text fields must come with their tokens).
  // InvalidArgument when invalid or when a live doc with the same external id was already added
  // (Delete it first to replace it).
  Status Add(AnalyzedDocument&& doc);
  // Adds a document prepared by a DocumentPreparer of the same schema (checked by field counts).
  // Same errors as Add. `doc` is left untouched, so the caller may free it on another thread.
  Status AddPrepared(const PreparedDocument& doc);
  // Marks the live doc with this external id deleted, whichever segment holds it (the in-memory
  // one included). NotFound when there is none.
  Status Delete(std::string_view external_id);
  // Writes the in-memory segment now (no-op when it is empty). Tests use it to force several
  // segments; Add() calls it when over budget.
  Status FlushSegment();
  // Bytes held by the in-memory segment (postings and positions, dictionaries, columns, ids, the
  // stored block being filled; compressed stored blocks are spilled to the temp dir).
  size_t ApproximateMemoryUsage() const;

  uint64_t docs_added() const { return docs_added_; }
  uint64_t generation_id() const;
  uint32_t segments_written() const;

  // Finishes the generation (see above) and returns what it holds. The writer is unusable after.
  Result<GenerationInfo> Finish();

 private:
  GenerationWriter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t docs_added_ = 0;
};

}  // namespace busca::index
