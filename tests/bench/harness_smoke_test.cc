// Smoke test of the side-by-side benchmark harness (bench/harness/run.sh --quick).
//
// Runs the whole harness end to end on a tiny dataset (its own throwaway PostgreSQL, seed-data,
// the three indexes, every query set, the gRPC server) and checks that the JSON it writes holds
// every system's figures, that those figures are sane (positive timings, every query answered,
// known items mostly found), and that the Markdown table and the PNG plot were written.
// Label: slow (it takes about a minute). Needs root or the postgres user, like pg-cluster.sh.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class HarnessSmokeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string source = Env("BUSCA_SOURCE_DIR");
    const std::string bin = Env("BUSCA_BIN_DIR");
    ASSERT_FALSE(source.empty()) << "BUSCA_SOURCE_DIR is not set (run through ctest)";
    ASSERT_FALSE(bin.empty()) << "BUSCA_BIN_DIR is not set (run through ctest)";
    out_dir_ = new fs::path(fs::temp_directory_path() / ("busca-bench-smoke-" + std::to_string(::getpid())));
    fs::remove_all(*out_dir_);
    fs::create_directories(*out_dir_);
    // Below the kernel's ephemeral port range (32768-60999): a port there can be held by a test
    // client's leftover connection (TIME_WAIT), and PostgreSQL then cannot listen on it.
    const std::string command = source + "/bench/harness/run.sh --quick --no-build --port 25448 --build-dir " +
                                fs::path(bin).parent_path().string() + " --out-dir " + out_dir_->string() +
                                " --work-dir " + (*out_dir_ / "work").string() + " > " +
                                (*out_dir_ / "harness.log").string() + " 2>&1";
    exit_code_ = std::system(command.c_str());
    for (const auto& entry : fs::directory_iterator(*out_dir_)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("bench-", 0) == 0 && entry.path().extension() == ".json") {
        std::ifstream in(entry.path());
        *result_ = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        json_path_ = new fs::path(entry.path());
      }
    }
  }

  static void TearDownTestSuite() {
    if (out_dir_ != nullptr && !::testing::Test::HasFailure()) fs::remove_all(*out_dir_);
  }

  static std::string Log() {
    std::ifstream in(*out_dir_ / "harness.log");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 6000 ? "..." + text.substr(text.size() - 6000) : text;
  }

  static inline fs::path* out_dir_ = nullptr;
  static inline fs::path* json_path_ = nullptr;
  static inline nlohmann::json* result_ = new nlohmann::json();
  static inline int exit_code_ = -1;
};

TEST_F(HarnessSmokeTest, RunsEndToEndAndWritesTheReport) {
  ASSERT_EQ(exit_code_, 0) << "run.sh --quick failed; its log:\n" << Log();
  ASSERT_NE(json_path_, nullptr) << "no bench-*.json written; log:\n" << Log();
  ASSERT_TRUE(result_->is_object()) << "the result file is not valid JSON";
  fs::path md = *json_path_;
  md.replace_extension(".md");
  EXPECT_TRUE(fs::exists(md));
  fs::path png = *json_path_;
  png.replace_extension(".png");
  ASSERT_TRUE(fs::exists(png)) << "no plot; log:\n" << Log();
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

TEST_F(HarnessSmokeTest, RecordsMachineDatasetAndQueryLog) {
  ASSERT_TRUE(result_->is_object() && result_->contains("machine")) << Log();
  const auto& r = *result_;
  EXPECT_GT(r["machine"]["cores"].get<int>(), 0);
  EXPECT_FALSE(r["machine"]["cpu_model"].get<std::string>().empty());
  EXPECT_FALSE(r["date"].get<std::string>().empty());
  EXPECT_GT(r["dataset"]["live_rows"].get<int64_t>(), 0);
  EXPECT_GT(r["dataset"]["raw_text_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(r["dataset"]["server_encoding"], "UTF8");
  EXPECT_EQ(r["query_log"]["queries"].get<int>(), 300);
  EXPECT_EQ(r["query_log"]["known_items"].get<int>(), 150);
  EXPECT_TRUE(r["not_measured"].empty()) << r["not_measured"].dump(1) << "\n" << Log();
}

TEST_F(HarnessSmokeTest, EverySystemHasItsFigures) {
  ASSERT_TRUE(result_->is_object() && result_->contains("systems")) << Log();
  const auto& systems = (*result_)["systems"];
  const int64_t live_rows = (*result_)["dataset"]["live_rows"].get<int64_t>();
  for (const char* key : {"busca", "xapian", "postgres_fts"}) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(systems.contains(key)) << Log();
    const auto& s = systems[key];
    ASSERT_TRUE(s.contains("build"));
    const auto& b = s["build"];
    const double build_seconds = b.contains("build_seconds") ? b["build_seconds"].get<double>()
                                                             : b["wall_seconds"].get<double>();
    EXPECT_GT(build_seconds, 0);
    ASSERT_TRUE(s.contains("single"));
    EXPECT_EQ(s["single"]["queries"].get<int>(), 300);
    EXPECT_GT(s["single"]["p50_us"].get<double>(), 0);
    EXPECT_GE(s["single"]["p99_us"].get<double>(), s["single"]["p50_us"].get<double>());
    EXPECT_GE(s["single"]["max_us"].get<double>(), s["single"]["p99_us"].get<double>());
    EXPECT_LT(s["single"]["zero_hit_share"].get<double>(), 0.9);
    ASSERT_TRUE(s.contains("known_items"));
    EXPECT_EQ(s["known_items"]["items"].get<int>(), 150);
    EXPECT_EQ(s["known_items"]["answered"].get<int>(), 150);
    // Known items are words of one document's own title: every system must find most of them.
    EXPECT_GT(s["known_items"]["success_at_10"].get<double>(), 0.5);
    EXPECT_LE(s["known_items"]["mrr_at_10"].get<double>(), s["known_items"]["success_at_10"].get<double>());
    ASSERT_TRUE(s.contains("throughput"));
    ASSERT_EQ(s["throughput"].size(), 2u);
    for (const auto& t : s["throughput"]) {
      EXPECT_GT(t["qps"].get<double>(), 0);
      EXPECT_EQ(t["errors"].get<int64_t>(), 0);
    }
  }
  EXPECT_EQ(systems["xapian"]["build"]["docs"].get<int64_t>(), live_rows);
  EXPECT_EQ(systems["postgres_fts"]["build"]["live_rows"].get<int64_t>(), live_rows);
  EXPECT_GT(systems["postgres_fts"]["build"]["gin_index_bytes"].get<int64_t>(), 0);
  EXPECT_GT(systems["postgres_fts"]["build"]["tsvector_bytes"].get<int64_t>(), 0);
  ASSERT_TRUE(systems["busca"].contains("size"));
  EXPECT_GT(systems["busca"]["size"]["postings"].get<int64_t>(), 0);
  EXPECT_GT(systems["busca"]["build"]["peak_rss_bytes"].get<int64_t>(), 0);
  // The like-for-like run (total counted only up to 10) answers every query with the same top 10
  // as the default run (pruning changes the work, never the results).
  ASSERT_TRUE(systems.contains("busca_top10")) << Log();
  EXPECT_EQ(systems["busca_top10"]["single"]["queries"].get<int>(), 300);
  EXPECT_EQ(systems["busca_top10"]["single"]["zero_hit_share"].get<double>(),
            systems["busca"]["single"]["zero_hit_share"].get<double>());
  // Xapian counting to 10,000 (check_at_least) is a single-threaded pass of the same log.
  ASSERT_TRUE(systems.contains("xapian_count10k")) << Log();
  EXPECT_EQ(systems["xapian_count10k"]["single"]["queries"].get<int>(), 300);
  EXPECT_EQ(systems["xapian_count10k"]["single"]["zero_hit_share"].get<double>(),
            systems["xapian"]["single"]["zero_hit_share"].get<double>());
  ASSERT_TRUE(systems.contains("busca_grpc")) << Log();
  ASSERT_EQ(systems["busca_grpc"]["throughput"].size(), 2u);
  for (const auto& t : systems["busca_grpc"]["throughput"]) {
    EXPECT_GT(t["qps"].get<double>(), 0);
    EXPECT_EQ(t["errors"].get<int64_t>(), 0);
  }
  // The served comparison: one gRPC client over exactly PostgreSQL's single-threaded queries.
  ASSERT_TRUE(systems.contains("postgres_fts")) << Log();
  EXPECT_EQ(systems["busca_grpc"]["single"]["queries"].get<int>(),
            systems["postgres_fts"]["single"]["queries"].get<int>());
  EXPECT_EQ(systems["busca_grpc"]["single"]["errors"].get<int64_t>(), 0);
}

TEST_F(HarnessSmokeTest, ComputesRatiosAgainstBothPeers) {
  ASSERT_TRUE(result_->is_object() && result_->contains("ratios")) << Log();
  const auto& ratios = (*result_)["ratios"];
  for (const char* name : {"build_seconds_vs_xapian", "build_seconds_vs_postgres_fts",
                           "inprocess_p50_us_vs_xapian", "inprocess_p99_us_vs_xapian",
                           "index_bytes_vs_xapian", "index_bytes_vs_postgres_fts",
                           "mrr_at_10_vs_xapian", "mrr_at_10_vs_postgres_fts",
                           "served_qps_1_vs_postgres_fts", "served_p99_us_1_vs_postgres_fts",
                           "served_p50_us_vs_postgres_fts", "served_p99_us_vs_postgres_fts",
                           "inprocess_count_to_10_p99_us_vs_xapian",
                           "inprocess_count_to_10000_p99_us_vs_xapian_count10k"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(ratios.contains(name)) << ratios.dump(1);
    EXPECT_GT(ratios[name]["ours_over_peer"].get<double>(), 0);
  }
}

TEST_F(HarnessSmokeTest, CountingFewerMatchesNeverChangesTheTopTen) {
  // busca/ counts the total exactly up to 10,000 matches, busca_top10/ only up to 10 (so it prunes
  // from the start): both must return the same ids, in the same order, for every query.
  auto read = [](const fs::path& path) {
    std::vector<std::string> ids;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      const size_t a = line.find('\t');
      const size_t b = line.find('\t', a + 1);
      ids.push_back(line.substr(a + 1, b - a - 1));
    }
    return ids;
  };
  const std::vector<std::string> full = read(*out_dir_ / "work" / "busca" / "queries.tsv");
  const std::vector<std::string> top10 = read(*out_dir_ / "work" / "busca_top10" / "queries.tsv");
  ASSERT_EQ(full.size(), 300u) << Log();
  ASSERT_EQ(top10.size(), full.size());
  size_t nonempty = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    EXPECT_EQ(top10[i], full[i]) << "query " << i;
    nonempty += !full[i].empty();
  }
  EXPECT_GT(nonempty, 150u);
  // The same for Xapian: check_at_least changes how many matches it visits, not its top 10.
  const std::vector<std::string> xapian = read(*out_dir_ / "work" / "xapian" / "queries.tsv");
  const std::vector<std::string> xapian_count = read(*out_dir_ / "work" / "xapian_count10k" / "queries.tsv");
  ASSERT_EQ(xapian.size(), 300u) << Log();
  ASSERT_EQ(xapian_count.size(), xapian.size());
  for (size_t i = 0; i < xapian.size(); ++i) EXPECT_EQ(xapian_count[i], xapian[i]) << "query " << i;
}

}  // namespace
