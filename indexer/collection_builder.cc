// CollectionBuilder (see collection_builder.h).
#include "indexer/collection_builder.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <malloc.h>

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

// A batch of rows on its way through the pipeline. Batches are recycled (BatchPool), so their
// line strings and prepared documents keep their buffers from one use to the next: the
// steady state allocates almost nothing.
struct Batch {
  uint64_t first_row = 0;  // 0-based index of lines[0] in the stream
  std::vector<std::string> lines;  // the first num_lines are this batch's
  size_t num_lines = 0;
  std::vector<index::PreparedDocument> docs;  // the first num_docs are this batch's
  size_t num_docs = 0;
  uint64_t text_bytes = 0;
  std::vector<std::string> warnings;
  Status status;  // first conversion/analysis error of the batch

  void Reset(uint64_t first) {
    first_row = first;
    num_lines = 0;
    num_docs = 0;
    text_bytes = 0;
    warnings.clear();
    status = Status::Ok();
  }
};

// Batches no longer in flight, for reuse. Thread-safe.
class BatchPool {
 public:
  std::unique_ptr<Batch> Get() {
    std::lock_guard<std::mutex> guard(mu_);
    if (free_.empty()) return std::make_unique<Batch>();
    std::unique_ptr<Batch> batch = std::move(free_.back());
    free_.pop_back();
    return batch;
  }
  void Put(Batch* batch) {
    std::unique_ptr<Batch> owned(batch);
    std::lock_guard<std::mutex> guard(mu_);
    free_.push_back(std::move(owned));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Batch>> free_;
};

// One analysing worker: its own Analyzer and RowConverter (neither is thread-safe).
struct Worker {
  explicit Worker(const index::CollectionSchema& schema) : converter(schema), preparer(schema) {}
  analysis::Analyzer analyzer;
  RowConverter converter;
  index::DocumentPreparer preparer;
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
  BatchPool pool;
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
      std::unique_ptr<Batch> batch = pool.Get();
      batch->Reset(rows_read);
      size_t bytes = 0;
      while (batch->num_lines < kBatchRows && bytes < kBatchBytes) {
        if (options.pause_after_rows && !paused && rows_read >= *options.pause_after_rows) {
          paused = true;
          if (options.on_pause) options.on_pause(schema.name, backend_pid);
        }
        if (batch->num_lines == batch->lines.size()) batch->lines.emplace_back();
        std::string& line = batch->lines[batch->num_lines];
        Result<bool> more = stream->ReadLine(&line);
        if (!more.ok()) {
          error.Set(more.status().WithContext("after " + std::to_string(rows_read) + " rows"),
                    FailureKind::kSourceFailed);
          fc.stop();
          return nullptr;
        }
        if (!*more) {
          end_of_stream = true;
          break;
        }
        ++batch->num_lines;
        bytes += line.size();
        ++rows_read;
      }
      const Clock::time_point now = Clock::now();
      if (now - last_progress >= std::chrono::milliseconds(100)) {
        last_progress = now;
        progress.OnProgress(schema.name, rows_read, result.estimated_rows, SecondsSince(start));
      }
      if (batch->num_lines == 0) {
        pool.Put(batch.release());
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
      for (size_t i = 0; i < batch->num_lines; ++i) {
        Status s = worker->converter.Convert(batch->lines[i], &worker->doc, &worker->warning);
        if (!s.ok()) {
          batch->status = s.WithContext("collection '" + schema.name + "', row " +
                                        std::to_string(batch->first_row + i + 1) + " of the COPY");
          break;
        }
        batch->text_bytes += worker->converter.last_text_bytes();
        if (!worker->warning.empty()) batch->warnings.push_back(worker->warning);
        if (batch->num_docs == batch->docs.size()) batch->docs.emplace_back();
        Status prepared = worker->preparer.Prepare(std::move(worker->doc), worker->analyzer,
                                                   &batch->docs[batch->num_docs]);
        worker->doc = index::Document();
        if (!prepared.ok()) {
          batch->status = prepared.WithContext("collection '" + schema.name + "'");
          break;
        }
        ++batch->num_docs;
      }
    } catch (const std::exception& e) {
      batch->status = Status::Internal(std::string("analyser: ") + e.what());
    }
    return batch;
  };

  // Returns the batch for the next stage to free: its documents are released in parallel, off
  // the serial path.
  auto invert = [&](Batch* batch) -> Batch* {
    if (batch == nullptr || error.failed()) return batch;
    if (!batch->status.ok()) {
      error.Set(batch->status, batch->status.code() == StatusCode::kInternal
                                   ? FailureKind::kInternal
                                   : FailureKind::kSourceFailed);
      return batch;
    }
    text_bytes += batch->text_bytes;
    for (std::string& w : batch->warnings) {
      ++warnings;
      if (result.first_warnings.size() < kMaxWarningsKept) {
        result.first_warnings.push_back(std::move(w));
      }
    }
    try {
      for (size_t i = 0; i < batch->num_docs; ++i) {
        Status s = writer->AddPrepared(batch->docs[i]);
        if (!s.ok()) {
          error.Set(s.WithContext("collection '" + schema.name + "'"), KindForWriterError(s));
          return batch;
        }
      }
    } catch (const std::exception& e) {
      error.Set(Status::Internal(std::string("inverter: ") + e.what()), FailureKind::kInternal);
    }
    return batch;
  };

  auto release = [&](Batch* batch) {
    if (batch != nullptr) pool.Put(batch);
  };

  try {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_pipeline(
          static_cast<size_t>(threads) * 4,
          tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order, read) &
              tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel, analyse) &
              tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::serial_in_order, invert) &
              tbb::make_filter<Batch*, void>(tbb::filter_mode::parallel, release));
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
#ifdef __GLIBC__
  malloc_trim(0);  // return the writer's memory before the next collection or the validation
#endif
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
