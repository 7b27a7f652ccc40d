// Test fixture for tests/server: builds real index generations with the engine's writer (real
// Portuguese analysis) from a deterministic marketplace-like corpus, and runs a real SearchServer
// in-process on loopback ports picked by the OS, with gRPC stubs to talk to it.
//
// Header-only; one fixture per test; not thread-safe except for the stubs (gRPC stubs are).
#pragma once

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "busca/v1/search.grpc.pb.h"
#include "engine/analysis/analyzer.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "engine/index/schema.h"
#include "server/search_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_field.h"

namespace busca::testing {

inline index::CollectionSchema ProductsSchema(std::string name = "products") {
  index::CollectionSchema s;
  s.name = std::move(name);
  s.source = {"marketplace.\"Product\"", "id", "TRUE"};
  auto add = [&](std::string n, index::FieldType t, double w, bool stored, bool multi = false, int scale = 0) {
    s.fields.push_back(TestField(std::move(n), t, w, stored, multi, scale));
  };
  add("name", index::FieldType::kText, 3.0, true);
  add("description", index::FieldType::kText, 1.0, true);
  add("category", index::FieldType::kKeyword, 1.0, true);
  add("tags", index::FieldType::kKeyword, 1.0, true, true);
  add("price", index::FieldType::kNumber, 1.0, true, false, 2);
  add("active", index::FieldType::kBoolean, 1.0, true);
  add("created_at", index::FieldType::kTimestamp, 1.0, true);
  return s;
}

// Product i of the deterministic corpus (i >= 0). Names combine a food and an adjective, so
// word frequencies differ; prices, categories, dates and flags are functions of i.
inline index::Document ProductDoc(const index::CollectionSchema& schema, uint32_t i, const std::string& id_prefix = "prod_") {
  static const char* kFoods[] = {"Pão de queijo", "Café",    "Açúcar mascavo", "Tomate", "Queijo minas",
                                 "Farinha",       "Azeite",  "Feijão",         "Arroz",  "Leite",
                                 "Manteiga",      "Goiabada", "Rapadura",      "Cuscuz", "Mel"};
  static const char* kAdjectives[] = {"artesanal", "orgânico", "integral", "tradicional", "caseiro", "premium", "mineiro"};
  static const char* kCategories[] = {"padaria", "mercearia", "laticinios", "bebidas", "doces"};
  static const char* kTags[] = {"promocao", "novo", "frete-gratis", "vegano", "sem-gluten"};
  index::Document d;
  char id[32];
  std::snprintf(id, sizeof(id), "%s%06u", id_prefix.c_str(), i);
  d.id = id;
  d.values.resize(schema.fields.size());
  const char* food = kFoods[i % 15];
  const char* adj = kAdjectives[(i / 15) % 7];
  d.values[0] = std::string(food) + " " + adj;
  d.values[1] = std::string("Delicioso ") + food + " " + adj + " feito com cuidado em Minas Gerais, entrega rápida.";
  d.values[2] = std::vector<std::string>{kCategories[i % 5]};
  std::vector<std::string> tags;
  for (int t = 0; t < 5; ++t) {
    if ((i >> t) & 1) tags.push_back(kTags[t]);
  }
  d.values[3] = std::move(tags);
  d.values[4] = static_cast<int64_t>(500 + (i * 137) % 10000);  // 5.00 .. 104.99
  d.values[5] = (i % 3) != 0;
  d.values[6] = int64_t{1700000000000000} + static_cast<int64_t>(i) * 3600 * 1000000LL;
  return d;
}

// Builds a generation of `schema.name` under `root` from `docs` and (optionally) publishes it.
// Returns the generation id.
inline uint64_t BuildGeneration(const std::filesystem::path& root, const index::CollectionSchema& schema,
                                std::vector<index::Document> docs, bool publish = true) {
  index::IndexDir dir(root);
  auto writer = index::GenerationWriter::Create(schema, dir);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return 0;
  thread_local analysis::Analyzer analyzer;
  for (auto& d : docs) {
    auto analyzed = index::AnalyzeDocument(schema, std::move(d), analyzer);
    EXPECT_TRUE(analyzed.ok()) << analyzed.status().ToString();
    if (!analyzed.ok()) return 0;
    Status st = (*writer)->Add(std::move(analyzed).value());
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  auto info = (*writer)->Finish();
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  if (!info.ok()) return 0;
  if (publish) {
    Status st = dir.PublishCurrent(schema.name, info->id);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return info->id;
}

inline std::vector<index::Document> ProductDocs(const index::CollectionSchema& schema, uint32_t n,
                                                const std::string& id_prefix = "prod_") {
  std::vector<index::Document> docs;
  for (uint32_t i = 0; i < n; ++i) docs.push_back(ProductDoc(schema, i, id_prefix));
  return docs;
}

inline constexpr const char* kTestAdminToken = "s3cret-test-token";

// A running in-process server over a temp index with `products` (300 docs) and `posts`
// (a second collection with the same schema, 120 docs).
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("busca-server");
    products_gen_ = BuildGeneration(root_->path(), ProductsSchema("products"), ProductDocs(ProductsSchema("products"), 300));
    posts_gen_ = BuildGeneration(root_->path(), ProductsSchema("posts"), ProductDocs(ProductsSchema("posts"), 120, "post_"));
    ASSERT_GT(products_gen_, 0u);
    ASSERT_GT(posts_gen_, 0u);
    StartServer();
  }

  void TearDown() override {
    server_.reset();
    root_.reset();
  }

  virtual void Configure(server::ServerConfig* config) {}

  void StartServer() {
    server::ServerConfig config;
    config.index_dir = root_->path();
    config.listen = "127.0.0.1:0";
    config.http = "127.0.0.1:0";
    config.admin_token = kTestAdminToken;
    config.log_level = "warn";
    config.poll_interval = std::chrono::milliseconds(200);
    config.slow_query = std::chrono::milliseconds(0);
    Configure(&config);
    auto server = server::SearchServer::Start(config);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    target_ = "127.0.0.1:" + std::to_string(server_->grpc_port());
    channel_ = grpc::CreateChannel(target_, grpc::InsecureChannelCredentials());
    search_ = v1::SearchService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
  }

  grpc::Status Search(const v1::SearchRequest& request, v1::SearchResponse* response,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    return search_->Search(&ctx, request, response);
  }

  v1::SearchResponse MustSearch(const v1::SearchRequest& request) {
    v1::SearchResponse response;
    grpc::Status st = Search(request, &response);
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    return response;
  }

  static v1::SearchRequest Query(const std::string& q, uint32_t limit = 10) {
    v1::SearchRequest r;
    r.set_query(q);
    r.set_limit(limit);
    return r;
  }

  int http_port() const { return server_->http_port(); }

  std::unique_ptr<TempDir> root_;
  uint64_t products_gen_ = 0;
  uint64_t posts_gen_ = 0;
  std::unique_ptr<server::SearchServer> server_;
  std::string target_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SearchService::Stub> search_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

// Waits until `pred` holds (checked every 20 ms) or `timeout` passes.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace busca::testing
