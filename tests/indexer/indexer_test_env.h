// Helpers for the postgres-labelled indexer tests: a fresh database per test (created from
// BUSCA_TEST_DATABASE_URL, dropped at the end) loaded with schemas/sql/source_schema.sql, test
// collection schema files, temp dirs, and a byte-level snapshot of an index tree so a test can
// assert that a failed rebuild left the live index untouched.
#pragma once

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>

namespace busca::indexer::testing {

inline std::filesystem::path SourceDir() {
  const char* dir = std::getenv("BUSCA_SOURCE_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::current_path();
}

inline std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void WriteFileBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A unique temp directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("busca-indexer-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Every regular file under `root` (relative path -> bytes) and every directory (-> "<dir>").
inline std::map<std::string, std::string> TreeSnapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> tree;
  if (!std::filesystem::exists(root)) return tree;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    if (entry.is_directory()) {
      tree[rel] = "<dir>";
    } else if (entry.is_regular_file()) {
      tree[rel] = ReadFileBytes(entry.path());
    }
  }
  return tree;
}

// Replaces the database name of a postgresql:// URL.
inline std::string WithDatabase(const std::string& url, const std::string& db) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + db;  // key=value form
  const size_t slash = url.find('/', scheme + 3);
  const size_t query = url.find('?', scheme + 3);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  std::string params = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + db + params;
}

// A fresh database with the source schema. Create() returns null when BUSCA_TEST_DATABASE_URL
// is unset (the caller skips).
class TestDatabase {
 public:
  static std::unique_ptr<TestDatabase> Create() {
    const char* admin = std::getenv("BUSCA_TEST_DATABASE_URL");
    if (admin == nullptr || std::string(admin).empty()) return nullptr;
    static int counter = 0;
    std::random_device rd;
    auto db = std::unique_ptr<TestDatabase>(new TestDatabase());
    db->admin_url_ = admin;
    db->name_ = "busca_indexer_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) +
                "_" + std::to_string(rd() % 100000);
    {
      pqxx::connection c(db->admin_url_);
      pqxx::nontransaction tx(c);
      tx.exec("CREATE DATABASE " + db->name_ + " TEMPLATE template0 ENCODING 'UTF8'");
    }
    db->url_ = WithDatabase(db->admin_url_, db->name_);
    db->Exec(ReadFileBytes(SourceDir() / "schemas/sql/source_schema.sql"));
    return db;
  }
  ~TestDatabase() {
    try {
      pqxx::connection c(admin_url_);
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
              tx.quote(name_) + " AND pid <> pg_backend_pid()");
      tx.exec("DROP DATABASE IF EXISTS " + name_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping test database " << name_ << ": " << e.what();
    }
  }
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  void Exec(const std::string& sql) {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    tx.exec(sql);
  }
  int64_t Count(const std::string& sql) {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<int64_t>();
  }

 private:
  TestDatabase() = default;
  std::string admin_url_, url_, name_;
};

// Schema files of the four default collections (the decided contract), written into `dir`.
// `posts_live` replaces the posts live condition (tests use a slow one).
inline void WriteDefaultSchemas(const std::filesystem::path& dir,
                                const std::string& posts_live = "\\\"deletedAt\\\" IS NULL") {
  WriteFileBytes(dir / "posts.json", R"({"name": "posts",
 "source": {"table": "community.\"Post\"", "id_column": "id", "live_condition": ")" + posts_live + R"("},
 "fields": [
  {"name": "title", "column": "title", "type": "text", "weight": 3.0, "stored": true},
  {"name": "content", "column": "content", "type": "text", "weight": 1.0, "stored": true},
  {"name": "tags", "column": "tags", "type": "keyword", "multi": true, "stored": true},
  {"name": "author_id", "column": "authorId", "type": "keyword", "stored": true},
  {"name": "created_at", "column": "createdAt", "type": "timestamp", "stored": true},
  {"name": "updated_at", "column": "updatedAt", "type": "timestamp"}]})");
  WriteFileBytes(dir / "products.json", R"({"name": "products",
 "source": {"table": "marketplace.\"Product\"", "id_column": "id",
            "live_condition": "\"deletedAt\" IS NULL AND \"isActive\""},
 "fields": [
  {"name": "name", "column": "name", "type": "text", "weight": 3.0, "stored": true},
  {"name": "description", "column": "description", "type": "text", "weight": 1.0, "stored": true},
  {"name": "category", "column": "category", "type": "keyword", "stored": true},
  {"name": "supplier_id", "column": "supplierId", "type": "keyword", "stored": true},
  {"name": "price", "column": "price", "type": "number", "scale": 2, "stored": true},
  {"name": "created_at", "column": "createdAt", "type": "timestamp", "stored": true},
  {"name": "updated_at", "column": "updatedAt", "type": "timestamp"}]})");
  WriteFileBytes(dir / "suppliers.json", R"({"name": "suppliers",
 "source": {"table": "marketplace.\"Supplier\"", "id_column": "id", "live_condition": "\"deletedAt\" IS NULL"},
 "fields": [
  {"name": "name", "column": "name", "type": "text", "weight": 3.0, "stored": true},
  {"name": "description", "column": "description", "type": "text", "weight": 1.0, "stored": true},
  {"name": "city", "column": "city", "type": "keyword", "stored": true},
  {"name": "region", "column": "region", "type": "keyword", "stored": true},
  {"name": "categories", "column": "categories", "type": "keyword", "multi": true, "stored": true},
  {"name": "verified", "column": "verified", "type": "boolean", "stored": true},
  {"name": "created_at", "column": "createdAt", "type": "timestamp"},
  {"name": "updated_at", "column": "updatedAt", "type": "timestamp"}]})");
  WriteFileBytes(dir / "courses.json", R"({"name": "courses",
 "source": {"table": "academy.\"Course\"", "id_column": "id",
            "live_condition": "\"deletedAt\" IS NULL AND published"},
 "fields": [
  {"name": "title", "column": "title", "type": "text", "weight": 3.0, "stored": true},
  {"name": "description", "column": "description", "type": "text", "weight": 1.0, "stored": true},
  {"name": "level", "column": "level", "type": "keyword", "stored": true},
  {"name": "instructor", "column": "instructor", "type": "text", "weight": 2.0, "stored": true},
  {"name": "price", "column": "price", "type": "number", "scale": 2, "stored": true},
  {"name": "created_at", "column": "createdAt", "type": "timestamp"},
  {"name": "updated_at", "column": "updatedAt", "type": "timestamp"}]})");
}

// Inserts generated rows: `posts` posts (every 20th soft-deleted), `products` products (every
// 10th inactive, every 25th deleted), 50 suppliers (every 10th deleted), `courses` courses
// (every 5th unpublished). Text is Portuguese-looking, ~`words` words per post body.
inline void InsertGeneratedRows(TestDatabase& db, int posts, int products, int courses,
                                int words = 40) {
  db.Exec(
      "INSERT INTO marketplace.\"Supplier\" (id, name, description, city, region, categories, "
      "verified, \"updatedAt\", \"deletedAt\") SELECT 'supp_' || lpad(g::text, 7, '0'), "
      "'Fornecedor ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'Distribuidora de pães e açúcar ' "
      "|| g END, 'São Paulo', 'Sudeste', ARRAY['padaria', 'doces'], g % 2 = 0, now(), CASE WHEN "
      "g % 10 = 0 THEN now() END FROM generate_series(1, 50) g");
  db.Exec(
      "INSERT INTO community.\"Post\" (id, title, content, tags, \"authorId\", \"updatedAt\", "
      "\"deletedAt\") SELECT 'post_' || lpad(g::text, 7, '0'), 'Receita de pão de queijo ' || g, "
      "(SELECT string_agg((ARRAY['promoção','açúcar','café','vendemos','cozinheira','pães',"
      "'tomates','queijo','mineiro','receita','forno','manteiga'])[1 + (g * 7 + i * 13) % 12], "
      "' ') FROM generate_series(1, " + std::to_string(words) + ") i), ARRAY['receitas', 'tag' "
      "|| (g % 7)], 'user_' || (g % 100), now(), CASE WHEN g % 20 = 0 THEN now() END FROM "
      "generate_series(1, " + std::to_string(posts) + ") g");
  db.Exec(
      "INSERT INTO marketplace.\"Product\" (id, name, description, category, \"supplierId\", "
      "price, \"isActive\", \"updatedAt\", \"deletedAt\") SELECT 'prod_' || lpad(g::text, 7, "
      "'0'), 'Queijo minas frescal ' || g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'Queijo artesanal "
      "da Serra da Canastra' END, 'laticínios', 'supp_' || lpad((1 + g % 50)::text, 7, '0'), "
      "(g % 1000) + 0.99, g % 10 <> 0, now(), CASE WHEN g % 25 = 0 THEN now() END FROM "
      "generate_series(1, " + std::to_string(products) + ") g");
  db.Exec(
      "INSERT INTO academy.\"Course\" (id, title, description, level, instructor, price, "
      "published, \"updatedAt\") SELECT 'course_' || lpad(g::text, 7, '0'), 'Curso de "
      "panificação ' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'Aprenda a fazer pães' END, "
      "(ARRAY['iniciante','intermediario','avancado'])[1 + g % 3], 'Ana Maria', 199.90, g % 5 <> "
      "0, now() FROM generate_series(1, " + std::to_string(courses) + ") g");
}

}  // namespace busca::indexer::testing
