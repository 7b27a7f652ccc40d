// The index directory layout: generation names, CURRENT publishing, next ids, temp dirs, and the
// cross-process "generation in use" flock that keeps RemoveGeneration away from open generations.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "engine/index/generation.h"
#include "engine/index/index_dir.h"
#include "tests/support/index_fixtures.h"

namespace busca::index {
namespace {

using testing::ScopedTempDir;

TEST(IndexDirTest, GenerationNames) {
  EXPECT_EQ(GenerationDirName(42), "gen-000042");
  EXPECT_EQ(GenerationDirName(1234567), "gen-1234567");
  EXPECT_EQ(ParseGenerationDirName("gen-000042"), std::optional<uint64_t>(42));
  EXPECT_EQ(ParseGenerationDirName("gen-1234567"), std::optional<uint64_t>(1234567));
  EXPECT_FALSE(ParseGenerationDirName("gen-42").has_value());
  EXPECT_FALSE(ParseGenerationDirName("gen-00004x").has_value());
  EXPECT_FALSE(ParseGenerationDirName(".tmp-gen-3-99").has_value());
  EXPECT_FALSE(ParseGenerationDirName("CURRENT").has_value());
}

Result<GenerationInfo> Build(const IndexDir& dir, uint32_t docs = 20) {
  testing::RandomCorpus corpus({.num_docs = docs});
  BUSCA_ASSIGN_OR_RETURN(auto w, GenerationWriter::Create(corpus.schema(), dir));
  for (const auto& d : corpus.docs()) {
    AnalyzedDocument copy = d;
    BUSCA_RETURN_IF_ERROR(w->Add(std::move(copy)));
  }
  return w->Finish();
}

TEST(IndexDirTest, PublishAndReadCurrent) {
  ScopedTempDir tmp("indexdir");
  IndexDir dir(tmp.path());
  EXPECT_EQ(dir.ListCollections().status().code(), StatusCode::kOk);
  EXPECT_TRUE(dir.ListCollections()->empty());
  EXPECT_EQ(dir.ReadCurrent("random").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*dir.NextGenerationId("random"), 1u);
  EXPECT_EQ(dir.PublishCurrent("random", 1).code(), StatusCode::kNotFound);

  auto g1 = Build(dir);
  ASSERT_TRUE(g1.ok()) << g1.status().ToString();
  EXPECT_EQ(g1->id, 1u);
  EXPECT_EQ(*dir.NextGenerationId("random"), 2u);
  EXPECT_EQ(*dir.ListGenerations("random"), std::vector<uint64_t>{1});
  EXPECT_EQ(*dir.ListCollections(), std::vector<std::string>{"random"});
  // Not published yet.
  EXPECT_EQ(dir.ReadCurrent("random").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(dir.PublishCurrent("random", 1).ok());
  EXPECT_EQ(*dir.ReadCurrent("random"), 1u);
  std::ifstream in(dir.CollectionPath("random") / "CURRENT");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "gen-000001\n");

  auto g2 = Build(dir);
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(g2->id, 2u);
  ASSERT_TRUE(dir.PublishCurrent("random", 2).ok());
  EXPECT_EQ(*dir.ReadCurrent("random"), 2u);
  EXPECT_EQ(*dir.ListGenerations("random"), (std::vector<uint64_t>{1, 2}));
  // No temp files left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.CollectionPath("random"))) {
    std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "CURRENT" || ParseGenerationDirName(name).has_value()) << name;
  }
  // CURRENT is removed from under us / garbage / names a missing generation.
  {
    std::ofstream out(dir.CollectionPath("random") / "CURRENT", std::ios::trunc);
    out << "garbage\n";
  }
  EXPECT_EQ(dir.ReadCurrent("random").status().code(), StatusCode::kCorruption);
  {
    std::ofstream out(dir.CollectionPath("random") / "CURRENT", std::ios::trunc);
    out << "gen-000009\n";
  }
  EXPECT_EQ(dir.ReadCurrent("random").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(dir.ListGenerations("../etc").status().code(), StatusCode::kInvalidArgument);
}

TEST(IndexDirTest, TempDirsAndStaleCleanup) {
  ScopedTempDir tmp("tempdirs");
  IndexDir dir(tmp.path());
  std::filesystem::path kept;
  {
    auto t = dir.CreateTempGenerationDir("c");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->id(), 1u);
    kept = t->path();
    EXPECT_TRUE(std::filesystem::is_directory(kept));
    // A second builder gets the next id while the first is still building.
    auto t2 = dir.CreateTempGenerationDir("c");
    ASSERT_TRUE(t2.ok());
    EXPECT_EQ(t2->id(), 2u);
    auto final_path = t2->Finalize();
    ASSERT_TRUE(final_path.ok());
    EXPECT_EQ(final_path->filename(), "gen-000002");
  }
  EXPECT_FALSE(std::filesystem::exists(kept));  // removed when abandoned
  EXPECT_TRUE(std::filesystem::is_directory(dir.GenerationPath("c", 2)));
  // A temp dir of a dead process is stale.
  std::filesystem::create_directories(dir.CollectionPath("c") / ".tmp-gen-7-999999999");
  std::filesystem::create_directories(dir.CollectionPath("c") / (".tmp-gen-8-" + std::to_string(::getpid())));
  EXPECT_EQ(*dir.NextGenerationId("c"), 9u);
  auto removed = dir.RemoveStaleTempDirs("c");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_TRUE(std::filesystem::exists(dir.CollectionPath("c") / (".tmp-gen-8-" + std::to_string(::getpid()))));
  // Finalize never replaces an existing generation.
  std::filesystem::create_directories(dir.CollectionPath("c") / "gen-000010" / "x");
  auto t3 = dir.CreateTempGenerationDir("c");
  ASSERT_TRUE(t3.ok());
  EXPECT_EQ(t3->id(), 11u);
}

TEST(IndexDirTest, InUseInProcess) {
  ScopedTempDir tmp("inuse");
  IndexDir dir(tmp.path());
  auto g1 = Build(dir);
  auto g2 = Build(dir);
  ASSERT_TRUE(g1.ok() && g2.ok());
  ASSERT_TRUE(dir.PublishCurrent("random", 2).ok());
  EXPECT_FALSE(*dir.IsGenerationInUse("random", 1));
  {
    auto open = Generation::Open(dir.GenerationPath("random", 1));
    ASSERT_TRUE(open.ok()) << open.status().ToString();
    EXPECT_TRUE(*dir.IsGenerationInUse("random", 1));
    Status st = dir.RemoveGeneration("random", 1);
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(st.message().find("in use"), std::string::npos);
    // A second reader of the same generation shares the lock.
    auto again = Generation::Open(dir.GenerationPath("random", 1));
    ASSERT_TRUE(again.ok());
  }
  EXPECT_FALSE(*dir.IsGenerationInUse("random", 1));
  // CURRENT is never removed.
  EXPECT_EQ(dir.RemoveGeneration("random", 2).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(dir.RemoveGeneration("random", 1).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.GenerationPath("random", 1)));
  EXPECT_EQ(*dir.ListGenerations("random"), std::vector<uint64_t>{2});
  EXPECT_EQ(dir.RemoveGeneration("random", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(dir.IsGenerationInUse("random", 1).status().code(), StatusCode::kNotFound);
}

TEST(IndexDirTest, InUseAcrossProcesses) {
  ScopedTempDir tmp("inuse-xproc");
  IndexDir dir(tmp.path());
  auto g1 = Build(dir);
  ASSERT_TRUE(g1.ok());
  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: hold the generation open until the parent says so.
    auto open = Generation::Open(dir.GenerationPath("random", 1));
    char c = open.ok() ? 'y' : 'n';
    (void)!::write(to_parent[1], &c, 1);
    (void)!::read(to_child[0], &c, 1);
    ::_exit(open.ok() ? 0 : 1);
  }
  char c = 0;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  EXPECT_TRUE(*dir.IsGenerationInUse("random", 1));
  EXPECT_EQ(dir.RemoveGeneration("random", 1).code(), StatusCode::kFailedPrecondition);
  ASSERT_EQ(::write(to_child[1], "x", 1), 1);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  EXPECT_FALSE(*dir.IsGenerationInUse("random", 1));
  EXPECT_TRUE(dir.RemoveGeneration("random", 1).ok());
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
}

}  // namespace
}  // namespace busca::index
