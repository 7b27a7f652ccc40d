// PgConnection: a minimal RAII wrapper over one libpq connection, for seed-data's bulk load.
//
// seed-data needs exactly three things from PostgreSQL: run SQL scripts (the schema file, BEGIN,
// TRUNCATE, ANALYZE), read a few scalar values, and stream COPY ... FROM STDIN data in large
// chunks. libpq's PQputCopyData does the last with no per-row overhead, which libpqxx 6.4 does
// not expose publicly (stream_to::write_raw_line is private there). Errors come back as Status
// with the server's message. Not thread-safe: one connection, one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

struct pg_conn;

namespace busca::seed {

class PgConnection {
 public:
  // Connects to `url` (a postgresql:// URL or a libpq keyword string).
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one or more statements (simple query protocol).
  Status Exec(const std::string& sql);
  // Runs a query that returns one row with one column; nullopt for SQL NULL.
  Result<std::optional<std::string>> QueryValue(const std::string& sql);

  // Runs a query and returns its first column, one string per row (NULL -> "").
  Result<std::vector<std::string>> QueryColumn(const std::string& sql);

  // COPY: BeginCopy("COPY t (...) FROM STDIN"), PutCopyData(chunk)..., EndCopy() -> rows copied.
  Status BeginCopy(const std::string& copy_sql);
  Status PutCopyData(std::string_view data);
  Result<uint64_t> EndCopy();

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  std::string LastError() const;

  pg_conn* conn_;
};

}  // namespace busca::seed
