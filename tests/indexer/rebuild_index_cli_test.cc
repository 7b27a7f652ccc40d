// The rebuild-index executable (label: postgres): summary in the runbook's shape, DATABASE_URL,
// and each documented exit code as a process exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

#include "indexer/rebuild_lock.h"
#include "tests/indexer/indexer_test_env.h"

namespace busca::indexer {
namespace {

using testing::TempDir;
using testing::TestDatabase;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

class RebuildIndexCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("BUSCA_BIN_DIR");
    binary_ = std::string(bin != nullptr ? bin : "build/bin") + "/rebuild-index";
    if (!std::filesystem::exists(binary_)) GTEST_SKIP() << binary_ << " not built";
    db_ = TestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "BUSCA_TEST_DATABASE_URL is not set; skipping";
    testing::WriteDefaultSchemas(tmp_.path() / "schemas");
    testing::InsertGeneratedRows(*db_, 120, 30, 10);
  }

  CliRun Exec(const std::string& args, const std::string& env = "") {
    const std::string cmd = env + " " + Quote(binary_) + " --index-dir " +
                            Quote((tmp_.path() / "index").string()) + " --schema-dir " +
                            Quote((tmp_.path() / "schemas").string()) + " --log-file " +
                            Quote((tmp_.path() / "rebuild.log").string()) + " " + args + " 2>&1";
    CliRun run;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return run;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  std::string binary_;
  std::unique_ptr<TestDatabase> db_;
  TempDir tmp_;
};

TEST_F(RebuildIndexCliTest, SummaryInTheRunbooksShape) {
  CliRun r = Exec("--database-url " + Quote(db_->url()) + " --service all");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("✅ Rebuilt 114 posts"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("✅ Rebuilt 26 products"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("✅ Rebuilt 45 suppliers"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("✅ Rebuilt 8 courses"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Completed in "), std::string::npos) << r.output;
  // Not a terminal: plain progress lines.
  EXPECT_NE(r.output.find("rebuild-index: posts: "), std::string::npos) << r.output;
}

TEST_F(RebuildIndexCliTest, DatabaseUrlFromEnvironment) {
  CliRun r = Exec("--service community --no-progress", "DATABASE_URL=" + Quote(db_->url()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("✅ Rebuilt 114 posts"), std::string::npos) << r.output;
  CliRun none = Exec("--service community", "env -u DATABASE_URL");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("DATABASE_URL"), std::string::npos) << none.output;
}

TEST_F(RebuildIndexCliTest, ExitCodes) {
  EXPECT_EQ(Exec("--database-url x --service bogus").exit_code, 2);
  CliRun unreachable = Exec("--database-url postgresql://postgres@127.0.0.1:1/x --service academy");
  EXPECT_EQ(unreachable.exit_code, 4) << unreachable.output;
  EXPECT_NE(unreachable.output.find("source_unreachable"), std::string::npos);
  ASSERT_EQ(Exec("--database-url " + Quote(db_->url()) + " --collection courses").exit_code, 0);
  {
    auto lock = RebuildLock::Acquire(tmp_.path() / "index" / "courses", "courses");
    ASSERT_TRUE(lock.ok());
    CliRun held = Exec("--database-url " + Quote(db_->url()) + " --collection courses");
    EXPECT_EQ(held.exit_code, 3) << held.output;
    EXPECT_NE(held.output.find("another rebuild or rollback of collection 'courses'"),
              std::string::npos)
        << held.output;
  }
  CliRun rollback = Exec("--rollback --collection courses");
  EXPECT_EQ(rollback.exit_code, 6) << rollback.output;
  ASSERT_EQ(Exec("--database-url " + Quote(db_->url()) + " --collection courses").exit_code, 0);
  CliRun back = Exec("--rollback --collection courses");
  EXPECT_EQ(back.exit_code, 0) << back.output;
  EXPECT_NE(back.output.find("Rolled back courses to gen-000001"), std::string::npos)
      << back.output;
  db_->Exec("UPDATE academy.\"Course\" SET published = false");
  CliRun guard = Exec("--database-url " + Quote(db_->url()) + " --collection courses");
  EXPECT_EQ(guard.exit_code, 6) << guard.output;
  CliRun forced = Exec("--database-url " + Quote(db_->url()) + " --collection courses --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(forced.output.find("✅ Rebuilt 0 courses"), std::string::npos) << forced.output;
  // Swapped, but nobody listens at --server: exit 9.
  CliRun notify = Exec("--database-url " + Quote(db_->url()) +
                        " --collection courses --force --server 127.0.0.1:1",
                    "SEARCH_ADMIN_TOKEN=secret");
  EXPECT_EQ(notify.exit_code, 9) << notify.output;
  EXPECT_NE(notify.output.find("index swapped"), std::string::npos) << notify.output;
}

}  // namespace
}  // namespace busca::indexer
