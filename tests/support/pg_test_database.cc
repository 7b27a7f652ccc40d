// PgTestDatabase over libpqxx 6.4 (exceptions converted to Status here, at the boundary).
#include "tests/support/pg_test_database.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <utility>

namespace busca::testing {
namespace {

std::string QuoteIdent(const std::string& name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

Status RunSql(const std::string& url, const std::string& sql) {
  try {
    pqxx::connection conn(url);
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
    return Status::Ok();
  } catch (const pqxx::broken_connection& e) {
    return Status::Unavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
  } catch (const std::exception& e) {
    return Status::FailedPrecondition(e.what());
  }
}

}  // namespace

std::optional<std::string> TestDatabaseUrlFromEnv() {
  const char* url = std::getenv("BUSCA_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + database;  // key=value form: last wins
  const size_t authority = scheme + 3;
  const size_t query = url.find('?', authority);
  const size_t slash = url.find('/', authority);
  const size_t path_start =
      (slash != std::string::npos && (query == std::string::npos || slash < query)) ? slash : query;
  std::string out = url.substr(0, path_start == std::string::npos ? url.size() : path_start);
  out += "/" + database;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

std::string SourceSchemaPath() {
  const char* dir = std::getenv("BUSCA_SOURCE_DIR");
  const std::string root = dir != nullptr && *dir != '\0' ? dir : BUSCA_TEST_SOURCE_DIR;
  return root + "/schemas/sql/source_schema.sql";
}

Result<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create(const std::string& admin_url,
                                                               std::string_view tag,
                                                               bool apply_schema) {
  static std::atomic<int> counter{0};
  std::string clean;
  for (char c : tag) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      clean += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!clean.empty() && clean.back() != '_')
      clean += '_';
  }
  const std::string suffix = "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const size_t room = 63 - std::string("busca_t_").size() - suffix.size();
  if (clean.size() > room) clean.resize(room);
  const std::string name = "busca_t_" + clean + suffix;

  BUSCA_RETURN_IF_ERROR(
      RunSql(admin_url, "DROP DATABASE IF EXISTS " + QuoteIdent(name) + " WITH (FORCE)"));
  Status created = RunSql(
      admin_url, "CREATE DATABASE " + QuoteIdent(name) +
                     " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
  if (!created.ok()) return created.WithContext("creating test database " + name);
  std::unique_ptr<PgTestDatabase> db(
      new PgTestDatabase(admin_url, name, WithDatabase(admin_url, name)));
  if (apply_schema) {
    const std::string path = SourceSchemaPath();
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("cannot read " + path);
    std::ostringstream ddl;
    ddl << in.rdbuf();
    BUSCA_RETURN_IF_ERROR(db->Exec("SET client_min_messages = warning; " + ddl.str())
                              .WithContext("applying " + path));
  }
  return db;
}

PgTestDatabase::~PgTestDatabase() {
  const char* keep = std::getenv("BUSCA_TEST_KEEP_DATABASES");
  if (keep != nullptr && std::string(keep) == "1") {
    std::fprintf(stderr, "keeping test database %s (BUSCA_TEST_KEEP_DATABASES=1)\n", name_.c_str());
    return;
  }
  const Status st =
      RunSql(admin_url_, "DROP DATABASE IF EXISTS " + QuoteIdent(name_) + " WITH (FORCE)");
  if (!st.ok())
    std::fprintf(stderr, "warning: could not drop test database %s: %s\n", name_.c_str(),
                 st.ToString().c_str());
}

Status PgTestDatabase::Exec(const std::string& sql) const { return RunSql(url_, sql); }

Result<std::string> PgTestDatabase::QueryValue(const std::string& sql) const {
  try {
    pqxx::connection conn(url_);
    pqxx::nontransaction tx(conn);
    const pqxx::result r = tx.exec(sql);
    if (r.empty() || r[0].empty()) return Status::NotFound("query returned no value: " + sql);
    return r[0][0].is_null() ? std::string() : std::string(r[0][0].c_str());
  } catch (const pqxx::broken_connection& e) {
    return Status::Unavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
  } catch (const std::exception& e) {
    return Status::FailedPrecondition(e.what());
  }
}

void PostgresTest::SetUp() {
  const auto url = TestDatabaseUrlFromEnv();
  if (!url) {
    GTEST_SKIP() << "BUSCA_TEST_DATABASE_URL is not set: this test needs PostgreSQL. Run "
                    "scripts/test.sh, or "
                    "`export BUSCA_TEST_DATABASE_URL=$(scripts/pg-cluster.sh start)` first.";
  }
  admin_url_ = *url;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string tag =
      info != nullptr ? std::string(info->test_suite_name()) + "_" + info->name() : "test";
  auto db = PgTestDatabase::Create(admin_url_, tag, ApplySourceSchema());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(db).value();
}

void PostgresTest::TearDown() { db_.reset(); }

}  // namespace busca::testing
