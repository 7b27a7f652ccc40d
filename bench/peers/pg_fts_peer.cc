// bench-pg-fts: the incumbent, PostgreSQL full-text search, set up and queried exactly as
// issue #5 defines it, for the side-by-side benchmark.
//
//   bench-pg-fts build --database-url URL [--json FILE]
//       per table: ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
//       (setweight(to_tsvector('portuguese', title), 'A') ||
//        setweight(to_tsvector('portuguese', body), 'B')) STORED, then CREATE INDEX ... USING GIN.
//       Build time = both statements over the four tables. Reports the GIN index sizes and the
//       tsvector column's size (sum of pg_column_size).
//   bench-pg-fts query --database-url URL --queries FILE [--out FILE] [--threads 1,2,8,64] ...
//       a prepared statement: plainto_tsquery('portuguese', $1) over the four tables (UNION ALL,
//       live rows only), ORDER BY ts_rank_cd DESC LIMIT $2; latency is the client's round trip.
//       One connection per thread.
//   bench-pg-fts drop --database-url URL      removes the column and indexes again.
#include <chrono>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include "bench/harness/query_driver.h"
#include "bench/peers/source_tables.h"

namespace busca::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string Str(std::string_view v) { return std::string(v); }

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string DropSql(const SourceTable& t) {
  return "DROP INDEX IF EXISTS " + Str(t.table.substr(0, t.table.find('.'))) + "." + Str(t.index_name) +
         "; ALTER TABLE " + Str(t.table) + " DROP COLUMN IF EXISTS " + Str(kTsvectorColumn);
}

std::string AddColumnSql(const SourceTable& t) {
  return "ALTER TABLE " + Str(t.table) + " ADD COLUMN " + Str(kTsvectorColumn) +
         " tsvector GENERATED ALWAYS AS (setweight(to_tsvector('portuguese', coalesce(" +
         Str(t.title_column) + ", '')), 'A') || setweight(to_tsvector('portuguese', coalesce(" +
         Str(t.body_column) + ", '')), 'B')) STORED";
}

std::string CreateIndexSql(const SourceTable& t) {
  return "CREATE INDEX " + Str(t.index_name) + " ON " + Str(t.table) + " USING GIN (" +
         Str(kTsvectorColumn) + ")";
}

std::string SearchSql() {
  std::string sql = "SELECT id FROM (";
  bool first = true;
  for (const auto& t : kSourceTables) {
    if (!first) sql += " UNION ALL ";
    first = false;
    sql += "SELECT id, ts_rank_cd(" + Str(kTsvectorColumn) + ", q) AS rank FROM " + Str(t.table) +
           ", plainto_tsquery('portuguese', $1) AS q WHERE " + Str(kTsvectorColumn) + " @@ q AND (" +
           Str(t.live_condition) + ")";
  }
  sql += ") AS hits ORDER BY rank DESC LIMIT $2";
  return sql;
}

Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    pqxx::nontransaction tx(*conn);
    // plainto_tsquery of a stopword-only query raises a NOTICE per table; keep stderr readable.
    tx.exec("SET client_min_messages TO warning");
    return conn;
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
  }
}

Status Exec(pqxx::connection& conn, const std::string& sql) {
  try {
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(e.what()) + " (SQL: " + sql + ")");
  }
}

Result<int64_t> QueryInt(pqxx::connection& conn, const std::string& sql) {
  try {
    pqxx::nontransaction tx(conn);
    auto row = tx.exec1(sql);
    return row[0].is_null() ? int64_t{0} : row[0].as<int64_t>();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(e.what()) + " (SQL: " + sql + ")");
  }
}

Status Drop(const std::string& url) {
  BUSCA_ASSIGN_OR_RETURN(auto conn, Connect(url));
  for (const auto& t : kSourceTables) BUSCA_RETURN_IF_ERROR(Exec(*conn, DropSql(t)));
  return Status::Ok();
}

Status Build(const std::string& url, const std::string& json_path) {
  BUSCA_ASSIGN_OR_RETURN(auto conn, Connect(url));
  for (const auto& t : kSourceTables) BUSCA_RETURN_IF_ERROR(Exec(*conn, DropSql(t)));
  nlohmann::json tables = nlohmann::json::array();
  double add_column_total = 0, create_index_total = 0;
  int64_t rows_total = 0, live_total = 0, gin_total = 0, tsv_total = 0, text_total = 0;
  for (const auto& t : kSourceTables) {
    auto start = Clock::now();
    BUSCA_RETURN_IF_ERROR(Exec(*conn, AddColumnSql(t)));
    const double add_column = SecondsSince(start);
    start = Clock::now();
    BUSCA_RETURN_IF_ERROR(Exec(*conn, CreateIndexSql(t)));
    const double create_index = SecondsSince(start);
    add_column_total += add_column;
    create_index_total += create_index;
    std::cerr << "postgres_fts: " << t.table << ": add column " << add_column << " s, create index "
              << create_index << " s\n";
  }
  // Statistics for the planner, as autovacuum would gather them in production (not timed).
  const auto analyze_start = Clock::now();
  for (const auto& t : kSourceTables) BUSCA_RETURN_IF_ERROR(Exec(*conn, "ANALYZE " + Str(t.table)));
  const double analyze = SecondsSince(analyze_start);
  for (const auto& t : kSourceTables) {
    const std::string schema = Str(t.table.substr(0, t.table.find('.')));
    BUSCA_ASSIGN_OR_RETURN(int64_t rows, QueryInt(*conn, "SELECT count(*) FROM " + Str(t.table)));
    BUSCA_ASSIGN_OR_RETURN(int64_t live, QueryInt(*conn, "SELECT count(*) FROM " + Str(t.table) +
                                                             " WHERE " + Str(t.live_condition)));
    BUSCA_ASSIGN_OR_RETURN(int64_t gin, QueryInt(*conn, "SELECT pg_relation_size('" + schema + "." +
                                                            Str(t.index_name) + "'::regclass)"));
    BUSCA_ASSIGN_OR_RETURN(int64_t tsv, QueryInt(*conn, "SELECT sum(pg_column_size(" +
                                                            Str(kTsvectorColumn) + ")) FROM " +
                                                            Str(t.table)));
    BUSCA_ASSIGN_OR_RETURN(int64_t text,
                           QueryInt(*conn, "SELECT sum(octet_length(coalesce(" + Str(t.title_column) +
                                               ", '')) + octet_length(coalesce(" + Str(t.body_column) +
                                               ", ''))) FROM " + Str(t.table)));
    tables.push_back({{"collection", t.collection}, {"table", t.table}, {"rows", rows},
                      {"live_rows", live}, {"gin_index_bytes", gin}, {"tsvector_bytes", tsv},
                      {"text_bytes", text}});
    rows_total += rows;
    live_total += live;
    gin_total += gin;
    tsv_total += tsv;
    text_total += text;
  }
  const double build = add_column_total + create_index_total;
  nlohmann::json out = {
      {"system", "postgres_fts"},
      {"build_seconds", build},
      {"add_column_seconds", add_column_total},
      {"create_index_seconds", create_index_total},
      {"analyze_seconds", analyze},
      {"rows", rows_total},
      {"live_rows", live_total},
      {"text_bytes", text_total},
      {"docs_per_second", build > 0 ? rows_total / build : 0},
      {"mb_per_second", build > 0 ? text_total / 1e6 / build : 0},
      {"gin_index_bytes", gin_total},
      {"tsvector_bytes", tsv_total},
      {"index_bytes", gin_total + tsv_total},
      {"tables", tables},
  };
  return WriteJson(out, json_path);
}

class PgSearcher : public Searcher {
 public:
  explicit PgSearcher(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}

  static Result<std::unique_ptr<Searcher>> Open(const std::string& url) {
    BUSCA_ASSIGN_OR_RETURN(auto conn, Connect(url));
    try {
      conn->prepare(kStatement, SearchSql());
    } catch (const std::exception& e) {
      return Status::Internal(std::string("cannot prepare the search statement: ") + e.what());
    }
    return std::unique_ptr<Searcher>(new PgSearcher(std::move(conn)));
  }

  Result<std::vector<std::string>> Search(const std::string& query, int limit) override {
    try {
      pqxx::nontransaction tx(*conn_);
      const pqxx::result r = tx.exec_prepared(kStatement, query, limit);
      std::vector<std::string> ids;
      ids.reserve(r.size());
      for (const auto& row : r) ids.push_back(row[0].c_str());
      return ids;
    } catch (const std::exception& e) {
      return Status::Internal(std::string("search failed: ") + e.what());
    }
  }

 private:
  static constexpr const char* kStatement = "bench_search";
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace
}  // namespace busca::bench

int main(int argc, char** argv) {
  using namespace busca::bench;
  CLI::App app{"PostgreSQL FTS peer of the side-by-side benchmark (issue #5)"};
  app.require_subcommand(1);
  std::string url;
  std::string build_json;
  auto* build = app.add_subcommand("build", "Add the generated tsvector columns and GIN indexes, timed");
  build->add_option("--database-url", url, "PostgreSQL URL")->required()->envname("DATABASE_URL");
  build->add_option("--json", build_json, "Summary JSON file (default: stdout)");
  auto* drop = app.add_subcommand("drop", "Remove the tsvector columns and GIN indexes");
  drop->add_option("--database-url", url, "PostgreSQL URL")->required()->envname("DATABASE_URL");
  QueryCommandOptions query_options;
  query_options.system = "postgres_fts";
  auto* query = app.add_subcommand("query", "Run a query log (round-trip latency, one connection per thread)");
  query->add_option("--database-url", url, "PostgreSQL URL")->required()->envname("DATABASE_URL");
  AddQueryCommandOptions(*query, query_options);
  CLI11_PARSE(app, argc, argv);

  busca::Status status;
  if (*build) {
    status = Build(url, build_json);
  } else if (*drop) {
    status = Drop(url);
  } else {
    status = RunQueryCommand(query_options, [&url] { return PgSearcher::Open(url); },
                             {{"search_sql", SearchSql()}});
  }
  if (!status.ok()) {
    std::cerr << "bench-pg-fts: " << status.ToString() << '\n';
    return 1;
  }
  return 0;
}
