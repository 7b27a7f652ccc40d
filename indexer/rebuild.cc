// RunRebuild / RunRollback (see rebuild.h): locks, snapshot, build, validate, publish, retention.
#include "indexer/rebuild.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "engine/index/file_format.h"
#include "engine/index/generation.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "indexer/collection_builder.h"
#include "indexer/event_log.h"
#include "indexer/pg_snapshot.h"
#include "indexer/rebuild_lock.h"

namespace busca::indexer {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

uint64_t PeakRssBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

// Forwards to the caller's sink and mirrors every event into the JSON-lines log.
class LoggingSink : public ProgressSink {
 public:
  LoggingSink(ProgressSink* inner, EventLog* log) : inner_(inner), log_(log) {}

  void OnPhase(std::string_view collection, RebuildPhase phase, std::string_view detail) override {
    if (log_ != nullptr) {
      log_->Write({{"event", "phase"},
                   {"collection", collection},
                   {"phase", RebuildPhaseName(phase)},
                   {"detail", detail}});
    }
    if (inner_ != nullptr) inner_->OnPhase(collection, phase, detail);
  }
  void OnProgress(std::string_view collection, uint64_t rows, uint64_t estimated_rows,
                  double elapsed_seconds) override {
    // The log gets at most one progress line per second per collection.
    if (log_ != nullptr) {
      auto& last = last_logged_[std::string(collection)];
      if (elapsed_seconds - last >= 1.0) {
        last = elapsed_seconds;
        log_->Write({{"event", "progress"},
                     {"collection", collection},
                     {"rows", rows},
                     {"estimated_rows", estimated_rows},
                     {"elapsed_s", elapsed_seconds}});
      }
    }
    if (inner_ != nullptr) inner_->OnProgress(collection, rows, estimated_rows, elapsed_seconds);
  }
  void OnCollectionDone(const CollectionSummary& s) override {
    if (log_ != nullptr) {
      log_->Write({{"event", "collection_done"},
                   {"collection", s.collection},
                   {"documents", s.documents},
                   {"previous_documents", s.previous_documents},
                   {"generation", s.generation},
                   {"previous_generation", s.previous_generation},
                   {"text_bytes", s.text_bytes},
                   {"stream_s", s.stream_seconds},
                   {"finish_s", s.finish_seconds},
                   {"validate_s", s.validate_seconds},
                   {"removed_generations", s.removed_generations}});
    }
    if (inner_ != nullptr) inner_->OnCollectionDone(s);
  }
  void Event(nlohmann::json event) {
    if (log_ != nullptr) log_->Write(std::move(event));
  }

 private:
  ProgressSink* inner_;
  EventLog* log_;
  std::map<std::string, double> last_logged_;
};

// Serialises every call into another sink (the lanes of a rebuild report from their threads).
class SynchronizedSink : public ProgressSink {
 public:
  explicit SynchronizedSink(ProgressSink* inner) : inner_(inner) {}
  void OnPhase(std::string_view collection, RebuildPhase phase, std::string_view detail) override {
    std::lock_guard<std::mutex> guard(mu_);
    inner_->OnPhase(collection, phase, detail);
  }
  void OnProgress(std::string_view collection, uint64_t rows, uint64_t estimated_rows,
                  double elapsed_seconds) override {
    std::lock_guard<std::mutex> guard(mu_);
    inner_->OnProgress(collection, rows, estimated_rows, elapsed_seconds);
  }
  void OnCollectionDone(const CollectionSummary& s) override {
    std::lock_guard<std::mutex> guard(mu_);
    inner_->OnCollectionDone(s);
  }

 private:
  std::mutex mu_;
  ProgressSink* inner_;
};

RebuildOutcome Failed(RebuildOutcome& outcome, Status status, FailureKind kind) {
  outcome.status = std::move(status);
  outcome.failure = kind;
  return std::move(outcome);
}

// Opens the log named by `path` (nullptr when empty).
Result<std::unique_ptr<EventLog>> MaybeOpenLog(const std::filesystem::path& path) {
  if (path.empty()) return std::unique_ptr<EventLog>();
  return EventLog::Open(path);
}

// A built (renamed, unpublished) generation, removed again unless it gets published.
struct PendingGeneration {
  std::string collection;
  uint64_t id = 0;
  bool published = false;
};

// Removes every unpublished pending generation (best effort; they are not in use: nothing but
// this rebuild knows them, and it has closed them).
void DiscardUnpublished(const index::IndexDir& dir, std::vector<PendingGeneration>& pending,
                        LoggingSink& sink) {
  for (PendingGeneration& p : pending) {
    if (p.published) continue;
    Status s = dir.RemoveGeneration(p.collection, p.id);
    sink.Event({{"event", "discard"},
                {"collection", p.collection},
                {"generation", index::GenerationDirName(p.id)},
                {"result", s.ok() ? "removed" : s.ToString()}});
  }
  pending.clear();
}

// Keeps `live` and the `keep` newest generations older than it; removes the rest when unused.
std::vector<std::string> ApplyRetention(const index::IndexDir& dir, const std::string& collection,
                                        uint64_t live, int keep, LoggingSink& sink) {
  std::vector<std::string> removed;
  Result<std::vector<uint64_t>> gens = dir.ListGenerations(collection);
  if (!gens.ok()) return removed;
  std::vector<uint64_t> older;
  for (uint64_t id : *gens) {
    if (id < live) older.push_back(id);
  }
  std::sort(older.rbegin(), older.rend());
  for (size_t i = static_cast<size_t>(std::max(keep, 0)); i < older.size(); ++i) {
    Status s = dir.RemoveGeneration(collection, older[i]);
    if (s.ok()) {
      removed.push_back(index::GenerationDirName(older[i]));
    } else {
      sink.Event({{"event", "retention_skipped"},
                  {"collection", collection},
                  {"generation", index::GenerationDirName(older[i])},
                  {"reason", s.ToString()}});
    }
  }
  return removed;
}

}  // namespace

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone: return "none";
    case FailureKind::kUsage: return "usage";
    case FailureKind::kLockHeld: return "lock_held";
    case FailureKind::kSourceUnreachable: return "source_unreachable";
    case FailureKind::kSourceFailed: return "source_failed";
    case FailureKind::kValidationRefused: return "validation_refused";
    case FailureKind::kSwapFailed: return "swap_failed";
    case FailureKind::kIndexWriteFailed: return "index_write_failed";
    case FailureKind::kInternal: return "internal";
  }
  return "internal";
}

int ExitCodeFor(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone: return 0;
    case FailureKind::kInternal: return 1;
    case FailureKind::kUsage: return 2;
    case FailureKind::kLockHeld: return 3;
    case FailureKind::kSourceUnreachable: return 4;
    case FailureKind::kSourceFailed: return 5;
    case FailureKind::kValidationRefused: return 6;
    case FailureKind::kSwapFailed: return 7;
    case FailureKind::kIndexWriteFailed: return 8;
  }
  return 1;
}

std::string_view RebuildPhaseName(RebuildPhase phase) {
  switch (phase) {
    case RebuildPhase::kLock: return "lock";
    case RebuildPhase::kConnect: return "connect";
    case RebuildPhase::kStream: return "stream";
    case RebuildPhase::kFinish: return "finish";
    case RebuildPhase::kValidate: return "validate";
    case RebuildPhase::kPublish: return "publish";
    case RebuildPhase::kCleanup: return "cleanup";
    case RebuildPhase::kRollback: return "rollback";
    case RebuildPhase::kDone: return "done";
    case RebuildPhase::kFailed: return "failed";
  }
  return "unknown";
}

Result<std::vector<std::string>> CollectionsForService(std::string_view service) {
  // The runbook's order.
  if (service == "all") return std::vector<std::string>{"posts", "products", "courses", "suppliers"};
  if (service == "community") return std::vector<std::string>{"posts"};
  if (service == "marketplace") return std::vector<std::string>{"products", "suppliers"};
  if (service == "academy") return std::vector<std::string>{"courses"};
  return Status::InvalidArgument("unknown service '" + std::string(service) +
                                 "' (expected all, community, marketplace or academy)");
}

RebuildOutcome RunRebuild(const RebuildOptions& options, ProgressSink* progress) {
  const Clock::time_point start = Clock::now();
  RebuildOutcome outcome;

  Result<std::unique_ptr<EventLog>> log = MaybeOpenLog(options.log_path);
  if (!log.ok()) return Failed(outcome, log.status(), FailureKind::kUsage);
  LoggingSink sink(progress, log->get());
  auto fail = [&](Status status, FailureKind kind) {
    sink.Event({{"event", "rebuild_failed"},
                {"failure", FailureKindName(kind)},
                {"exit_code", ExitCodeFor(kind)},
                {"error", status.ToString()},
                {"elapsed_s", SecondsSince(start)}});
    outcome.summary.seconds = SecondsSince(start);
    outcome.summary.peak_rss_bytes = PeakRssBytes();
    return Failed(outcome, std::move(status), kind);
  };

  // --- Options and schemas -------------------------------------------------------------------
  if (options.index_dir.empty()) {
    return fail(Status::InvalidArgument("no index directory (--index-dir)"), FailureKind::kUsage);
  }
  if (!(options.min_ratio >= 0.0 && options.min_ratio <= 1.0)) {
    return fail(Status::InvalidArgument("--min-ratio must be within [0, 1]"), FailureKind::kUsage);
  }
  if (options.keep_generations < 0) {
    return fail(Status::InvalidArgument("--keep must be >= 0"), FailureKind::kUsage);
  }
  if (options.memory_budget_bytes < (16ull << 20)) {
    return fail(Status::InvalidArgument("--memory-budget must be at least 16MiB"),
                FailureKind::kUsage);
  }
  Result<std::vector<index::CollectionSchema>> all_schemas = index::LoadSchemaDir(options.schema_dir);
  if (!all_schemas.ok()) return fail(all_schemas.status(), FailureKind::kUsage);
  std::vector<index::CollectionSchema> schemas;
  if (options.collections.empty()) {
    schemas = *all_schemas;
  } else {
    std::set<std::string> seen;
    for (const std::string& name : options.collections) {
      if (!seen.insert(name).second) continue;
      auto it = std::find_if(all_schemas->begin(), all_schemas->end(),
                             [&](const index::CollectionSchema& s) { return s.name == name; });
      if (it == all_schemas->end()) {
        return fail(Status::InvalidArgument("unknown collection '" + name + "': no schema in " +
                                            options.schema_dir.string()),
                    FailureKind::kUsage);
      }
      schemas.push_back(*it);
    }
  }
  if (schemas.empty()) {
    return fail(Status::InvalidArgument("no collection schemas in " + options.schema_dir.string()),
                FailureKind::kUsage);
  }
  std::vector<std::string> names;
  for (const auto& s : schemas) names.push_back(s.name);
  sink.Event({{"event", "rebuild_start"},
              {"collections", names},
              {"index_dir", options.index_dir.string()},
              {"force", options.force},
              {"min_ratio", options.min_ratio},
              {"memory_budget_bytes", options.memory_budget_bytes},
              {"keep", options.keep_generations}});

  // --- Locks (all collections, sorted: two multi-collection rebuilds cannot deadlock, and
  // neither waits) --------------------------------------------------------------------------------
  const index::IndexDir dir(options.index_dir);
  std::vector<index::CollectionSchema> sorted = schemas;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<RebuildLock> locks;
  for (const auto& schema : sorted) {
    sink.OnPhase(schema.name, RebuildPhase::kLock, "");
    Result<RebuildLock> lock = RebuildLock::Acquire(dir.CollectionPath(schema.name), schema.name);
    if (!lock.ok()) {
      return fail(lock.status(), lock.status().code() == StatusCode::kAlreadyExists
                                     ? FailureKind::kLockHeld
                                     : FailureKind::kIndexWriteFailed);
    }
    locks.push_back(std::move(lock).value());
    Result<int> stale = dir.RemoveStaleTempDirs(schema.name);
    if (stale.ok() && *stale > 0) {
      sink.Event({{"event", "stale_temp_dirs_removed"}, {"collection", schema.name}, {"count", *stale}});
    }
  }

  // --- Snapshot ------------------------------------------------------------------------------
  sink.OnPhase("", RebuildPhase::kConnect, "");
  PgSnapshot::Options pg_options;
  pg_options.database_url = options.database_url;
  pg_options.statement_timeout = options.statement_timeout;
  pg_options.connect_timeout = options.connect_timeout;
  pg_options.application_name = options.application_name;
  Result<std::unique_ptr<PgSnapshot>> snapshot = PgSnapshot::Open(pg_options);
  if (!snapshot.ok()) {
    return fail(snapshot.status(), snapshot.status().code() == StatusCode::kInvalidArgument
                                       ? FailureKind::kUsage
                                       : FailureKind::kSourceUnreachable);
  }

  // --- Build every collection inside the one snapshot -----------------------------------------
  // The collections are split into up to two lanes (balanced by the planner's row estimates)
  // that stream at the same time, each on its own connection; the second connection imports the
  // first one's exported snapshot, so every collection still reads the same instant. Within a
  // lane, collection i's Finish (last segment, files, checksums, rename) runs on its own thread
  // while collection i + 1 streams.
  std::vector<std::vector<size_t>> lanes(1);
  // The memory budget is shared by the lanes in proportion to their estimated rows.
  std::vector<uint64_t> lane_budget(1, options.memory_budget_bytes);
  if (schemas.size() >= 2 && options.threads != 1) {
    std::vector<std::pair<uint64_t, size_t>> sized;  // (estimate, schema index)
    for (size_t i = 0; i < schemas.size(); ++i) {
      Result<uint64_t> estimate = (*snapshot)->EstimateRows(schemas[i].source);
      sized.emplace_back(estimate.ok() ? *estimate : 0, i);
    }
    std::stable_sort(sized.begin(), sized.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    lanes.assign(2, {});
    uint64_t load[2] = {0, 0};
    for (const auto& [rows, i] : sized) {
      const int lane = load[0] <= load[1] ? 0 : 1;
      lanes[lane].push_back(i);
      load[lane] += std::max<uint64_t>(rows, 1);
    }
    for (auto& lane : lanes) std::sort(lane.begin(), lane.end());  // schema order within a lane
    const double total = static_cast<double>(load[0] + load[1]);
    lane_budget.assign(2, 0);
    for (int lane = 0; lane < 2; ++lane) {
      lane_budget[lane] = std::max<uint64_t>(
          16ull << 20, static_cast<uint64_t>(static_cast<double>(options.memory_budget_bytes) *
                                             (static_cast<double>(load[lane]) / total)));
    }
  } else {
    for (size_t i = 0; i < schemas.size(); ++i) lanes[0].push_back(i);
  }
  std::vector<std::unique_ptr<PgSnapshot>> snapshots;
  snapshots.push_back(std::move(snapshot).value());
  if (lanes.size() > 1) {
    Result<std::string> exported = snapshots[0]->ExportSnapshot();
    Result<std::unique_ptr<PgSnapshot>> second =
        exported.ok() ? [&] {
          PgSnapshot::Options imported = pg_options;
          imported.import_snapshot = *exported;
          return PgSnapshot::Open(imported);
        }()
                      : Result<std::unique_ptr<PgSnapshot>>(exported.status());
    if (!second.ok()) {
      return fail(second.status().WithContext("opening a second connection on the snapshot"),
                  FailureKind::kSourceUnreachable);
    }
    snapshots.push_back(std::move(second).value());
  }

  std::vector<PendingGeneration> pending;
  std::vector<BuildResult> built;
  BuildOptions build_options;
  build_options.memory_budget_bytes = options.memory_budget_bytes;
  build_options.threads = options.threads;
  build_options.pause_after_rows = options.pause_after_rows;
  build_options.on_pause = options.on_pause;
  // Lanes report progress from their own threads: serialise the calls into the sink.
  SynchronizedSink lane_sink(&sink);
  std::vector<std::optional<BuildOutcome>> outcomes(schemas.size());
  std::atomic<bool> lane_failed{false};
  auto run_lane = [&](PgSnapshot& lane_snapshot, const std::vector<size_t>& indices, uint64_t budget) {
    BuildOptions lane_options = build_options;
    lane_options.memory_budget_bytes = budget;
    std::vector<std::pair<size_t, std::future<BuildOutcome>>> finishing;
    for (size_t i : indices) {
      if (lane_failed.load()) break;
      const index::CollectionSchema& schema = schemas[i];
      lane_sink.OnPhase(schema.name, RebuildPhase::kStream, schema.source.table);
      StreamedCollection streamed = StreamCollection(schema, dir, lane_snapshot, lane_options, lane_sink);
      if (!streamed.outcome.status.ok()) {
        lane_failed.store(true);
        outcomes[i] = std::move(streamed.outcome);
        break;
      }
      finishing.emplace_back(i, std::async(std::launch::async, [&schema, s = std::move(streamed)]() mutable {
                               return FinishCollection(schema, std::move(s));
                             }));
    }
    for (auto& [i, f] : finishing) {
      outcomes[i] = f.get();
      if (!outcomes[i]->status.ok()) lane_failed.store(true);
    }
  };
  {
    std::thread second_lane;
    if (lanes.size() > 1) {
      second_lane = std::thread([&] {
        try {
          run_lane(*snapshots[1], lanes[1], lane_budget[1]);
        } catch (const std::exception& e) {
          lane_failed.store(true);
          outcomes[lanes[1].front()] =
              BuildOutcome{Status::Internal(std::string("lane: ") + e.what()), FailureKind::kInternal, {}};
        }
      });
    }
    try {
      run_lane(*snapshots[0], lanes[0], lane_budget[0]);
    } catch (const std::exception& e) {
      lane_failed.store(true);
      outcomes[lanes[0].front()] =
          BuildOutcome{Status::Internal(std::string("lane: ") + e.what()), FailureKind::kInternal, {}};
    }
    if (second_lane.joinable()) second_lane.join();
  }
  Status snapshot_end;
  for (auto& snap : snapshots) {
    if (!lane_failed.load()) {
      Status s = snap->Finish();
      if (snapshot_end.ok()) snapshot_end = s;
    }
    snap.reset();
  }
  BuildOutcome first_failure;
  for (size_t i = 0; i < schemas.size(); ++i) {
    if (!outcomes[i].has_value()) continue;
    BuildOutcome& b = *outcomes[i];
    if (b.status.ok()) {
      pending.push_back({schemas[i].name, b.result.info.id, false});
      for (const std::string& w : b.result.first_warnings) {
        sink.Event({{"event", "row_warning"}, {"collection", schemas[i].name}, {"warning", w}});
      }
      built.push_back(std::move(b.result));
    } else if (first_failure.status.ok()) {
      first_failure = std::move(b);
    }
  }
  if (!first_failure.status.ok()) {
    DiscardUnpublished(dir, pending, sink);
    return fail(first_failure.status, first_failure.failure);
  }
  if (built.size() != schemas.size()) {
    DiscardUnpublished(dir, pending, sink);
    return fail(Status::Internal("a collection was neither built nor failed"), FailureKind::kInternal);
  }
  if (!snapshot_end.ok()) {
    DiscardUnpublished(dir, pending, sink);
    return fail(snapshot_end, FailureKind::kSourceFailed);
  }

  // --- Validate all before publishing any ----------------------------------------------------
  std::vector<CollectionSummary> summaries;
  for (size_t i = 0; i < schemas.size(); ++i) {
    const auto& schema = schemas[i];
    const BuildResult& b = built[i];
    const std::string gen_name = index::GenerationDirName(b.info.id);
    sink.OnPhase(schema.name, RebuildPhase::kValidate, gen_name);
    const Clock::time_point validate_start = Clock::now();
    CollectionSummary summary;
    summary.collection = schema.name;
    summary.generation = gen_name;
    summary.estimated_rows = b.estimated_rows;
    summary.text_bytes = b.text_bytes;
    summary.stream_seconds = b.stream_seconds;
    summary.finish_seconds = b.finish_seconds;
    Status verdict;
    {
      // Every file's checksum, streamed (the generation does not become resident here); then
      // the MANIFEST, sizes, headers and structure, mapped.
      const std::filesystem::path gen_path = dir.GenerationPath(schema.name, b.info.id);
      Status checksums = index::VerifyFileChecksums(gen_path, b.info.files);
      index::OpenOptions structure_only;
      structure_only.verify_checksums = false;
      Result<std::shared_ptr<const index::Generation>> fresh =
          checksums.ok() ? index::Generation::Open(gen_path, structure_only)
                         : Result<std::shared_ptr<const index::Generation>>(checksums);
      if (!fresh.ok()) {
        verdict = fresh.status().WithContext("re-opening the new generation");
      } else if ((*fresh)->live_doc_count() != b.rows_read) {
        verdict = Status::FailedPrecondition(
            "the new generation holds " + std::to_string((*fresh)->live_doc_count()) +
            " documents but " + std::to_string(b.rows_read) + " live rows were read");
      } else {
        summary.documents = (*fresh)->live_doc_count();
      }
    }  // the new generation is closed again here
    if (verdict.ok()) {
      Result<uint64_t> current = dir.ReadCurrent(schema.name);
      if (current.ok()) {
        summary.previous_generation = index::GenerationDirName(*current);
        index::OpenOptions quick;
        quick.verify_checksums = false;
        Result<std::shared_ptr<const index::Generation>> live =
            index::Generation::Open(dir.GenerationPath(schema.name, *current), quick);
        if (live.ok()) summary.previous_documents = (*live)->live_doc_count();
        // An unreadable live generation gives no baseline: the guard does not apply.
      }
      const double floor = options.min_ratio * static_cast<double>(summary.previous_documents);
      if (summary.previous_documents > 0 && static_cast<double>(summary.documents) < floor) {
        if (options.force) {
          sink.Event({{"event", "guard_overridden"},
                      {"collection", schema.name},
                      {"documents", summary.documents},
                      {"previous_documents", summary.previous_documents}});
        } else {
          verdict = Status::FailedPrecondition(
              "refusing to publish " + std::to_string(summary.documents) + " documents: the live " +
              summary.previous_generation + " has " + std::to_string(summary.previous_documents) +
              " and the new generation must hold at least " +
              std::to_string(static_cast<int>(options.min_ratio * 100)) +
              "% of that (a truncated table or the wrong database?); rerun with --force if this "
              "shrink is intended");
        }
      }
    }
    summary.validate_seconds = SecondsSince(validate_start);
    if (!verdict.ok()) {
      DiscardUnpublished(dir, pending, sink);
      outcome.summary.collections = std::move(summaries);
      return fail(verdict.WithContext("validation of '" + schema.name + "' (" + gen_name + ")"),
                  FailureKind::kValidationRefused);
    }
    summaries.push_back(std::move(summary));
  }

  // --- Publish, then retention ----------------------------------------------------------------
  for (size_t i = 0; i < summaries.size(); ++i) {
    CollectionSummary& summary = summaries[i];
    const uint64_t id = built[i].info.id;
    sink.OnPhase(summary.collection, RebuildPhase::kPublish, summary.generation);
    Status s = options.publish_fault ? options.publish_fault(summary.collection) : Status::Ok();
    if (s.ok()) s = dir.PublishCurrent(summary.collection, id);
    if (!s.ok()) {
      // Earlier collections of this rebuild stay published (each swap is atomic on its own).
      DiscardUnpublished(dir, pending, sink);
      outcome.summary.collections = summaries;
      return fail(s.WithContext("publishing " + summary.generation + " of '" +
                                summary.collection + "' (" + summary.previous_generation +
                                " stays live)"),
                  FailureKind::kSwapFailed);
    }
    pending[i].published = true;
    sink.OnPhase(summary.collection, RebuildPhase::kCleanup, "");
    summary.removed_generations =
        ApplyRetention(dir, summary.collection, id, options.keep_generations, sink);
    sink.OnCollectionDone(summary);
  }
  outcome.summary.collections = std::move(summaries);
  outcome.summary.seconds = SecondsSince(start);
  outcome.summary.peak_rss_bytes = PeakRssBytes();
  sink.Event({{"event", "rebuild_done"},
              {"elapsed_s", outcome.summary.seconds},
              {"peak_rss_bytes", outcome.summary.peak_rss_bytes}});
  sink.OnPhase("", RebuildPhase::kDone, "");
  return outcome;
}

RebuildOutcome RunRollback(const RollbackOptions& options, ProgressSink* progress) {
  const Clock::time_point start = Clock::now();
  RebuildOutcome outcome;
  Result<std::unique_ptr<EventLog>> log = MaybeOpenLog(options.log_path);
  if (!log.ok()) return Failed(outcome, log.status(), FailureKind::kUsage);
  LoggingSink sink(progress, log->get());
  auto fail = [&](Status status, FailureKind kind) {
    sink.Event({{"event", "rollback_failed"},
                {"failure", FailureKindName(kind)},
                {"exit_code", ExitCodeFor(kind)},
                {"error", status.ToString()}});
    outcome.summary.seconds = SecondsSince(start);
    return Failed(outcome, std::move(status), kind);
  };
  if (options.index_dir.empty()) {
    return fail(Status::InvalidArgument("no index directory (--index-dir)"), FailureKind::kUsage);
  }
  const index::IndexDir dir(options.index_dir);
  std::vector<std::string> collections = options.collections;
  if (collections.empty()) {
    Result<std::vector<std::string>> listed = dir.ListCollections();
    if (!listed.ok()) return fail(listed.status(), FailureKind::kUsage);
    collections = *listed;
  }
  std::sort(collections.begin(), collections.end());
  collections.erase(std::unique(collections.begin(), collections.end()), collections.end());
  if (collections.empty()) {
    return fail(Status::InvalidArgument("no collections under " + options.index_dir.string()),
                FailureKind::kUsage);
  }
  std::vector<RebuildLock> locks;
  struct Plan {
    std::string collection;
    uint64_t from = 0;
    uint64_t to = 0;
    uint64_t documents = 0;
    uint64_t previous_documents = 0;
  };
  std::vector<Plan> plans;
  for (const std::string& name : collections) {
    sink.OnPhase(name, RebuildPhase::kLock, "");
    Result<RebuildLock> lock = RebuildLock::Acquire(dir.CollectionPath(name), name);
    if (!lock.ok()) {
      return fail(lock.status(), lock.status().code() == StatusCode::kAlreadyExists
                                     ? FailureKind::kLockHeld
                                     : FailureKind::kSwapFailed);
    }
    locks.push_back(std::move(lock).value());
    Result<uint64_t> current = dir.ReadCurrent(name);
    if (!current.ok()) {
      return fail(current.status().WithContext("rollback of '" + name + "'"),
                  FailureKind::kValidationRefused);
    }
    Result<std::vector<uint64_t>> gens = dir.ListGenerations(name);
    if (!gens.ok()) return fail(gens.status(), FailureKind::kSwapFailed);
    Plan plan{name, *current, 0, 0, 0};
    std::string rejected;
    for (auto it = gens->rbegin(); it != gens->rend(); ++it) {
      if (*it >= *current) continue;
      Result<std::shared_ptr<const index::Generation>> g =
          index::Generation::Open(dir.GenerationPath(name, *it));
      if (g.ok()) {
        plan.to = *it;
        plan.documents = (*g)->live_doc_count();
        break;
      }
      rejected += "; " + index::GenerationDirName(*it) + ": " + g.status().ToString();
    }
    if (plan.to == 0) {
      return fail(Status::FailedPrecondition("rollback of '" + name + "': no intact generation "
                                             "older than the live " +
                                             index::GenerationDirName(*current) + rejected),
                  FailureKind::kValidationRefused);
    }
    plans.push_back(plan);
  }
  for (const Plan& plan : plans) {
    sink.OnPhase(plan.collection, RebuildPhase::kRollback,
                 index::GenerationDirName(plan.from) + " -> " + index::GenerationDirName(plan.to));
    if (Status s = dir.PublishCurrent(plan.collection, plan.to); !s.ok()) {
      return fail(s.WithContext("rollback of '" + plan.collection + "'"), FailureKind::kSwapFailed);
    }
    CollectionSummary summary;
    summary.collection = plan.collection;
    summary.generation = index::GenerationDirName(plan.to);
    summary.previous_generation = index::GenerationDirName(plan.from);
    summary.documents = plan.documents;
    sink.OnCollectionDone(summary);
    outcome.summary.collections.push_back(std::move(summary));
  }
  outcome.summary.seconds = SecondsSince(start);
  outcome.summary.peak_rss_bytes = PeakRssBytes();
  sink.Event({{"event", "rollback_done"}, {"elapsed_s", outcome.summary.seconds}});
  return outcome;
}

}  // namespace busca::indexer
