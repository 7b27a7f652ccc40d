// PgConnection over libpq.
#include "tools/seed_data/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace busca::seed {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trimmed(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url) {
  // application_name makes the session easy to find in pg_stat_activity; the URL may override it.
  const char* keywords[] = {"fallback_application_name", "dbname", nullptr};
  const char* values[] = {"seed-data", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot allocate a PostgreSQL connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL: " + message);
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

std::string PgConnection::LastError() const { return Trimmed(PQerrorMessage(conn_)); }

Status PgConnection::Exec(const std::string& sql) {
  // PQexec returns the last result of a multi-statement string; an error stops the script.
  ResultPtr r(PQexec(conn_, sql.c_str()));
  if (r == nullptr) return Status::Unavailable("PostgreSQL: " + LastError());
  const ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
    return Status::FailedPrecondition(Trimmed(PQresultErrorMessage(r.get())));
  }
  return Status::Ok();
}

Result<std::optional<std::string>> PgConnection::QueryValue(const std::string& sql) {
  ResultPtr r(PQexec(conn_, sql.c_str()));
  if (r == nullptr) return Status::Unavailable("PostgreSQL: " + LastError());
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return Status::FailedPrecondition(Trimmed(PQresultErrorMessage(r.get())));
  }
  if (PQntuples(r.get()) != 1 || PQnfields(r.get()) != 1) {
    return Status::Internal("expected one value from: " + sql);
  }
  if (PQgetisnull(r.get(), 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(PQgetvalue(r.get(), 0, 0));
}

Result<std::vector<std::string>> PgConnection::QueryColumn(const std::string& sql) {
  ResultPtr r(PQexec(conn_, sql.c_str()));
  if (r == nullptr) return Status::Unavailable("PostgreSQL: " + LastError());
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return Status::FailedPrecondition(Trimmed(PQresultErrorMessage(r.get())));
  }
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
  return out;
}

Status PgConnection::BeginCopy(const std::string& copy_sql) {
  ResultPtr r(PQexec(conn_, copy_sql.c_str()));
  if (r == nullptr) return Status::Unavailable("PostgreSQL: " + LastError());
  if (PQresultStatus(r.get()) != PGRES_COPY_IN) {
    return Status::FailedPrecondition(Trimmed(PQresultErrorMessage(r.get())));
  }
  return Status::Ok();
}

Status PgConnection::PutCopyData(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    return Status::Unavailable("COPY data could not be sent: " + LastError());
  }
  return Status::Ok();
}

Result<uint64_t> PgConnection::EndCopy() {
  if (PQputCopyEnd(conn_, nullptr) != 1)
    return Status::Unavailable("COPY end failed: " + LastError());
  Status status;
  uint64_t rows = 0;
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr r(raw);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      if (status.ok()) status = Status::FailedPrecondition(Trimmed(PQresultErrorMessage(r.get())));
    } else {
      rows = std::strtoull(PQcmdTuples(r.get()), nullptr, 10);
    }
  }
  if (!status.ok()) return status;
  return rows;
}

}  // namespace busca::seed
