// PgSnapshot and CopyStream (see pg_snapshot.h).
#include "indexer/pg_snapshot.h"

#include <pqxx/pqxx>

#include <optional>
#include <string>

namespace busca::indexer {
namespace {

using SnapshotTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// "name" -> "\"name\"" with embedded quotes doubled.
std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string WithConnectParams(const std::string& url, const PgSnapshot::Options& options) {
  std::string out = url;
  const bool is_uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  auto add = [&](const std::string& key, const std::string& value) {
    if (url.find(key + "=") != std::string::npos) return;  // the URL decides
    if (is_uri) {
      out += (out.find('?') == std::string::npos ? "?" : "&");
      out += key + "=" + value;
    } else {
      out += " " + key + "='" + value + "'";
    }
  };
  if (options.connect_timeout.count() > 0) {
    add("connect_timeout", std::to_string(options.connect_timeout.count()));
  }
  if (!options.application_name.empty()) add("application_name", options.application_name);
  return out;
}

}  // namespace

Status StatusFromPgException(const std::exception& e, std::string_view context) {
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  std::string message = std::string(context) + ": " + what;
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return Status::Unavailable(message);
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql != nullptr) {
    const std::string& state = sql->sqlstate();
    if (state == "57014") return Status::DeadlineExceeded(message + " (SQLSTATE 57014)");
    if (state.rfind("42", 0) == 0 || state.rfind("22", 0) == 0) {
      return Status::InvalidArgument(message + " (SQLSTATE " + state + ")");
    }
    return Status::Unavailable(message + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
  }
  return Status::Unavailable(message);
}

struct PgSnapshot::Impl {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<SnapshotTransaction> tx;
  bool stream_open = false;
};

struct CopyStream::Impl {
  PgSnapshot::Impl* snapshot = nullptr;
  std::string collection;
  std::optional<pqxx::stream_from> stream;
  bool done = false;
};

PgSnapshot::PgSnapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PgSnapshot::~PgSnapshot() {
  if (impl_ == nullptr) return;
  try {
    impl_->tx.reset();  // aborts the transaction if still open
  } catch (...) {
  }
}

Result<std::unique_ptr<PgSnapshot>> PgSnapshot::Open(const Options& options) {
  if (options.database_url.empty()) {
    return Status::InvalidArgument("no database URL (--database-url or DATABASE_URL)");
  }
  auto impl = std::make_unique<Impl>();
  try {
    impl->conn = std::make_unique<pqxx::connection>(WithConnectParams(options.database_url, options));
  } catch (const std::exception& e) {
    Status s = StatusFromPgException(e, "cannot connect to PostgreSQL");
    return Status::Unavailable(s.message());
  }
  try {
    impl->tx = std::make_unique<SnapshotTransaction>(*impl->conn);
    if (!options.import_snapshot.empty()) {
      // Must come first in the transaction.
      impl->tx->exec("SET TRANSACTION SNAPSHOT " + impl->tx->quote(options.import_snapshot));
    }
    impl->tx->exec("SET LOCAL TimeZone = 'UTC'");
    impl->tx->exec("SET LOCAL DateStyle = 'ISO, YMD'");
    impl->tx->exec("SET LOCAL IntervalStyle = 'postgres'");
    impl->tx->exec("SET LOCAL extra_float_digits = 3");
    if (options.statement_timeout.count() > 0) {
      impl->tx->exec("SET LOCAL statement_timeout = " +
                     std::to_string(options.statement_timeout.count()));
    }
  } catch (const std::exception& e) {
    Status s = StatusFromPgException(e, "cannot open the snapshot transaction");
    return Status::Unavailable(s.message());
  }
  return std::unique_ptr<PgSnapshot>(new PgSnapshot(std::move(impl)));
}

int PgSnapshot::backend_pid() const { return impl_->conn->backendpid(); }

Result<std::string> PgSnapshot::ExportSnapshot() {
  if (impl_->stream_open) return Status::Internal("ExportSnapshot while a COPY is open");
  try {
    pqxx::result r = impl_->tx->exec("SELECT pg_export_snapshot()");
    if (r.empty() || r[0][0].is_null()) return Status::Unavailable("pg_export_snapshot() returned nothing");
    return r[0][0].as<std::string>();
  } catch (const std::exception& e) {
    return StatusFromPgException(e, "exporting the snapshot");
  }
}

Result<uint64_t> PgSnapshot::EstimateRows(const index::SourceSpec& source) {
  if (impl_->stream_open) return Status::Internal("EstimateRows while a COPY is open");
  try {
    pqxx::result r = impl_->tx->exec(
        "SELECT GREATEST(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = to_regclass(" +
        impl_->tx->quote(source.table) + ")");
    if (r.empty() || r[0][0].is_null()) {
      return Status::InvalidArgument("source table " + source.table + " does not exist");
    }
    return r[0][0].as<uint64_t>();
  } catch (const std::exception& e) {
    return StatusFromPgException(e, "estimating the rows of " + source.table);
  }
}

std::string PgSnapshot::SelectQuery(const index::CollectionSchema& schema) {
  std::string q = "SELECT " + QuoteIdentifier(schema.source.id_column);
  for (const index::FieldSpec& field : schema.fields) {
    q += ", " + QuoteIdentifier(field.column);
  }
  q += " FROM " + schema.source.table;
  if (!schema.source.live_condition.empty()) {
    q += " WHERE (" + schema.source.live_condition + ")";
  }
  return q;
}

Result<std::unique_ptr<CopyStream>> PgSnapshot::StartCopy(const index::CollectionSchema& schema) {
  if (impl_->stream_open) return Status::Internal("StartCopy while another COPY is open");
  auto stream = std::make_unique<CopyStream::Impl>();
  stream->snapshot = impl_.get();
  stream->collection = schema.name;
  try {
    // libpqxx 6.4 pastes the "table name" verbatim after COPY (see pg_snapshot.h).
    stream->stream.emplace(*impl_->tx, "(" + SelectQuery(schema) + ")");
  } catch (const std::exception& e) {
    return StatusFromPgException(e, "starting COPY of collection '" + schema.name + "' from " +
                                        schema.source.table);
  }
  impl_->stream_open = true;
  return std::unique_ptr<CopyStream>(new CopyStream(std::move(stream)));
}

Status PgSnapshot::Finish() {
  if (impl_->stream_open) return Status::Internal("Finish while a COPY is open");
  try {
    impl_->tx->commit();
    impl_->tx.reset();
  } catch (const std::exception& e) {
    return StatusFromPgException(e, "ending the snapshot transaction");
  }
  return Status::Ok();
}

CopyStream::CopyStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CopyStream::~CopyStream() {
  if (impl_ == nullptr) return;
  try {
    impl_->stream.reset();
  } catch (...) {
  }
  impl_->snapshot->stream_open = false;
}

Result<bool> CopyStream::ReadLine(std::string* line) {
  if (impl_->done) return false;
  try {
    if (impl_->stream->get_raw_line(*line)) return true;
    impl_->stream->complete();
    impl_->done = true;
    return false;
  } catch (const std::exception& e) {
    impl_->done = true;
    return StatusFromPgException(e, "reading collection '" + impl_->collection + "'");
  }
}

}  // namespace busca::indexer
