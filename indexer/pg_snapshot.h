// PgSnapshot: a PostgreSQL connection holding one REPEATABLE READ READ ONLY transaction, from
// which collections are streamed with COPY (SELECT id, columns... WHERE live) TO STDOUT.
//
// Every collection of a rebuild is read inside this transaction (or one that imported its
// snapshot, below), so all of them reflect the same snapshot. Rows are read one raw COPY text line at a time (CopyStream::ReadLine) and
// decoded by CopyTextDecoder: never a whole table in memory, and no libpqxx field conversion
// (6.4.5 crashes on NULL into optional<string>).
//
// Why COPY through pqxx::stream_from: libpqxx 6.4.5 builds its statement as
// "COPY " + table_name + " TO STDOUT" without quoting the name, so a parenthesised query in
// the table-name slot runs COPY (query) TO STDOUT; get_raw_line() returns each line as the
// server sent it (no per-field parsing). COPY is the fastest way out of PostgreSQL (one
// CopyData message per row, no per-row protocol round trips, no result-set materialisation),
// about twice as fast as a server-side cursor fetched in batches. The end-to-end tests pin this
// behaviour (a libpqxx that quoted the name would fail them loudly, not silently).
//
// Several connections can share the snapshot, so that collections stream in parallel and still
// see the same instant: ExportSnapshot() on the first (pg_export_snapshot()), then Open() of the
// others with Options::import_snapshot (SET TRANSACTION SNAPSHOT as the first statement of their
// transaction), while the exporting transaction is still open.
//
// Not thread-safe: one thread drives a snapshot (distinct PgSnapshots may be used by distinct
// threads). Errors: kUnavailable for connection problems,
// kInvalidArgument for SQL the server rejects (bad table/column/live_condition in a schema),
// kDeadlineExceeded for statement_timeout; every message carries the server's text.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/index/schema.h"
#include "engine/util/status.h"

namespace busca::indexer {

class CopyStream;

class PgSnapshot {
 public:
  struct Options {
    std::string database_url;
    std::chrono::milliseconds statement_timeout{0};  // 0 = server default
    std::chrono::seconds connect_timeout{10};        // added unless the URL sets connect_timeout
    std::string application_name = "busca-rebuild";
    // Non-empty: adopt this exported snapshot (see ExportSnapshot) instead of taking a new one.
    std::string import_snapshot;
  };

  // Connects, sets TimeZone=UTC and DateStyle=ISO, and begins the snapshot transaction.
  static Result<std::unique_ptr<PgSnapshot>> Open(const Options& options);
  ~PgSnapshot();
  PgSnapshot(const PgSnapshot&) = delete;
  PgSnapshot& operator=(const PgSnapshot&) = delete;

  int backend_pid() const;

  // pg_export_snapshot(): an id other connections pass as Options::import_snapshot to read the
  // very same snapshot. Valid while this transaction is open.
  Result<std::string> ExportSnapshot();

  // The planner's row estimate of the source table (pg_class.reltuples; 0 when never analysed).
  Result<uint64_t> EstimateRows(const index::SourceSpec& source);

  // SELECT <id>, <field columns...> FROM <table> WHERE (<live_condition>): the COPY query.
  // Column i + 1 of each line is schema.fields[i]'s column; column 0 is the id.
  static std::string SelectQuery(const index::CollectionSchema& schema);

  // Starts COPY (SelectQuery(schema)) TO STDOUT. Only one stream may be open at a time; it must
  // be read to the end (or destroyed) before the next call.
  Result<std::unique_ptr<CopyStream>> StartCopy(const index::CollectionSchema& schema);

  // Ends the transaction. A failure here means the snapshot did not complete cleanly.
  Status Finish();

 private:
  struct Impl;
  explicit PgSnapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class CopyStream;
};

class CopyStream {
 public:
  ~CopyStream();
  CopyStream(const CopyStream&) = delete;
  CopyStream& operator=(const CopyStream&) = delete;

  // Reads the next raw COPY line (without the newline) into *line. Returns false at the end.
  Result<bool> ReadLine(std::string* line);

 private:
  struct Impl;
  explicit CopyStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class PgSnapshot;
};

// Maps a libpqxx / std exception caught while talking to PostgreSQL to a Status (see above).
Status StatusFromPgException(const std::exception& e, std::string_view context);

}  // namespace busca::indexer
