// "Disk full" during a rebuild, for real (label: postgres): the new generation cannot be written,
// the rebuild exits with kIndexWriteFailed (exit 8), the live index stays byte-identical and no
// partial generation is left behind. Two ways to run out of space, no seam involved:
//   - a tiny tmpfs mounted as the index dir (needs root/CAP_SYS_ADMIN; skipped otherwise),
//   - RLIMIT_FSIZE (writes past the limit fail with EFBIG; SIGXFSZ ignored), which works for any
//     user. It is process-wide, which is why these tests have a binary of their own.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <csignal>

#include "engine/index/generation.h"
#include "indexer/rebuild.h"
#include "tests/indexer/indexer_test_env.h"

namespace busca::indexer {
namespace {

using testing::TempDir;
using testing::TestDatabase;
using testing::TreeSnapshot;

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "BUSCA_TEST_DATABASE_URL is not set; skipping";
    testing::WriteDefaultSchemas(tmp_.path() / "schemas");
    testing::InsertGeneratedRows(*db_, 100, 10, 2);
  }

  RebuildOptions Options(const std::filesystem::path& index_dir) const {
    RebuildOptions o;
    o.database_url = db_->url();
    o.index_dir = index_dir;
    o.schema_dir = tmp_.path() / "schemas";
    o.collections = {"posts"};
    o.log_path = tmp_.path() / "rebuild.log";
    o.memory_budget_bytes = 32ull << 20;
    return o;
  }

  // Adds enough rows that the next generation needs several MB.
  void Grow() {
    db_->Exec("INSERT INTO community.\"Post\" (id, title, content, \"authorId\", \"updatedAt\") "
              "SELECT 'post_big' || g, 'Título ' || g, (SELECT string_agg(md5((g * 1000 + i)::text), ' ') "
              "FROM generate_series(1, 30) i), 'u', now() FROM generate_series(1, 2500) g");
  }

  void ExpectUntouchedAfterFailure(const std::filesystem::path& index_dir,
                                   const std::map<std::string, std::string>& before,
                                   const RebuildOutcome& out) {
    EXPECT_EQ(out.failure, FailureKind::kIndexWriteFailed) << out.status.ToString();
    EXPECT_EQ(ExitCodeFor(out.failure), 8);
    EXPECT_EQ(TreeSnapshot(index_dir), before);
    auto live = index::Generation::OpenCurrent(index::IndexDir(index_dir), "posts");
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    EXPECT_EQ((*live)->live_doc_count(), 95u);
  }

  std::unique_ptr<TestDatabase> db_;
  TempDir tmp_;
};

TEST_F(DiskFullTest, FileSizeLimit) {
  const std::filesystem::path index_dir = tmp_.path() / "index";
  ASSERT_TRUE(RunRebuild(Options(index_dir)).ok());
  Grow();
  const auto before = TreeSnapshot(index_dir);
  struct rlimit old_limit {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 256 * 1024;  // every file of the new generation must stay below 256 KiB
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  RebuildOutcome out = RunRebuild(Options(index_dir));
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);
  ExpectUntouchedAfterFailure(index_dir, before, out);
  // With room again the same rebuild succeeds.
  RebuildOutcome again = RunRebuild(Options(index_dir));
  ASSERT_TRUE(again.ok()) << again.status.ToString();
  EXPECT_EQ(again.summary.collections[0].documents, 2595u);
}

TEST_F(DiskFullTest, TinyTmpfs) {
  const std::filesystem::path index_dir = tmp_.path() / "tmpfs-index";
  std::filesystem::create_directories(index_dir);
  if (::mount("tmpfs", index_dir.c_str(), "tmpfs", 0, "size=1m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "; needs CAP_SYS_ADMIN); FileSizeLimit covers the case";
  }
  struct Unmount {
    std::filesystem::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{index_dir};
  ASSERT_TRUE(RunRebuild(Options(index_dir)).ok());
  Grow();
  const auto before = TreeSnapshot(index_dir);
  RebuildOutcome out = RunRebuild(Options(index_dir));
  ExpectUntouchedAfterFailure(index_dir, before, out);
  EXPECT_NE(out.status.message().find("No space left on device"), std::string::npos)
      << out.status.message();
}

}  // namespace
}  // namespace busca::indexer
