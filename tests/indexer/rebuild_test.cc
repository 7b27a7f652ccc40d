// RunRebuild / RunRollback against a real PostgreSQL (label: postgres): end to end, the
// failure cases (unreachable, killed mid-stream, statement timeout, publish failure), the
// snapshot, locks, the shrink guard, rollback and retention. Each test gets a fresh database.
#include "indexer/rebuild.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "engine/index/generation.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "indexer/pg_snapshot.h"
#include "indexer/rebuild_lock.h"
#include "tests/indexer/indexer_test_env.h"
#include "tools/seed_data/seeder.h"

namespace busca::indexer {
namespace {

using testing::ReadFileBytes;
using testing::TempDir;
using testing::TestDatabase;
using testing::TreeSnapshot;

// Posts are only live after a 2 ms sleep per row: the COPY is still running when a test
// pauses it, so terminating the backend or a statement timeout hits a query in progress.
constexpr const char* kSlowPostsLive = "\\\"deletedAt\\\" IS NULL AND pg_sleep(0.002) IS NOT NULL";

class RebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    if (db_ == nullptr) {
      GTEST_SKIP() << "BUSCA_TEST_DATABASE_URL is not set (start one with "
                      "scripts/pg-cluster.sh start); skipping PostgreSQL tests";
    }
    testing::WriteDefaultSchemas(schema_dir());
  }

  std::filesystem::path schema_dir() const { return tmp_.path() / "schemas"; }
  std::filesystem::path index_dir() const { return tmp_.path() / "index"; }
  std::filesystem::path log_path() const { return tmp_.path() / "logs/search-rebuild.log"; }

  RebuildOptions Options(std::vector<std::string> collections = {}) const {
    RebuildOptions o;
    o.database_url = db_->url();
    o.index_dir = index_dir();
    o.schema_dir = schema_dir();
    o.collections = std::move(collections);
    o.log_path = log_path();
    o.memory_budget_bytes = 64ull << 20;
    o.connect_timeout = std::chrono::seconds(5);
    return o;
  }

  RebuildOutcome Rebuild(const RebuildOptions& o) { return RunRebuild(o); }

  int64_t LiveCount(const std::string& table, const std::string& live) {
    return db_->Count("SELECT count(*) FROM " + table + " WHERE " + live);
  }

  uint64_t CurrentDocs(const std::string& collection) {
    auto g = index::Generation::OpenCurrent(index::IndexDir(index_dir()), collection);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? (*g)->live_doc_count() : 0;
  }

  // No .tmp-gen-* dir anywhere under the index.
  void ExpectNoTempDirs() {
    if (!std::filesystem::exists(index_dir())) return;
    for (const auto& e : std::filesystem::recursive_directory_iterator(index_dir())) {
      EXPECT_EQ(e.path().filename().string().rfind(".tmp-gen-", 0), std::string::npos)
          << "left behind: " << e.path();
    }
  }

  std::unique_ptr<TestDatabase> db_;
  TempDir tmp_;
};

TEST_F(RebuildTest, EndToEndDocCountsEqualLiveRows) {
  testing::InsertGeneratedRows(*db_, 3000, 1200, 40);
  RebuildOutcome out = Rebuild(Options());
  ASSERT_TRUE(out.ok()) << out.status.ToString();
  ASSERT_EQ(out.summary.collections.size(), 4u);
  const int64_t posts = LiveCount("community.\"Post\"", "\"deletedAt\" IS NULL");
  const int64_t products = LiveCount("marketplace.\"Product\"", "\"deletedAt\" IS NULL AND \"isActive\"");
  const int64_t suppliers = LiveCount("marketplace.\"Supplier\"", "\"deletedAt\" IS NULL");
  const int64_t courses = LiveCount("academy.\"Course\"", "\"deletedAt\" IS NULL AND published");
  EXPECT_EQ(posts, 2850);
  EXPECT_EQ(CurrentDocs("posts"), static_cast<uint64_t>(posts));
  EXPECT_EQ(CurrentDocs("products"), static_cast<uint64_t>(products));
  EXPECT_EQ(CurrentDocs("suppliers"), static_cast<uint64_t>(suppliers));
  EXPECT_EQ(CurrentDocs("courses"), static_cast<uint64_t>(courses));
  for (const auto& c : out.summary.collections) {
    EXPECT_EQ(c.generation, "gen-000001");
    EXPECT_EQ(c.previous_generation, "");
    EXPECT_GT(c.text_bytes, 0u) << c.collection;
  }
  // Deleted/inactive rows are not in the index; live ones are, with their stored values.
  auto g = index::Generation::OpenCurrent(index::IndexDir(index_dir()), "products");
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE((*g)->FindExternalId("prod_0000010").has_value());  // inactive
  EXPECT_FALSE((*g)->FindExternalId("prod_0000025").has_value());  // deleted
  auto addr = (*g)->FindExternalId("prod_0000007");
  ASSERT_TRUE(addr.has_value());
  auto doc = (*g)->segment(addr->segment).StoredDocument(addr->doc);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(std::get<int64_t>(doc->values[4]), 799);  // price 7.99 at scale 2
  EXPECT_EQ(std::get<std::vector<std::string>>(doc->values[3]),
            std::vector<std::string>{"supp_0000008"});
  ExpectNoTempDirs();
}

TEST_F(RebuildTest, SeededDatasetWithTheRepoSchemas) {
  // seed-data's generator (Portuguese text, ~5% non-live rows, its nasty rows) + the schema
  // files shipped in schemas/collections: each generation holds exactly the live rows.
  seed::SeedOptions seed;
  seed.database_url = db_->url();
  seed.dataset.posts = 2000;
  seed.dataset.products = 700;
  seed.dataset.suppliers = 60;
  seed.dataset.courses = 30;
  auto report = seed::SeedDatabase(seed);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  RebuildOptions o = Options();
  o.schema_dir = testing::SourceDir() / "schemas/collections";
  RebuildOutcome out = Rebuild(o);
  ASSERT_TRUE(out.ok()) << out.status.ToString();
  auto schemas = index::LoadSchemaDir(o.schema_dir);
  ASSERT_TRUE(schemas.ok());
  ASSERT_EQ(schemas->size(), 4u);
  for (const auto& schema : *schemas) {
    const int64_t live = LiveCount(schema.source.table, schema.source.live_condition);
    EXPECT_EQ(CurrentDocs(schema.name), static_cast<uint64_t>(live)) << schema.name;
    EXPECT_GT(live, 0) << schema.name;
  }
  EXPECT_EQ(CurrentDocs("posts"), 2000u);
  EXPECT_EQ(CurrentDocs("products"), 700u);
}

TEST_F(RebuildTest, NastyRowsRoundTripExactly) {
  // NULL in every nullable column, embedded tabs/newlines/CR/backslashes, emoji, control
  // characters, arrays with quotes, commas, braces, backslashes, NULL and "NULL", empty texts.
  db_->Exec(R"SQL(
    INSERT INTO marketplace."Supplier" (id, name, description, city, region, categories, verified, "updatedAt")
    VALUES ('supp_nasty1', E'Tab\there\nnew line\\back\\slash \r cr', NULL, 'São Paulo', 'SP',
            ARRAY['with "quote"', 'com, vírgula', '{braces}', E'back\\slash', NULL, 'NULL', '', '🎉 festa'],
            true, '2024-03-01 10:00:00.123'),
           ('supp_nasty2', '', E'\x01\x02\x1f control \x7f and emoji 🧀🍞 açúcar', '', '', '{}', false,
            '1999-12-31 23:59:59.999');
    INSERT INTO community."Post" (id, title, content, tags, "authorId", "createdAt", "updatedAt", "deletedAt")
    VALUES ('post_nasty', E'\\N', E'line1\nline2\tcol\\N\\\\', ARRAY[E'a\tb', E'c\nd'], 'u1',
            '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789', NULL);
    INSERT INTO marketplace."Product" (id, name, description, category, "supplierId", price, "isActive", "updatedAt")
    VALUES ('prod_nasty', E'Queijo\\minas', NULL, 'laticínios', 'supp_nasty1', 0.00, true, now()),
           ('prod_big', repeat('palavra ', 100000), repeat('pão ', 50000), 'x', 'supp_nasty2', 9999999999.99, true, now());
  )SQL");
  RebuildOutcome out = Rebuild(Options());
  ASSERT_TRUE(out.ok()) << out.status.ToString();
  index::IndexDir dir(index_dir());

  auto suppliers = index::Generation::OpenCurrent(dir, "suppliers");
  ASSERT_TRUE(suppliers.ok()) << suppliers.status().ToString();
  auto a1 = (*suppliers)->FindExternalId("supp_nasty1");
  ASSERT_TRUE(a1.has_value());
  auto s1 = (*suppliers)->segment(a1->segment).StoredDocument(a1->doc);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_EQ(std::get<std::string>(s1->values[0]), "Tab\there\nnew line\\back\\slash \r cr");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(s1->values[1]));  // NULL description
  EXPECT_EQ(std::get<std::vector<std::string>>(s1->values[4]),
            (std::vector<std::string>{"with \"quote\"", "com, vírgula", "{braces}", "back\\slash",
                                      "NULL", "", "🎉 festa"}));  // the NULL element is dropped
  EXPECT_EQ(std::get<bool>(s1->values[5]), true);
  auto a2 = (*suppliers)->FindExternalId("supp_nasty2");
  ASSERT_TRUE(a2.has_value());
  auto s2 = (*suppliers)->segment(a2->segment).StoredDocument(a2->doc);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(std::get<std::string>(s2->values[0]), "");
  EXPECT_EQ(std::get<std::string>(s2->values[1]),
            "\x01\x02\x1f control \x7f and emoji 🧀🍞 açúcar");
  EXPECT_EQ(std::get<bool>(s2->values[5]), false);

  auto posts = index::Generation::OpenCurrent(dir, "posts");
  ASSERT_TRUE(posts.ok());
  auto pa = (*posts)->FindExternalId("post_nasty");
  ASSERT_TRUE(pa.has_value());
  auto p = (*posts)->segment(pa->segment).StoredDocument(pa->doc);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::get<std::string>(p->values[0]), "\\N");  // the text \N, not NULL
  EXPECT_EQ(std::get<std::string>(p->values[1]), "line1\nline2\tcol\\N\\\\");
  EXPECT_EQ(std::get<std::vector<std::string>>(p->values[2]),
            (std::vector<std::string>{"a\tb", "c\nd"}));
  EXPECT_EQ(std::get<int64_t>(p->values[4]), 1709210096789000);  // 2024-02-29T12:34:56.789Z

  auto products = index::Generation::OpenCurrent(dir, "products");
  ASSERT_TRUE(products.ok());
  auto big = (*products)->FindExternalId("prod_big");
  ASSERT_TRUE(big.has_value());
  auto b = (*products)->segment(big->segment).StoredDocument(big->doc);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(std::get<std::string>(b->values[0]).size(), 800000u);
  EXPECT_EQ(std::get<int64_t>(b->values[4]), 999999999999);
  auto nasty = (*products)->FindExternalId("prod_nasty");
  ASSERT_TRUE(nasty.has_value());
  auto n = (*products)->segment(nasty->segment).StoredDocument(nasty->doc);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::get<std::string>(n->values[0]), "Queijo\\minas");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(n->values[1]));
  EXPECT_EQ(std::get<int64_t>(n->values[4]), 0);
}

TEST_F(RebuildTest, JsonLogHasOneEventPerPhase) {
  testing::InsertGeneratedRows(*db_, 100, 100, 5);
  RebuildOutcome out = Rebuild(Options({"posts"}));
  ASSERT_TRUE(out.ok()) << out.status.ToString();
  std::istringstream log(ReadFileBytes(log_path()));
  std::vector<std::string> phases;
  bool start = false, done = false;
  for (std::string line; std::getline(log, line);) {
    auto j = nlohmann::json::parse(line);  // every line is one JSON object
    ASSERT_TRUE(j.contains("ts"));
    if (j["event"] == "phase") phases.push_back(j["phase"]);
    start |= j["event"] == "rebuild_start";
    done |= j["event"] == "rebuild_done";
  }
  EXPECT_TRUE(start);
  EXPECT_TRUE(done);
  EXPECT_EQ(phases, (std::vector<std::string>{"lock", "connect", "stream", "finish", "validate",
                                              "publish", "cleanup", "done"}));
}

TEST_F(RebuildTest, UnreachableSourceLeavesLiveIndexUntouched) {
  testing::InsertGeneratedRows(*db_, 200, 100, 5);
  ASSERT_TRUE(Rebuild(Options()).ok());
  const auto before = TreeSnapshot(index_dir());
  RebuildOptions o = Options();
  o.database_url = "postgresql://postgres@127.0.0.1:1/nowhere";  // nothing listens on port 1
  RebuildOutcome out = Rebuild(o);
  EXPECT_EQ(out.failure, FailureKind::kSourceUnreachable) << out.status.ToString();
  EXPECT_EQ(ExitCodeFor(out.failure), 4);
  EXPECT_NE(out.status.message().find("cannot connect to PostgreSQL"), std::string::npos)
      << out.status.message();
  EXPECT_EQ(TreeSnapshot(index_dir()), before);
  // The failure is in the log too.
  EXPECT_NE(ReadFileBytes(log_path()).find("\"failure\":\"source_unreachable\""), std::string::npos);
}

TEST_F(RebuildTest, BackendTerminatedMidStream) {
  testing::InsertGeneratedRows(*db_, 1500, 100, 5);
  ASSERT_TRUE(Rebuild(Options()).ok());
  const auto before = TreeSnapshot(index_dir());
  testing::WriteDefaultSchemas(schema_dir(), kSlowPostsLive);
  RebuildOptions o = Options({"products", "posts"});  // products built first, then posts dies
  o.pause_after_rows = 300;
  bool paused = false;
  std::string seen_collection;
  o.on_pause = [&](std::string_view collection, int pid) {
    if (collection != "posts") return;
    paused = true;
    pqxx::connection c(db_->url());
    pqxx::nontransaction tx(c);
    EXPECT_TRUE(tx.exec1("SELECT pg_terminate_backend(" + std::to_string(pid) + ")")[0].as<bool>());
  };
  RebuildOutcome out = Rebuild(o);
  EXPECT_TRUE(paused);
  EXPECT_EQ(out.failure, FailureKind::kSourceFailed) << out.status.ToString();
  EXPECT_EQ(ExitCodeFor(out.failure), 5);
  EXPECT_NE(out.status.message().find("posts"), std::string::npos) << out.status.message();
  // Neither the products generation already built nor the partial posts one survives.
  EXPECT_EQ(TreeSnapshot(index_dir()), before);
  ExpectNoTempDirs();
}

TEST_F(RebuildTest, StatementTimeoutMidStream) {
  testing::InsertGeneratedRows(*db_, 1500, 10, 2);
  ASSERT_TRUE(Rebuild(Options({"posts"})).ok());
  const auto before = TreeSnapshot(index_dir());
  testing::WriteDefaultSchemas(schema_dir(), kSlowPostsLive);
  RebuildOptions o = Options({"posts"});
  o.statement_timeout = std::chrono::milliseconds(500);  // the slow COPY needs ~3 s
  RebuildOutcome out = Rebuild(o);
  EXPECT_EQ(out.failure, FailureKind::kSourceFailed) << out.status.ToString();
  EXPECT_NE(out.status.message().find("statement timeout"), std::string::npos)
      << out.status.message();
  EXPECT_EQ(out.status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(TreeSnapshot(index_dir()), before);
  ExpectNoTempDirs();
}

TEST_F(RebuildTest, BadSchemaColumnIsASourceFailureNamingTheColumn) {
  testing::InsertGeneratedRows(*db_, 10, 10, 2);
  testing::WriteFileBytes(schema_dir() / "posts.json", R"({"name": "posts",
   "source": {"table": "community.\"Post\"", "id_column": "id", "live_condition": "true"},
   "fields": [{"name": "title", "column": "titel", "type": "text"}]})");
  RebuildOutcome out = Rebuild(Options({"posts"}));
  EXPECT_EQ(out.failure, FailureKind::kSourceFailed);
  EXPECT_NE(out.status.message().find("titel"), std::string::npos) << out.status.message();
  ExpectNoTempDirs();
}

TEST_F(RebuildTest, UnknownCollectionIsAUsageError) {
  RebuildOutcome out = Rebuild(Options({"nope"}));
  EXPECT_EQ(out.failure, FailureKind::kUsage);
  EXPECT_EQ(ExitCodeFor(out.failure), 2);
  EXPECT_NE(out.status.message().find("unknown collection 'nope'"), std::string::npos);
  EXPECT_FALSE(CollectionsForService("sales").ok());
  EXPECT_EQ(*CollectionsForService("marketplace"),
            (std::vector<std::string>{"products", "suppliers"}));
}

TEST_F(RebuildTest, AllCollectionsComeFromOneSnapshot) {
  testing::InsertGeneratedRows(*db_, 600, 300, 5);
  const int64_t products_before =
      LiveCount("marketplace.\"Product\"", "\"deletedAt\" IS NULL AND \"isActive\"");
  RebuildOptions o = Options({"posts", "products"});  // posts streamed first
  o.pause_after_rows = 100;
  o.on_pause = [&](std::string_view collection, int) {
    if (collection != "posts") return;
    // Committed while the rebuild's snapshot is open: must not be seen by products.
    db_->Exec("UPDATE marketplace.\"Product\" SET \"deletedAt\" = now() WHERE id <= 'prod_0000100'");
    db_->Exec("INSERT INTO marketplace.\"Product\" (id, name, category, \"supplierId\", price, "
              "\"updatedAt\") SELECT 'prod_x' || g, 'novo', 'c', 'supp_0000001', 1, now() FROM "
              "generate_series(1, 77) g");
  };
  RebuildOutcome out = Rebuild(o);
  ASSERT_TRUE(out.ok()) << out.status.ToString();
  EXPECT_EQ(CurrentDocs("products"), static_cast<uint64_t>(products_before));
  EXPECT_NE(LiveCount("marketplace.\"Product\"", "\"deletedAt\" IS NULL AND \"isActive\""),
            products_before);
}

// RunRebuild streams collections in two lanes, the second on a connection that imports the first
// one's exported snapshot: that connection must see the exporter's instant, not its own.
TEST_F(RebuildTest, ImportedSnapshotSeesTheExportersInstant) {
  testing::InsertGeneratedRows(*db_, 50, 60, 5);
  Result<std::vector<index::CollectionSchema>> schemas = index::LoadSchemaDir(schema_dir());
  ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
  auto products = std::find_if(schemas->begin(), schemas->end(),
                               [](const index::CollectionSchema& s) { return s.name == "products"; });
  ASSERT_NE(products, schemas->end());
  const std::string live = "\"deletedAt\" IS NULL AND \"isActive\"";
  const int64_t before = LiveCount("marketplace.\"Product\"", live);

  PgSnapshot::Options po;
  po.database_url = db_->url();
  Result<std::unique_ptr<PgSnapshot>> first = PgSnapshot::Open(po);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> exported = (*first)->ExportSnapshot();
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  // Committed after the export, before the import.
  db_->Exec("UPDATE marketplace.\"Product\" SET \"deletedAt\" = now() WHERE id <= 'prod_0000020'");
  ASSERT_NE(LiveCount("marketplace.\"Product\"", live), before);

  po.import_snapshot = *exported;
  Result<std::unique_ptr<PgSnapshot>> second = PgSnapshot::Open(po);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  int64_t rows = 0;
  {
    Result<std::unique_ptr<CopyStream>> stream = (*second)->StartCopy(*products);
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    std::string line;
    while (true) {
      Result<bool> more = (*stream)->ReadLine(&line);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      ++rows;
    }
  }
  EXPECT_EQ(rows, before);
  EXPECT_TRUE((*second)->Finish().ok());
  EXPECT_TRUE((*first)->Finish().ok());

  // A snapshot id that does not exist (any more) is refused.
  Result<std::unique_ptr<PgSnapshot>> stale = PgSnapshot::Open(po);
  EXPECT_FALSE(stale.ok());
}

TEST_F(RebuildTest, SecondRebuildOfACollectionIsRefused) {
  testing::InsertGeneratedRows(*db_, 400, 50, 5);
  RebuildOptions o = Options({"posts"});
  o.pause_after_rows = 50;
  RebuildOutcome second, other, cross_process_probe;
  int child_status = -1;
  o.on_pause = [&](std::string_view, int) {
    // Same process, same collection: refused by the in-process layer.
    second = RunRebuild(Options({"posts"}));
    // Same process, another collection: not blocked.
    other = RunRebuild(Options({"courses"}));
    // Another process: refused by the file lock.
    pid_t child = ::fork();
    if (child == 0) {
      auto lock = RebuildLock::Acquire(index_dir() / "posts", "posts");
      _exit(!lock.ok() && lock.status().code() == StatusCode::kAlreadyExists ? 0 : 1);
    }
    ::waitpid(child, &child_status, 0);
  };
  RebuildOutcome first = RunRebuild(o);
  ASSERT_TRUE(first.ok()) << first.status.ToString();
  EXPECT_EQ(second.failure, FailureKind::kLockHeld) << second.status.ToString();
  EXPECT_EQ(ExitCodeFor(second.failure), 3);
  EXPECT_NE(second.status.message().find("another rebuild or rollback of collection 'posts'"),
            std::string::npos)
      << second.status.message();
  EXPECT_NE(second.status.message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.status.message();
  EXPECT_TRUE(other.ok()) << other.status.ToString();
  ASSERT_TRUE(WIFEXITED(child_status));
  EXPECT_EQ(WEXITSTATUS(child_status), 0) << "the other process got the lock";
  // Released afterwards: a new rebuild works.
  EXPECT_TRUE(RunRebuild(Options({"posts"})).ok());
}

TEST_F(RebuildTest, ShrinkGuardRefusesUnlessForced) {
  testing::InsertGeneratedRows(*db_, 1000, 10, 2);
  ASSERT_TRUE(Rebuild(Options({"posts"})).ok());
  const uint64_t live = CurrentDocs("posts");
  db_->Exec("UPDATE community.\"Post\" SET \"deletedAt\" = now() WHERE id <= 'post_0000600'");
  const auto before = TreeSnapshot(index_dir());
  RebuildOutcome refused = Rebuild(Options({"posts"}));
  EXPECT_EQ(refused.failure, FailureKind::kValidationRefused) << refused.status.ToString();
  EXPECT_EQ(ExitCodeFor(refused.failure), 6);
  EXPECT_NE(refused.status.message().find("--force"), std::string::npos);
  EXPECT_EQ(TreeSnapshot(index_dir()), before);
  EXPECT_EQ(CurrentDocs("posts"), live);

  RebuildOptions lenient = Options({"posts"});
  lenient.min_ratio = 0.3;
  RebuildOutcome accepted = Rebuild(lenient);
  ASSERT_TRUE(accepted.ok()) << accepted.status.ToString();
  EXPECT_EQ(accepted.summary.collections[0].previous_documents, live);

  db_->Exec("UPDATE community.\"Post\" SET \"deletedAt\" = now() WHERE id <= 'post_0000990'");
  EXPECT_EQ(Rebuild(Options({"posts"})).failure, FailureKind::kValidationRefused);
  RebuildOptions forced = Options({"posts"});
  forced.force = true;
  RebuildOutcome out = Rebuild(forced);
  ASSERT_TRUE(out.ok()) << out.status.ToString();
  EXPECT_EQ(CurrentDocs("posts"), static_cast<uint64_t>(LiveCount("community.\"Post\"", "\"deletedAt\" IS NULL")));
}

TEST_F(RebuildTest, PublishFailureLeavesOldGenerationLive) {
  testing::InsertGeneratedRows(*db_, 100, 10, 2);
  ASSERT_TRUE(Rebuild(Options({"posts"})).ok());
  const auto before = TreeSnapshot(index_dir());
  RebuildOptions o = Options({"posts"});
  o.publish_fault = [](std::string_view) { return Status::IOError("rename: No space left on device"); };
  RebuildOutcome out = Rebuild(o);
  EXPECT_EQ(out.failure, FailureKind::kSwapFailed);
  EXPECT_EQ(ExitCodeFor(out.failure), 7);
  EXPECT_NE(out.status.message().find("gen-000001 stays live"), std::string::npos)
      << out.status.message();
  EXPECT_EQ(TreeSnapshot(index_dir()), before);
}

TEST_F(RebuildTest, RollbackAndRetention) {
  testing::InsertGeneratedRows(*db_, 100, 10, 2);
  index::IndexDir dir(index_dir());
  RebuildOptions o = Options({"posts"});
  o.keep_generations = 2;
  for (int i = 0; i < 3; ++i) {
    db_->Exec("INSERT INTO community.\"Post\" (id, title, content, \"authorId\", \"updatedAt\") "
              "VALUES ('post_extra" + std::to_string(i) + "', 't', 'c', 'u', now())");
    ASSERT_TRUE(Rebuild(o).ok());
  }
  EXPECT_EQ(*dir.ListGenerations("posts"), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(*dir.ReadCurrent("posts"), 3u);
  {
    // A reader holding gen-1 open keeps it alive through retention.
    auto reader = index::Generation::Open(dir.GenerationPath("posts", 1));
    ASSERT_TRUE(reader.ok());
    RebuildOutcome out = Rebuild(o);  // gen-4: keep 2 older (3, 2); gen-1 is in use
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE(out.summary.collections[0].removed_generations.empty());
    EXPECT_EQ(*dir.ListGenerations("posts"), (std::vector<uint64_t>{1, 2, 3, 4}));
  }
  RebuildOutcome out = Rebuild(o);  // gen-5: gen-1 and gen-2 go
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.summary.collections[0].removed_generations,
            (std::vector<std::string>{"gen-000002", "gen-000001"}));
  EXPECT_EQ(*dir.ListGenerations("posts"), (std::vector<uint64_t>{3, 4, 5}));
  const uint64_t docs5 = CurrentDocs("posts");

  // Roll back twice, then there is nothing older.
  RollbackOptions r;
  r.index_dir = index_dir();
  r.collections = {"posts"};
  r.log_path = log_path();
  RebuildOutcome back = RunRollback(r);
  ASSERT_TRUE(back.ok()) << back.status.ToString();
  EXPECT_EQ(*dir.ReadCurrent("posts"), 4u);
  EXPECT_EQ(back.summary.collections[0].previous_generation, "gen-000005");
  EXPECT_EQ(CurrentDocs("posts"), docs5);  // gen-4 and gen-5 saw the same rows
  ASSERT_TRUE(RunRollback(r).ok());
  EXPECT_EQ(*dir.ReadCurrent("posts"), 3u);
  EXPECT_EQ(CurrentDocs("posts"), docs5 - 0);
  RebuildOutcome none = RunRollback(r);
  EXPECT_EQ(none.failure, FailureKind::kValidationRefused);
  EXPECT_NE(none.status.message().find("no intact generation older than the live gen-000003"),
            std::string::npos)
      << none.status.message();
  EXPECT_EQ(*dir.ReadCurrent("posts"), 3u);
  // A rebuild after a rollback continues the numbering; the newer generations are kept.
  ASSERT_TRUE(Rebuild(o).ok());
  EXPECT_EQ(*dir.ReadCurrent("posts"), 6u);
}

TEST_F(RebuildTest, RollbackSkipsACorruptOlderGeneration) {
  testing::InsertGeneratedRows(*db_, 50, 10, 2);
  index::IndexDir dir(index_dir());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Rebuild(Options({"posts"})).ok());
  // Corrupt gen-2: flip a byte in its largest file.
  std::filesystem::path victim;
  uintmax_t largest = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.GenerationPath("posts", 2))) {
    if (e.is_regular_file() && e.file_size() > largest) {
      largest = e.file_size();
      victim = e.path();
    }
  }
  std::string bytes = ReadFileBytes(victim);
  bytes[bytes.size() / 2] ^= 0x5a;
  testing::WriteFileBytes(victim, bytes);
  RollbackOptions r;
  r.index_dir = index_dir();
  r.collections = {"posts"};
  RebuildOutcome back = RunRollback(r);
  ASSERT_TRUE(back.ok()) << back.status.ToString();
  EXPECT_EQ(*dir.ReadCurrent("posts"), 1u);
}

}  // namespace
}  // namespace busca::indexer
