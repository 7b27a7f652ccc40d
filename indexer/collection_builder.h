// CollectionBuilder: streams one collection out of a PgSnapshot into a new generation.
//
// The TBB parallel_pipeline behind a rebuild:
//   read    (serial, in order): raw COPY lines in batches of <= kBatchRows rows / kBatchBytes
//   analyse (parallel)        : CopyTextDecoder + RowConverter + DocumentPreparer::Prepare
//                               (analysis and the per-document half of the inversion), with one
//                               Analyzer/RowConverter/DocumentPreparer per worker thread
//   invert  (serial, in order): GenerationWriter::AddPrepared (merges into the segment)
//   release (parallel)        : the batch goes back to a pool, buffers kept for reuse
// At most `threads * 4` batches are in flight, so memory is bounded by the writer's budget plus
// a few MiB of batches whatever the table size. Past the budget the writer flushes a partial
// segment; the generation then holds several segments (merged into one by Finish).
//
// On failure the writer is destroyed and its temporary directory removed: nothing is left
// behind. On success the generation has been renamed to gen-<N> but NOT published.
// Not thread-safe; one build at a time per snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/index/generation_info.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "indexer/pg_snapshot.h"
#include "indexer/rebuild.h"

namespace busca::indexer {

struct BuildResult {
  index::GenerationInfo info;   // as returned by GenerationWriter::Finish
  uint64_t rows_read = 0;       // live rows streamed from the source
  uint64_t estimated_rows = 0;  // planner estimate
  uint64_t text_bytes = 0;      // text-field bytes analysed
  uint64_t warnings = 0;        // values dropped to NULL (see RowConverter)
  std::vector<std::string> first_warnings;  // up to 20 of them
  double stream_seconds = 0;
  double finish_seconds = 0;
};

// Outcome of a build: status + which failure kind it maps to.
struct BuildOutcome {
  Status status;
  FailureKind failure = FailureKind::kNone;
  BuildResult result;
};

struct BuildOptions {
  uint64_t memory_budget_bytes = 1ull << 30;
  int threads = 0;  // 0 = hardware concurrency
  std::optional<uint64_t> pause_after_rows;
  std::function<void(std::string_view collection, int backend_pid)> on_pause;
};

// Phase 1: streams the collection's live rows through the pipeline into a writer. On success
// `outcome.result` is complete but for `info` and `finish_seconds`, and `writer` holds every
// document. Reports progress and the kFinish phase on `progress`.
struct StreamedCollection {
  BuildOutcome outcome;
  std::unique_ptr<index::GenerationWriter> writer;  // null on failure
};
StreamedCollection StreamCollection(const index::CollectionSchema& schema,
                                    const index::IndexDir& dir, PgSnapshot& snapshot,
                                    const BuildOptions& options, ProgressSink& progress);

// Phase 2: GenerationWriter::Finish (last segment, files, checksums, rename to gen-N). Touches
// neither the snapshot nor a ProgressSink, so RunRebuild runs it on its own thread while the
// next collection streams. REQUIRES: streamed.outcome succeeded.
BuildOutcome FinishCollection(const index::CollectionSchema& schema, StreamedCollection streamed);

// Both phases in turn.
BuildOutcome BuildCollection(const index::CollectionSchema& schema, const index::IndexDir& dir,
                             PgSnapshot& snapshot, const BuildOptions& options,
                             ProgressSink& progress);

}  // namespace busca::indexer
