// search-cli build and inspect end to end: the sample JSONL builds and publishes a generation the
// engine opens (with the real analyzer: accent-insensitive surface keys present), inspect prints
// docs/terms/sizes (text and --json), a bad input line fails with "<file>:<line>" and leaves
// neither a generation nor a changed CURRENT behind.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/index/generation.h"
#include "tests/support/index_fixtures.h"

namespace busca::index {
namespace {

std::filesystem::path SourceDir() {
  const char* d = std::getenv("BUSCA_SOURCE_DIR");
  return d ? d : std::filesystem::current_path();
}
std::filesystem::path Cli() {
  const char* d = std::getenv("BUSCA_BIN_DIR");
  return std::filesystem::path(d ? d : "build/bin") / "search-cli";
}

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

CliRun Exec(const std::string& args, const std::filesystem::path& scratch) {
  std::filesystem::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  std::string cmd = Cli().string() + " " + args + " >" + out.string() + " 2>" + err.string();
  int rc = std::system(cmd.c_str());
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}

TEST(SearchCliIndexTest, BuildInspectAndFailures) {
  ASSERT_TRUE(std::filesystem::exists(Cli())) << Cli() << " not built";
  testing::ScopedTempDir tmp("cli");
  const std::filesystem::path index = tmp.path() / "index";
  const std::string schema = (SourceDir() / "schemas/collections/products.json").string();
  const std::string sample = (SourceDir() / "tests/data/products_sample.jsonl").string();

  CliRun build = Exec("build --schema " + schema + " --input " + sample + " --index-dir " + index.string(), tmp.path());
  ASSERT_EQ(build.exit_code, 0) << build.err;
  EXPECT_NE(build.out.find("gen-000001"), std::string::npos) << build.out;
  EXPECT_NE(build.out.find("25 docs"), std::string::npos) << build.out;

  IndexDir dir(index);
  ASSERT_EQ(*dir.ReadCurrent("products"), 1u);
  auto gen = Generation::OpenCurrent(dir, "products");
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  EXPECT_EQ((*gen)->live_doc_count(), 25u);
  auto addr = (*gen)->FindExternalId("prod_0000025");
  ASSERT_TRUE(addr.has_value());
  const SegmentReader& seg = (*gen)->segment(addr->segment);
  auto stored = seg.StoredDocument(addr->doc);
  ASSERT_TRUE(stored.ok());
  const CollectionSchema& s = (*gen)->schema();
  EXPECT_EQ(std::get<int64_t>(stored->values[*s.FieldIndex("price")]), 1150);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(stored->values[*s.FieldIndex("description")]));
  // Accent-insensitive surface keys from the real analyzer: "pão" is reachable as "pao".
  auto pao = seg.surfaces().Find("pao");
  ASSERT_TRUE(pao.has_value());
  EXPECT_EQ(pao->spelling, "pão");
  EXPECT_GE(pao->doc_freq, 4u);
  EXPECT_FALSE(pao->term_ordinals.empty());
  auto acucar = seg.surfaces().Find("acucar");
  ASSERT_TRUE(acucar.has_value());
  EXPECT_EQ(acucar->spelling, "açúcar");
  const KeywordColumn* category = seg.keyword_column(*s.FieldIndex("category"));
  ASSERT_NE(category, nullptr);
  EXPECT_TRUE(category->FindOrdinal("padaria").has_value());

  CliRun inspect = Exec("inspect --index-dir " + index.string(), tmp.path());
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("products  gen-000001 (CURRENT)"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("25 live"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("seg-0000.postings"), std::string::npos) << inspect.out;
  CliRun inspect_json = Exec("inspect --json --index-dir " + index.string(), tmp.path());
  ASSERT_EQ(inspect_json.exit_code, 0) << inspect_json.err;
  auto j = nlohmann::json::parse(inspect_json.out);
  EXPECT_EQ(j["collection"], "products");
  EXPECT_EQ(j["docs"], 25);
  EXPECT_GT(j["terms"].get<int>(), 100);
  EXPECT_GT(j["sizes"]["postings"].get<int>(), 0);
  EXPECT_EQ(j["files"].size(), 2u + 9u);  // schema.json, meta.json + 9 segment files (MANIFEST not listed)

  // A bad line: named, nothing left behind, CURRENT unchanged.
  const std::filesystem::path bad = tmp.path() / "bad.jsonl";
  {
    std::ofstream out(bad);
    out << R"({"id": "a", "name": "ok"})" << "\n\n" << R"({"id": "b", "nome": "typo"})" << "\n";
  }
  CliRun failed = Exec("build --schema " + schema + " --input " + bad.string() + " --index-dir " + index.string(), tmp.path());
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find(bad.string() + ":3"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("unknown field \"nome\""), std::string::npos) << failed.err;
  EXPECT_EQ(*dir.ListGenerations("products"), std::vector<uint64_t>{1});
  EXPECT_EQ(*dir.ReadCurrent("products"), 1u);
  for (const auto& e : std::filesystem::directory_iterator(dir.CollectionPath("products"))) {
    EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();
  }

  // A rebuild publishes the next generation; inspect of a corrupted one fails naming the file.
  CliRun again = Exec("build --quiet --schema " + schema + " --input " + sample + " --index-dir " + index.string(), tmp.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.out.empty());
  EXPECT_EQ(*dir.ReadCurrent("products"), 2u);
  {
    std::fstream f(dir.GenerationPath("products", 1) / "seg-0000.terms", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  CliRun corrupt = Exec("inspect --index-dir " + index.string() + " --collection products --generation 1", tmp.path());
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_NE(corrupt.err.find("seg-0000.terms"), std::string::npos) << corrupt.err;
}

}  // namespace
}  // namespace busca::index
