// The Rebuild admin RPC against a real PostgreSQL (labels server + postgres): the server runs the
// same code as rebuild-index, streams progress, swaps the new generations in, and the results
// are searchable at once; a failing source leaves the live index serving and is reported in the
// stream, the status and the metrics. Skips without BUSCA_TEST_DATABASE_URL.
#include <httplib.h>

#include "tests/server/server_fixture.h"
#include "tests/support/pg_test_database.h"

namespace busca::testing {
namespace {

class RebuildRpcTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db().Exec(R"sql(
      INSERT INTO marketplace."Supplier" (id, name, description, city, region, categories, verified, "updatedAt")
      VALUES ('sup_1', 'Laticínios Serra', 'Queijos artesanais', 'Belo Horizonte', 'MG', '{laticinios}', true, now());
      INSERT INTO marketplace."Product" (id, name, description, category, "supplierId", price, "isActive", "updatedAt", "deletedAt")
      SELECT 'prod_' || lpad(i::text, 4, '0'),
             CASE WHEN i % 3 = 0 THEN 'Pão de queijo congelado' ELSE 'Café torrado' END,
             'Produto número ' || i, 'mercearia', 'sup_1', (i * 1.25)::numeric(12,2),
             i % 10 <> 0, now(), CASE WHEN i % 7 = 0 THEN now() END
      FROM generate_series(1, 60) AS i;
    )sql").ok());
    root_ = std::make_unique<TempDir>("busca-rebuild-rpc");
    server::ServerConfig config;
    config.index_dir = root_->path();
    config.listen = "127.0.0.1:0";
    config.http = "127.0.0.1:0";
    config.admin_token = kTestAdminToken;
    config.database_url = database_url();
    config.log_level = "warn";
    auto server = server::SearchServer::Start(config);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->grpc_port()),
                                       grpc::InsecureChannelCredentials());
    search_ = v1::SearchService::NewStub(channel);
    admin_ = v1::AdminService::NewStub(channel);
  }
  void TearDown() override {
    server_.reset();
    root_.reset();
    PostgresTest::TearDown();
  }

  // Runs Rebuild; returns the final status and every progress message.
  grpc::Status Rebuild(const std::vector<std::string>& collections, std::vector<v1::RebuildProgress>* progress) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", std::string("Bearer ") + kTestAdminToken);
    v1::RebuildRequest req;
    for (const auto& c : collections) req.add_collections(c);
    auto reader = admin_->Rebuild(&ctx, req);
    v1::RebuildProgress p;
    while (reader->Read(&p)) progress->push_back(p);
    return reader->Finish();
  }

  std::unique_ptr<TempDir> root_;
  std::unique_ptr<server::SearchServer> server_;
  std::unique_ptr<v1::SearchService::Stub> search_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(RebuildRpcTest, RebuildsStreamsProgressAndServesTheResult) {
  std::vector<v1::RebuildProgress> progress;
  grpc::Status st = Rebuild({"products", "suppliers"}, &progress);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(progress.back().done());
  EXPECT_TRUE(progress.back().ok());
  bool saw_swap = false;
  for (const auto& p : progress) saw_swap |= p.phase() == "swap" && p.collection() == "products" && p.generation() > 0;
  EXPECT_TRUE(saw_swap);

  // Live products: not deleted (i % 7 != 0) and active (i % 10 != 0); "queijo" when i % 3 == 0.
  uint64_t expected = 0, live = 0;
  for (int i = 1; i <= 60; ++i) {
    bool is_live = i % 7 != 0 && i % 10 != 0;
    live += is_live;
    expected += is_live && i % 3 == 0;
  }
  v1::SearchRequest req;
  req.set_query("queijo");
  req.add_collections("products");
  v1::SearchResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(search_->Search(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.total_hits(), expected);

  v1::GetStatsRequest sreq;
  v1::GetStatsResponse sresp;
  grpc::ClientContext sctx;
  ASSERT_TRUE(search_->GetStats(&sctx, sreq, &sresp).ok());
  bool found = false;
  for (const auto& c : sresp.collections()) {
    if (c.collection() == "products") {
      found = true;
      EXPECT_EQ(c.documents(), live);
    }
  }
  EXPECT_TRUE(found);

  httplib::Client http("127.0.0.1", server_->http_port());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("busca_rebuild_last_success 1\n"), std::string::npos);
}

TEST_F(RebuildRpcTest, FailedRebuildKeepsServingAndIsReported) {
  std::vector<v1::RebuildProgress> progress;
  ASSERT_TRUE(Rebuild({"products"}, &progress).ok());
  uint64_t live = server_->manager().snapshot()->Find("products")->generation->id();
  // Source gone: the rebuild fails, the live generation keeps serving.
  ASSERT_TRUE(db().Exec("DROP TABLE marketplace.\"Product\"").ok());
  progress.clear();
  grpc::Status st = Rebuild({"products"}, &progress);
  EXPECT_FALSE(st.ok());
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(progress.back().done());
  EXPECT_FALSE(progress.back().ok());
  EXPECT_EQ(server_->manager().snapshot()->Find("products")->generation->id(), live);
  httplib::Client http("127.0.0.1", server_->http_port());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("busca_rebuild_last_success 0\n"), std::string::npos);
}

TEST_F(RebuildRpcTest, RequiresTheAdminToken) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer not-the-token");
  v1::RebuildRequest req;
  auto reader = admin_->Rebuild(&ctx, req);
  v1::RebuildProgress p;
  EXPECT_FALSE(reader->Read(&p));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace busca::testing
