// Test fixtures for tests that need PostgreSQL (label `postgres`).
//
// The server comes from env BUSCA_TEST_DATABASE_URL (scripts/test.sh starts a throwaway cluster
// with scripts/pg-cluster.sh and sets it; so does CI). When it is unset, PostgresTest skips the
// test with a message saying how to run it. Each PgTestDatabase is a fresh database with a unique
// name (CREATE DATABASE ... TEMPLATE template0, UTF8, C.UTF-8), optionally loaded with
// schemas/sql/source_schema.sql, and dropped WITH (FORCE) in the destructor, so tests never see
// each other's rows and a test server still connected to it cannot block the drop.
// Set BUSCA_TEST_KEEP_DATABASES=1 to keep the databases for debugging.
//
// PgTestDatabase is move-only, one owner; different instances may be used from different threads.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace busca::testing {

// The value of BUSCA_TEST_DATABASE_URL, if set and non-empty.
std::optional<std::string> TestDatabaseUrlFromEnv();

// `url` with its database replaced by `database` (postgresql:// URLs and key=value strings).
std::string WithDatabase(const std::string& url, const std::string& database);

// The repo's schemas/sql/source_schema.sql ($BUSCA_SOURCE_DIR, else the configured source dir).
std::string SourceSchemaPath();

class PgTestDatabase {
 public:
  // Creates a database named "busca_t_<tag>_<pid>_<n>" (tag sanitised, name <= 63 bytes) on the
  // server of `admin_url` and, when `apply_schema`, applies source_schema.sql to it.
  static Result<std::unique_ptr<PgTestDatabase>> Create(const std::string& admin_url,
                                                        std::string_view tag,
                                                        bool apply_schema = true);
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // URL of this database (same server and user as the admin URL).
  const std::string& url() const { return url_; }
  // Runs SQL (one or more statements, autocommit) in this database.
  Status Exec(const std::string& sql) const;
  // Runs a query returning one value (first column of the first row; "" for NULL).
  Result<std::string> QueryValue(const std::string& sql) const;

 private:
  PgTestDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// gtest fixture: SetUp skips without BUSCA_TEST_DATABASE_URL, else creates a fresh database with
// the source schema. Derive from it: `class MyTest : public busca::testing::PostgresTest {};`.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Whether SetUp should apply source_schema.sql (override to return false for an empty db).
  virtual bool ApplySourceSchema() const { return true; }

  const std::string& database_url() const { return db_->url(); }
  const std::string& admin_url() const { return admin_url_; }
  PgTestDatabase& db() { return *db_; }

 private:
  std::string admin_url_;
  std::unique_ptr<PgTestDatabase> db_;
};

}  // namespace busca::testing
