// Integration tests of the HTTP ops port (/health, /metrics, /search) and of degraded serving:
// a corrupt or missing collection is reported while the others keep serving; 503 only when
// nothing can serve.
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace busca::testing {
namespace {

using ::testing::HasSubstr;

class OpsHttpTest : public ServerFixture {
 protected:
  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", http_port());
    client.set_read_timeout(10, 0);
    return client.Get(path.c_str());
  }
};

TEST_F(OpsHttpTest, HealthIsOkWithEveryCollection) {
  auto res = Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_TRUE(j["timestamp"].is_string());
  EXPECT_EQ(j["collections"]["products"]["state"], "serving");
  EXPECT_EQ(j["collections"]["products"]["generation"], products_gen_);
  EXPECT_EQ(j["collections"]["products"]["documents"], 300);
  EXPECT_EQ(j["collections"]["posts"]["state"], "serving");
}

TEST_F(OpsHttpTest, SearchJsonMatchesGrpc) {
  auto res = Get("/search?q=queijo&collections=products&limit=5&fields=name,price&sort=price:asc&filter=category:padaria");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto j = nlohmann::json::parse(res->body);
  auto q = Query("queijo", 5);
  q.add_collections("products");
  q.mutable_sort()->set_field("price");
  q.mutable_sort()->set_order(v1::SORT_ORDER_ASC);
  q.add_stored_fields("name");
  q.add_stored_fields("price");
  auto* f = q.add_filters();
  f->set_field("category");
  f->mutable_any_of()->add_values("padaria");
  auto r = MustSearch(q);
  EXPECT_EQ(j["total_hits"].get<std::string>(), std::to_string(r.total_hits()));  // uint64 -> JSON string
  ASSERT_EQ(j["hits"].size(), static_cast<size_t>(r.hits_size()));
  for (int i = 0; i < r.hits_size(); ++i) {
    EXPECT_EQ(j["hits"][i]["id"], r.hits(i).id());
    EXPECT_EQ(j["hits"][i]["fields"]["price"]["number"], r.hits(i).fields().at("price").number());
  }
  auto bad = Get("/search?q=queijo&limit=abc");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("INVALID_ARGUMENT"));
  auto bad2 = Get("/search?q=queijo&limit=5000");
  ASSERT_TRUE(bad2);
  EXPECT_EQ(bad2->status, 400);
  EXPECT_THAT(bad2->body, HasSubstr("1000"));
  auto missing = Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(OpsHttpTest, MetricsExposeRequestsCacheAndCollections) {
  MustSearch(Query("queijo"));
  MustSearch(Query("queijo"));
  v1::SearchResponse r;
  EXPECT_FALSE(Search(Query("queijo", 5000), &r).ok());
  auto res = Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const std::string& m = res->body;
  EXPECT_THAT(m, HasSubstr("busca_requests_total{rpc=\"Search\",code=\"OK\"} 2\n"));
  EXPECT_THAT(m, HasSubstr("busca_requests_total{rpc=\"Search\",code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("busca_request_duration_seconds_count{rpc=\"Search\"} 3\n"));
  EXPECT_THAT(m, HasSubstr("busca_cache_hits_total 1\n"));
  EXPECT_THAT(m, HasSubstr("busca_cache_misses_total 1\n"));
  EXPECT_THAT(m, HasSubstr("busca_collection_documents{collection=\"products\"} 300\n"));
  EXPECT_THAT(m, HasSubstr("busca_collection_generation{collection=\"products\"} " + std::to_string(products_gen_)));
  EXPECT_THAT(m, HasSubstr("busca_collection_up{collection=\"posts\"} 1\n"));
  EXPECT_THAT(m, HasSubstr("busca_rebuild_last_success -1\n"));
  EXPECT_THAT(m, HasSubstr("# TYPE busca_request_duration_seconds histogram"));
}

// Flips one byte in the middle of the largest file of a generation.
void CorruptGeneration(const std::filesystem::path& gen_dir) {
  std::filesystem::path biggest;
  uintmax_t size = 0;
  for (const auto& e : std::filesystem::directory_iterator(gen_dir)) {
    if (e.is_regular_file() && e.file_size() > size && e.path().filename() != "LOCK") {
      size = e.file_size();
      biggest = e.path();
    }
  }
  ASSERT_FALSE(biggest.empty());
  std::fstream f(biggest, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(size / 2));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x5a;
  f.seekp(static_cast<std::streamoff>(size / 2));
  f.write(&c, 1);
}

class DegradedTest : public ServerFixture {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("busca-degraded");
    auto products = ProductsSchema("products");
    auto posts = ProductsSchema("posts");
    products_gen_ = BuildGeneration(root_->path(), products, ProductDocs(products, 100));
    posts_gen_ = BuildGeneration(root_->path(), posts, ProductDocs(posts, 50, "post_"));
    CorruptGeneration(index::IndexDir(root_->path()).GenerationPath("posts", posts_gen_));
    StartServer();
  }
  void Configure(server::ServerConfig* config) override { config->expected_collections = {"courses"}; }
};

TEST_F(DegradedTest, CorruptAndMissingCollectionsAreReportedOthersServe) {
  httplib::Client client("127.0.0.1", http_port());
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["collections"]["products"]["state"], "serving");
  EXPECT_EQ(j["collections"]["posts"]["state"], "corrupt");
  EXPECT_THAT(j["collections"]["posts"]["error"].get<std::string>(), HasSubstr("checksum mismatch"));
  EXPECT_EQ(j["collections"]["courses"]["state"], "missing");

  auto q = Query("queijo");
  EXPECT_EQ(MustSearch(q).total_hits(), 14u);  // products only: i % 15 in {0, 4}, i < 100
  auto p = Query("queijo");
  p.add_collections("posts");
  v1::SearchResponse r;
  grpc::Status st = Search(p, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(st.error_message(), HasSubstr("posts"));

  v1::GetStatsRequest sreq;
  v1::GetStatsResponse sresp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(search_->GetStats(&ctx, sreq, &sresp).ok());
  ASSERT_EQ(sresp.collections_size(), 3);
  EXPECT_EQ(sresp.collections(0).collection(), "courses");
  EXPECT_EQ(sresp.collections(0).state(), v1::COLLECTION_STATE_MISSING);
  EXPECT_EQ(sresp.collections(1).state(), v1::COLLECTION_STATE_CORRUPT);
  EXPECT_EQ(sresp.collections(2).state(), v1::COLLECTION_STATE_SERVING);

  // A good generation of posts published later is picked up by the poller: healthy again.
  auto posts = ProductsSchema("posts");
  BuildGeneration(root_->path(), posts, ProductDocs(posts, 50, "post_"));
  EXPECT_TRUE(WaitFor([&] { return Search(p, &r).ok(); }, std::chrono::seconds(3)));
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("busca_generation_load_failures_total{collection=\"posts\"} 1\n"));
}

TEST_F(DegradedTest, CorruptNewGenerationKeepsTheOldOneServing) {
  auto products = ProductsSchema("products");
  uint64_t bad = BuildGeneration(root_->path(), products, ProductDocs(products, 10), /*publish=*/false);
  CorruptGeneration(index::IndexDir(root_->path()).GenerationPath("products", bad));
  ASSERT_TRUE(index::IndexDir(root_->path()).PublishCurrent("products", bad).ok());
  auto q = Query("queijo");
  q.add_collections("products");
  httplib::Client client("127.0.0.1", http_port());
  EXPECT_TRUE(WaitFor(
      [&] {
        auto res = client.Get("/health");
        return res && res->body.find("\"stale\"") != std::string::npos;
      },
      std::chrono::seconds(3)));
  auto r = MustSearch(q);
  EXPECT_EQ(r.total_hits(), 14u);
  EXPECT_EQ(r.generations(0).generation(), products_gen_);
}

class EmptyIndexTest : public ServerFixture {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("busca-empty");
    StartServer();
  }
};

TEST_F(EmptyIndexTest, NothingServingIs503AndUnavailable) {
  httplib::Client client("127.0.0.1", http_port());
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("\"unavailable\""));
  v1::SearchResponse r;
  EXPECT_EQ(Search(Query("queijo"), &r).error_code(), grpc::StatusCode::UNAVAILABLE);
  // A collection that appears later is served without a restart.
  auto products = ProductsSchema("products");
  BuildGeneration(root_->path(), products, ProductDocs(products, 20));
  EXPECT_TRUE(WaitFor([&] { return Search(Query("queijo"), &r).ok(); }, std::chrono::seconds(3)));
  auto after = client.Get("/health");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace busca::testing
