// CollectionBuilder (see collection_builder.h).
#include "indexer/collection_builder.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/analysis/analyzer.h"
#include "engine/index/generation_writer.h"
#include "indexer/row_converter.h"

namespace busca::indexer {
namespace {

constexpr size_t kBatchRows = 256;
constexpr size_t kBatchBytes = 512 * 1024;
constexpr size_t kMaxWarningsKept = 20;

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Batch {
  uint64_t first_row = 0;  // 0-based index of lines[0] in the stream
  std::vector<std::string> lines;
  std::vector<index::AnalyzedDocument> docs;
  uint64_t text_bytes = 0;
  std::vector<std::string> warnings;
  Status status;  // first conversion/analysis error of the batch
};

// One analysing worker: its own Analyzer and RowConverter (neither is thread-safe).
struct Worker {
  explicit Worker(const index::CollectionSchema& schema) : converter(schema) {}
  analysis::Analyzer analyzer;
  RowConverter converter;
  index::Document doc;
  std::string warning;
};

// First error wins; later ones are dropped.
class ErrorSlot {
 public:
  void Set(Status status, FailureKind kind) {
    std::lock_guard<std::mutex> guard(mu_);
    if (failed_.load()) return;
    status_ = std::move(status);
    kind_ = kind;
    failed_.store(true);
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  Status status() const {
    std::lock_guard<std::mutex> guard(mu_);
    return status_;
  }
  FailureKind kind() const {
    std::lock_guard<std::mutex> guard(mu_);
    return kind_;
  }

 private:
  mutable std::mutex mu_;
  std::atomic<bool> failed_{false};
  Status status_;
  FailureKind kind_ = FailureKind::kNone;
};

// A writer error is an index-write failure when the OS said no (disk full, EIO), a source
// problem when the row itself was refused (e.g. a duplicate id), else internal.
FailureKind KindForWriterError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kIOError:
    case StatusCode::kResourceExhausted:
      return FailureKind::kIndexWriteFailed;
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
      return FailureKind::kSourceFailed;
    default:
      return FailureKind::kIndexWriteFailed;
  }
}

}  // namespace

StreamedCollection StreamCollection(const index::CollectionSchema& schema,
                                    const index::IndexDir& dir, PgSnapshot& snapshot,
                                    const BuildOptions& options, ProgressSink& progress) {
  StreamedCollection streamed;
  BuildOutcome& outcome = streamed.outcome;
  BuildResult& result = outcome.result;
  auto fail = [&](Status s, FailureKind kind) {
    outcome.status = std::move(s);
    outcome.failure = kind;
    streamed.writer.reset();  // removes the temp dir
    return std::move(streamed);
  };

  Result<uint64_t> estimate = snapshot.EstimateRows(schema.source);
  if (!estimate.ok()) {
    return fail(estimate.status().WithContext("collection '" + schema.name + "'"),
                FailureKind::kSourceFailed);
  }
  result.estimated_rows = *estimate;

  index::WriterOptions writer_options;
  // The writer gets most of the budget; the rest covers batches in flight and the analysers.
  writer_options.memory_budget_bytes =
      static_cast<size_t>(std::max<uint64_t>(options.memory_budget_bytes / 4 * 3, 8ull << 20));
  Result<std::unique_ptr<index::GenerationWriter>> created =
      index::GenerationWriter::Create(schema, dir, writer_options);
  if (!created.ok()) {
    return fail(created.status().WithContext("creating a generation of '" + schema.name + "'"),
                FailureKind::kIndexWriteFailed);
  }
  std::unique_ptr<index::GenerationWriter> writer = std::move(created).value();

  Result<std::unique_ptr<CopyStream>> started = snapshot.StartCopy(schema);
  if (!started.ok()) return fail(started.status(), FailureKind::kSourceFailed);
  std::unique_ptr<CopyStream> stream = std::move(started).value();

  const int threads = options.threads > 0 ? options.threads
                                          : std::max(1u, std::thread::hardware_concurrency());
  ErrorSlot error;
  tbb::enumerable_thread_specific<std::unique_ptr<Worker>> workers;
  const Clock::time_point start = Clock::now();
  Clock::time_point last_progress = start;
  uint64_t rows_read = 0;
  bool paused = false;
  bool end_of_stream = false;
  const int backend_pid = snapshot.backend_pid();
  uint64_t text_bytes = 0;
  uint64_t warnings = 0;

  auto read = [&](tbb::flow_control& fc) -> Batch* {
    if (error.failed() || end_of_stream) {
      fc.stop();
      return nullptr;
    }
    try {
      auto batch = std::make_unique<Batch>();
      batch->first_row = rows_read;
      batch->lines.reserve(kBatchRows);
      size_t bytes = 0;
      while (batch->lines.size() < kBatchRows && bytes < kBatchBytes) {
        if (options.pause_after_rows && !paused && rows_read >= *options.pause_after_rows) {
          paused = true;
          if (options.on_pause) options.on_pause(schema.name, backend_pid);
        }
        std::string& line = batch->lines.emplace_back();
        Result<bool> more = stream->ReadLine(&line);
        if (!more.ok()) {
          error.Set(more.status().WithContext("after " + std::to_string(rows_read) + " rows"),
                    FailureKind::kSourceFailed);
          fc.stop();
          return nullptr;
        }
        if (!*more) {
          batch->lines.pop_back();
          end_of_stream = true;
          break;
        }
        bytes += line.size();
        ++rows_read;
      }
      const Clock::time_point now = Clock::now();
      if (now - last_progress >= std::chrono::milliseconds(100)) {
        last_progress = now;
        progress.OnProgress(schema.name, rows_read, result.estimated_rows, SecondsSince(start));
      }
      if (batch->lines.empty()) {
        fc.stop();
        return nullptr;
      }
      return batch.release();
    } catch (const std::exception& e) {
      error.Set(Status::Internal(std::string("reader: ") + e.what()), FailureKind::kInternal);
      fc.stop();
      return nullptr;
    }
  };

  auto analyse = [&](Batch* batch) -> Batch* {
    if (batch == nullptr || error.failed()) return batch;
    try {
      std::unique_ptr<Worker>& worker = workers.local();
      if (worker == nullptr) worker = std::make_unique<Worker>(schema);
      batch->docs.reserve(batch->lines.size());
      for (size_t i = 0; i < batch->lines.size(); ++i) {
        Status s = worker->converter.Convert(batch->lines[i], &worker->doc, &worker->warning);
        if (!s.ok()) {
          batch->status = s.WithContext("collection '" + schema.name + "', row " +
                                        std::to_string(batch->first_row + i + 1) + " of the COPY");
          break;
        }
        batch->text_bytes += worker->converter.last_text_bytes();
        if (!worker->warning.empty()) batch->warnings.push_back(worker->warning);
        Result<index::AnalyzedDocument> analysed =
            index::AnalyzeDocument(schema, std::move(worker->doc), worker->analyzer);
        worker->doc = index::Document();
        if (!analysed.ok()) {
          batch->status = analysed.status().WithContext("collection '" + schema.name + "'");
          break;
        }
        batch->docs.push_back(std::move(analysed).value());
      }
      batch->lines = {};  // release the raw text early
    } catch (const std::exception& e) {
      batch->status = Status::Internal(std::string("analyser: ") + e.what());
    }
    return batch;
  };

  auto invert = [&](Batch* raw) {
    std::unique_ptr<Batch> batch(raw);
    if (batch == nullptr || error.failed()) return;
    if (!batch->status.ok()) {
      error.Set(batch->status, batch->status.code() == StatusCode::kInternal
                                   ? FailureKind::kInternal
                                   : FailureKind::kSourceFailed);
      return;
    }
    text_bytes += batch->text_bytes;
    for (std::string& w : batch->warnings) {
      ++warnings;
      if (result.first_warnings.size() < kMaxWarningsKept) {
        result.first_warnings.push_back(std::move(w));
      }
    }
    try {
      for (index::AnalyzedDocument& doc : batch->docs) {
        Status s = writer->Add(std::move(doc));
        if (!s.ok()) {
          error.Set(s.WithContext("collection '" + schema.name + "'"), KindForWriterError(s));
          return;
        }
      }
    } catch (const std::exception& e) {
      error.Set(Status::Internal(std::string("inverter: ") + e.what()), FailureKind::kInternal);
    }
  };

  try {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_pipeline(
          static_cast<size_t>(threads) * 4,
          tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order, read) &
              tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel, analyse) &
              tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, invert));
    });
  } catch (const std::exception& e) {
    error.Set(Status::Internal(std::string("pipeline: ") + e.what()), FailureKind::kInternal);
  }
  stream.reset();  // ends the COPY (or discards what is left of a failed one)
  result.rows_read = rows_read;
  result.text_bytes = text_bytes;
  result.warnings = warnings;
  result.stream_seconds = SecondsSince(start);
  progress.OnProgress(schema.name, rows_read, result.estimated_rows, result.stream_seconds);
  if (error.failed()) return fail(error.status(), error.kind());
  if (writer->docs_added() != rows_read) {
    return fail(Status::Internal("collection '" + schema.name + "': " + std::to_string(rows_read) +
                                 " rows read but " + std::to_string(writer->docs_added()) +
                                 " documents added"),
                FailureKind::kInternal);
  }

  progress.OnPhase(schema.name, RebuildPhase::kFinish,
                   std::to_string(rows_read) + " documents, " +
                       std::to_string(writer->segments_written()) +
                       " segment(s) flushed under the memory budget so far");
  streamed.writer = std::move(writer);
  return streamed;
}

BuildOutcome FinishCollection(const index::CollectionSchema& schema, StreamedCollection streamed) {
  BuildOutcome outcome = std::move(streamed.outcome);
  if (!outcome.status.ok() || streamed.writer == nullptr) return outcome;
  const Clock::time_point finish_start = Clock::now();
  Result<index::GenerationInfo> info = streamed.writer->Finish();
  outcome.result.finish_seconds = SecondsSince(finish_start);
  streamed.writer.reset();
  if (!info.ok()) {
    const FailureKind kind = KindForWriterError(info.status());
    outcome.status = info.status().WithContext("writing the new generation of '" + schema.name + "'");
    outcome.failure = kind == FailureKind::kSourceFailed ? FailureKind::kIndexWriteFailed : kind;
    return outcome;
  }
  outcome.result.info = std::move(info).value();
  return outcome;
}

BuildOutcome BuildCollection(const index::CollectionSchema& schema, const index::IndexDir& dir,
                             PgSnapshot& snapshot, const BuildOptions& options,
                             ProgressSink& progress) {
  return FinishCollection(schema, StreamCollection(schema, dir, snapshot, options, progress));
}

}  // namespace busca::indexer
