// Rebuild API: PostgreSQL -> new index generations -> validated -> published (zero downtime).
//
// Start here for indexer/. RunRebuild() is what `rebuild-index` and the server's Rebuild RPC
// call. One rebuild = one REPEATABLE READ READ ONLY transaction (a consistent snapshot) from
// which every requested collection is streamed in turn (COPY of a query, rows decoded by
// CopyTextDecoder, never a whole table in memory), analysed in parallel and inverted into a new
// generation by a TBB pipeline. Only when EVERY collection has been built and validated
// (checksums re-read, doc count == live rows read, the shrink guard) is CURRENT published for
// each, atomically per collection (see index::IndexDir). On any failure nothing is published
// and no half-built generation is left behind; the live index stays byte-identical.
//
// Concurrency: a rebuild of collection C holds an exclusive lock (in-process mutex + a
// Boost.Interprocess file_lock on DIR/C/.rebuild.lock); a second rebuild or rollback of C,
// from this or another process, is refused with kLockHeld. RunRebuild/RunRollback are
// thread-safe to call concurrently for different collections. ProgressSink callbacks are made
// from the calling thread and from the pipeline's reader thread, never concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace busca::indexer {

// Why a rebuild failed; each kind has its own process exit code (ExitCodeFor, documented in
// indexer/ARCHITECTURE section and `rebuild-index --help`).
enum class FailureKind {
  kNone = 0,
  kUsage,              // bad options / schema files / unknown collection or service  -> 2
  kLockHeld,           // another rebuild or rollback of a collection is running          -> 3
  kSourceUnreachable,  // could not connect or open the snapshot                          -> 4
  kSourceFailed,       // the source failed mid-stream: connection lost, statement
                       // timeout, bad row the schema cannot represent                    -> 5
  kValidationRefused,  // new generation failed validation or the shrink guard (--force)  -> 6
  kSwapFailed,         // publishing CURRENT failed (old generation stays live)            -> 7
  kIndexWriteFailed,   // writing the new generation failed (disk full, I/O error)        -> 8
  kInternal,           // a bug                                                          -> 1
};
std::string_view FailureKindName(FailureKind kind);  // "source_unreachable", ...
int ExitCodeFor(FailureKind kind);                   // 0 for kNone
// Exit code used by rebuild-index when the index was swapped but notifying --server failed.
inline constexpr int kExitServerNotifyFailed = 9;

enum class RebuildPhase {
  kLock,       // acquiring the per-collection rebuild lock
  kConnect,    // connecting + BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY
  kStream,     // COPY -> decode -> analyse -> invert (progress events)
  kFinish,     // merging partial segments, writing the generation, renaming .tmp -> gen-N
  kValidate,   // Generation::Open (checksums), doc count, shrink guard
  kPublish,    // CURRENT swapped atomically
  kCleanup,    // old generations beyond --keep removed (only when unused)
  kRollback,   // CURRENT pointed back at the previous generation
  kDone,
  kFailed,
};
std::string_view RebuildPhaseName(RebuildPhase phase);  // "stream", ...

struct CollectionSummary {
  std::string collection;
  uint64_t documents = 0;           // docs in the new generation (== live rows read)
  uint64_t previous_documents = 0;  // docs in the generation that was live (0 if none)
  uint64_t estimated_rows = 0;      // planner estimate (pg_class.reltuples) at start
  uint64_t text_bytes = 0;          // bytes of text-field content analysed
  std::string generation;           // "gen-000042" (published or, on rollback, now live)
  std::string previous_generation;  // "" if none was live
  double stream_seconds = 0;        // COPY + analyse + invert
  double finish_seconds = 0;        // merge + write + fsync + rename
  double validate_seconds = 0;
  std::vector<std::string> removed_generations;  // retention cleanup
};

struct RebuildSummary {
  std::vector<CollectionSummary> collections;  // in the order built
  double seconds = 0;                          // wall time of the whole rebuild
  uint64_t peak_rss_bytes = 0;                 // process peak RSS at the end (getrusage)
};

// Outcome of RunRebuild/RunRollback: status OK <=> failure == kNone. `summary` holds what was
// done (on failure: the collections that got as far as being built, nothing published).
struct RebuildOutcome {
  Status status;
  FailureKind failure = FailureKind::kNone;
  RebuildSummary summary;
  bool ok() const { return failure == FailureKind::kNone; }
};

// Receives progress. Default implementations ignore everything.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // A collection enters a phase; `detail` is human-readable ("gen-000043", a reason, ...).
  virtual void OnPhase(std::string_view collection, RebuildPhase phase, std::string_view detail) {}
  // Streaming progress, at most ~10 times per second per collection and once at the end.
  virtual void OnProgress(std::string_view collection, uint64_t rows, uint64_t estimated_rows,
                          double elapsed_seconds) {}
  virtual void OnCollectionDone(const CollectionSummary& summary) {}
};

struct RebuildOptions {
  std::string database_url;                 // libpq URL or key=value string (required)
  std::filesystem::path index_dir;          // root: DIR/<collection>/... (created if missing)
  std::filesystem::path schema_dir = "schemas/collections";
  // Collections to rebuild, by name; empty = every schema in schema_dir.
  // Use CollectionsForService() to turn --service into names.
  std::vector<std::string> collections;
  bool force = false;                       // skip the shrink guard
  double min_ratio = 0.5;                   // refuse new_docs < min_ratio * live_docs
  uint64_t memory_budget_bytes = 1ull << 30;  // writer flushes partial segments past this
  int keep_generations = 3;                 // old generations kept for rollback (>= 0)
  // Analyser threads of each lane (two lanes of collections stream at once, see README);
  // 0 = hardware concurrency; 1 = a single lane.
  int threads = 0;
  std::chrono::milliseconds statement_timeout{0};  // 0 = leave the server's setting
  std::chrono::seconds connect_timeout{10};
  std::filesystem::path log_path;           // JSON-lines event log; empty = none
  std::string application_name = "busca-rebuild";

  // --- Test seams (never set in production) -------------------------------------------
  // After `pause_after_rows` rows of a collection have been read, the reader thread calls
  // on_pause(collection, backend_pid) once and continues when it returns (a test terminates
  // the backend or stops Postgres there).
  std::optional<uint64_t> pause_after_rows;
  std::function<void(std::string_view collection, int backend_pid)> on_pause;
  // Called after validation, before CURRENT is published; non-OK = the publish fails.
  std::function<Status(std::string_view collection)> publish_fault;
};

// "all" -> posts, products, courses, suppliers (the runbook's order); "community" -> posts; "marketplace" ->
// products, suppliers; "academy" -> courses. Unknown service -> kInvalidArgument.
Result<std::vector<std::string>> CollectionsForService(std::string_view service);

// Builds, validates and publishes new generations. Never throws.
RebuildOutcome RunRebuild(const RebuildOptions& options, ProgressSink* progress = nullptr);

struct RollbackOptions {
  std::filesystem::path index_dir;
  std::vector<std::string> collections;  // empty = every collection dir with a CURRENT
  std::filesystem::path log_path;        // JSON-lines event log; empty = none
};

// Points CURRENT of each collection back at the newest complete generation older than the live
// one (verified with Generation::Open before publishing). The newer generation is kept on disk
// (a later rebuild's retention removes it). Fails with kValidationRefused when there is no
// older intact generation. Takes the same per-collection lock as RunRebuild.
RebuildOutcome RunRollback(const RollbackOptions& options, ProgressSink* progress = nullptr);

}  // namespace busca::indexer
