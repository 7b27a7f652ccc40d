// Seeder: parallel chunk generation feeding one COPY stream per table.
#include "tools/seed_data/seeder.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tools/seed_data/pg_connection.h"

namespace busca::seed {
namespace {

constexpr uint64_t kTargetChunkBytes = 1 << 20;

// Generates chunks [0, chunk_count) of a table with `jobs` threads; Next() hands them out in
// order. At most `window` chunks are buffered ahead of the consumer.
class ChunkPipeline {
 public:
  ChunkPipeline(const TableGenerator& gen, uint64_t rows_per_chunk, int jobs)
      : gen_(gen),
        rows_per_chunk_(rows_per_chunk),
        chunk_count_((gen.rows() + rows_per_chunk - 1) / rows_per_chunk),
        window_(static_cast<uint64_t>(jobs) * 2 + 1) {
    for (int t = 0; t < jobs; ++t) workers_.emplace_back([this] { Work(); });
  }
  ~ChunkPipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  uint64_t chunk_count() const { return chunk_count_; }

  // Returns chunk `next_out_` (blocking until it is ready).
  std::string Next() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return ready_.count(next_out_) > 0; });
    std::string chunk = std::move(ready_[next_out_]);
    ready_.erase(next_out_);
    ++next_out_;
    cv_.notify_all();
    return chunk;
  }

 private:
  void Work() {
    while (true) {
      uint64_t k;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] {
          return stop_ || next_in_ >= chunk_count_ || next_in_ < next_out_ + window_;
        });
        if (stop_ || next_in_ >= chunk_count_) return;
        k = next_in_++;
      }
      std::string chunk;
      chunk.reserve(kTargetChunkBytes + kTargetChunkBytes / 4);
      const uint64_t begin = k * rows_per_chunk_;
      gen_.AppendRows(begin, std::min(gen_.rows(), begin + rows_per_chunk_), &chunk);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ready_.emplace(k, std::move(chunk));
      }
      cv_.notify_all();
    }
  }

  const TableGenerator& gen_;
  const uint64_t rows_per_chunk_;
  const uint64_t chunk_count_;
  const uint64_t window_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::string> ready_;
  uint64_t next_in_ = 0;
  uint64_t next_out_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Average COPY bytes per row, for chunk sizing.
uint64_t RowsPerChunk(Table t) {
  switch (t) {
    case Table::kPosts:
      return 1024;
    case Table::kProducts:
      return 3000;
    case Table::kSuppliers:
      return 2500;
    case Table::kCourses:
      return 2000;
  }
  return 1000;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read schema file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

uint64_t SeedReport::total_rows() const {
  uint64_t n = 0;
  for (const auto& t : tables) n += t.counts.total();
  return n;
}

uint64_t SeedReport::total_bytes() const {
  uint64_t n = 0;
  for (const auto& t : tables) n += t.bytes;
  return n;
}

Result<SeedReport> SeedDatabase(const SeedOptions& options, const SeedProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const DatasetOptions& ds = options.dataset;
  if (ds.products > 0 && ds.suppliers == 0) {
    return Status::InvalidArgument(
        "products need suppliers: --suppliers must be > 0 when --products > 0");
  }
  if (ds.non_live_share < 0 || ds.non_live_share > 10) {
    return Status::InvalidArgument("non-live share must be in [0, 10]");
  }
  BUSCA_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(options.database_url));
  BUSCA_ASSIGN_OR_RETURN(auto encoding, conn->QueryValue("SHOW server_encoding"));
  if (encoding.value_or("") != "UTF8") {
    return Status::FailedPrecondition("database encoding is " + encoding.value_or("?") +
                                      ", seed-data needs UTF8 (initdb -E UTF8 --locale=C.UTF-8)");
  }
  BUSCA_RETURN_IF_ERROR(
      conn->Exec("SET client_encoding = 'UTF8'; SET client_min_messages = warning"));
  BUSCA_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  if (!options.schema_file.empty()) {
    BUSCA_ASSIGN_OR_RETURN(std::string ddl, ReadFile(options.schema_file));
    Status st = conn->Exec(ddl);
    if (!st.ok()) return st.WithContext("applying " + options.schema_file);
  }
  if (!options.truncate) {
    for (Table t : kAllTables) {
      auto exists = conn->QueryValue("SELECT EXISTS (SELECT 1 FROM " +
                                     std::string(QualifiedTableName(t)) + ")");
      if (!exists.ok()) return exists.status().WithContext(std::string(QualifiedTableName(t)));
      if (exists->value_or("f") == "t") {
        return Status::AlreadyExists(std::string(QualifiedTableName(t)) +
                                     " already holds rows; pass --truncate to replace the data");
      }
    }
  }
  // TRUNCATE in this transaction (also when the tables are empty) lets COPY use FREEZE: rows are
  // written frozen, so the first reader (rebuild-index, a benchmark) does not pay for setting
  // hint bits on every page and no anti-wraparound vacuum follows.
  BUSCA_RETURN_IF_ERROR(conn->Exec(
      "TRUNCATE \"community\".\"Post\", \"academy\".\"Course\", \"marketplace\".\"Product\", "
      "\"marketplace\".\"Supplier\""));
  // The tables are empty now. Loading them without their secondary indexes and building those
  // afterwards (same transaction) is several times faster than maintaining them row by row.
  // Constraint indexes (primary keys) stay: the foreign key needs Supplier's.
  BUSCA_ASSIGN_OR_RETURN(
      std::vector<std::string> deferred_indexes,
      conn->QueryColumn("SELECT format('%I.%I', i.schemaname, i.indexname) || E'\\t' || i.indexdef "
                        "FROM pg_indexes i "
                        "WHERE (i.schemaname, i.tablename) IN (('community', 'Post'), "
                        "('marketplace', 'Product'), "
                        "('marketplace', 'Supplier'), ('academy', 'Course')) "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
                        "format('%I.%I', i.schemaname, i.indexname)::regclass) ORDER BY 1"));
  for (const std::string& entry : deferred_indexes) {
    BUSCA_RETURN_IF_ERROR(conn->Exec("DROP INDEX " + entry.substr(0, entry.find('\t'))));
  }

  SeedReport report;
  for (Table t : kAllTables) {
    const auto table_start = std::chrono::steady_clock::now();
    TableGenerator gen(ds, t);
    TableReport tr{t, gen.counts(), 0, 0};
    if (gen.rows() > 0) {
      const std::string copy = "COPY " + std::string(QualifiedTableName(t)) + " " +
                               std::string(CopyColumns(t)) + " FROM STDIN WITH (FREEZE)";
      BUSCA_RETURN_IF_ERROR(conn->BeginCopy(copy));
      ChunkPipeline pipeline(gen, RowsPerChunk(t), std::max(1, options.jobs));
      for (uint64_t k = 0; k < pipeline.chunk_count(); ++k) {
        const std::string chunk = pipeline.Next();
        tr.bytes += chunk.size();
        Status st = conn->PutCopyData(chunk);
        if (!st.ok()) return st.WithContext(std::string(QualifiedTableName(t)));
        if (progress) progress(t, std::min(gen.rows(), (k + 1) * RowsPerChunk(t)), gen.rows());
      }
      auto copied = conn->EndCopy();
      if (!copied.ok())
        return copied.status().WithContext("COPY " + std::string(QualifiedTableName(t)));
      if (*copied != gen.rows()) {
        return Status::Internal("COPY " + std::string(QualifiedTableName(t)) + " stored " +
                                std::to_string(*copied) + " rows, expected " +
                                std::to_string(gen.rows()));
      }
    }
    tr.seconds = SecondsSince(table_start);
    report.tables.push_back(tr);
  }
  const auto index_start = std::chrono::steady_clock::now();
  for (const std::string& entry : deferred_indexes) {
    Status st = conn->Exec(entry.substr(entry.find('\t') + 1));
    if (!st.ok()) return st.WithContext("re-creating index " + entry.substr(0, entry.find('\t')));
  }
  report.index_seconds = SecondsSince(index_start);
  report.indexes_rebuilt = deferred_indexes.size();
  BUSCA_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  BUSCA_RETURN_IF_ERROR(
      conn->Exec("ANALYZE \"marketplace\".\"Supplier\", \"marketplace\".\"Product\", "
                 "\"community\".\"Post\", \"academy\".\"Course\""));
  report.total_seconds = SecondsSince(start);
  return report;
}

}  // namespace busca::seed
