// For every file of a generation (MANIFEST included): a flipped byte (header, footer and sampled
// body positions), a truncation, appended bytes, a wrong format version and a missing file each
// make Generation::Open fail with Status::Corruption whose message names the file. Never a crash,
// never a generation that opens with wrong content.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "engine/index/file_format.h"
#include "engine/index/generation.h"
#include "tests/support/index_fixtures.h"

namespace busca::index {
namespace {

using testing::ScopedTempDir;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::RandomCorpus corpus({.seed = 9, .num_docs = 300, .vocabulary = 200});
    auto info = testing::BuildRandomGeneration(corpus, dir_, 130, {3, 50, 140, 299});
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    gen_path_ = dir_.GenerationPath(corpus.schema().name, info->id);
    files_.push_back("MANIFEST");
    for (const auto& f : info->files) files_.push_back(f.name);
    ASSERT_GE(info->segments.size(), 3u);
    ASSERT_EQ(files_.size(), 1 + 2 + 9 * info->segments.size());
    auto ok = Generation::Open(gen_path_);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  }

  // Opens and expects Corruption naming `file`.
  void ExpectCorruption(const std::string& file, const std::string& what) {
    auto g = Generation::Open(gen_path_);
    ASSERT_FALSE(g.ok()) << file << ": " << what << " was not detected";
    EXPECT_EQ(g.status().code(), StatusCode::kCorruption) << file << ": " << what << ": " << g.status().ToString();
    EXPECT_NE(g.status().message().find(file), std::string::npos)
        << what << ": message does not name " << file << ": " << g.status().ToString();
  }

  ScopedTempDir tmp_{"corruption"};
  IndexDir dir_{tmp_.path()};
  std::filesystem::path gen_path_;
  std::vector<std::string> files_;
};

TEST_F(CorruptionTest, FlippedBytes) {
  std::mt19937 rng(5);
  for (const std::string& name : files_) {
    const auto path = gen_path_ / name;
    const std::string original = ReadAll(path);
    ASSERT_GE(original.size(), 40u) << name;
    std::set<size_t> offsets;
    for (size_t i = 0; i < 16; ++i) offsets.insert(i);                        // header
    for (size_t i = original.size() - 24; i < original.size(); ++i) offsets.insert(i);  // footer
    for (int i = 0; i < 24; ++i) offsets.insert(16 + rng() % (original.size() - 40));   // body
    for (size_t off : offsets) {
      std::string bytes = original;
      bytes[off] = static_cast<char>(bytes[off] ^ (1 << (rng() % 8)));
      WriteAll(path, bytes);
      ExpectCorruption(name, "flipped bit at byte " + std::to_string(off));
    }
    WriteAll(path, original);
  }
  EXPECT_TRUE(Generation::Open(gen_path_).ok());
}

TEST_F(CorruptionTest, Truncations) {
  for (const std::string& name : files_) {
    const auto path = gen_path_ / name;
    const std::string original = ReadAll(path);
    for (size_t size : {original.size() - 1, original.size() - 24, original.size() / 2, size_t{16}, size_t{0}}) {
      WriteAll(path, original.substr(0, size));
      ExpectCorruption(name, "truncated to " + std::to_string(size) + " bytes");
    }
    WriteAll(path, original + std::string(8, '\0'));
    ExpectCorruption(name, "8 bytes appended");
    WriteAll(path, original);
  }
  EXPECT_TRUE(Generation::Open(gen_path_).ok());
}

TEST_F(CorruptionTest, WrongVersion) {
  for (const std::string& name : files_) {
    const auto path = gen_path_ / name;
    const std::string original = ReadAll(path);
    std::string bytes = original;
    bytes[8] = static_cast<char>(kFormatVersion + 7);  // u32 format version at offset 8
    WriteAll(path, bytes);
    auto g = Generation::Open(gen_path_);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), StatusCode::kCorruption);
    EXPECT_NE(g.status().message().find(name), std::string::npos) << g.status().ToString();
    EXPECT_NE(g.status().message().find("version " + std::to_string(kFormatVersion + 7)), std::string::npos)
        << g.status().ToString();
    WriteAll(path, original);
  }
}

TEST_F(CorruptionTest, MissingAndSwappedFiles) {
  for (const std::string& name : files_) {
    const auto path = gen_path_ / name;
    const std::string original = ReadAll(path);
    std::filesystem::remove(path);
    ExpectCorruption(name, "missing");
    WriteAll(path, original);
  }
  // A valid file of another segment in place of this one: the MANIFEST checksum catches it.
  const auto a = gen_path_ / "seg-0000.postings";
  const auto b = gen_path_ / "seg-0001.postings";
  const std::string original = ReadAll(a);
  WriteAll(a, ReadAll(b));
  ExpectCorruption("seg-0000.postings", "swapped with seg-0001.postings");
  WriteAll(a, original);
  EXPECT_TRUE(Generation::Open(gen_path_).ok());
}

}  // namespace
}  // namespace busca::index
