// Integration tests of the busca.v1 gRPC API against a real in-process server on a real index:
// queries, filters, sort, pagination, multi-collection search, suggest, stats, explain, the
// result cache, input limits (INVALID_ARGUMENT with reasons), deadlines, and admin auth.
#include <algorithm>
#include <set>

#include "server/admin_service.h"
#include "tests/server/server_fixture.h"

namespace busca::testing {
namespace {

using ::testing::HasSubstr;

std::set<std::string> Ids(const v1::SearchResponse& r) {
  std::set<std::string> ids;
  for (const auto& h : r.hits()) ids.insert(h.id());
  return ids;
}

std::string ProductId(uint32_t i) {
  char id[32];
  std::snprintf(id, sizeof(id), "prod_%06u", i);
  return id;
}

int64_t PriceOf(uint32_t i) { return 500 + (i * 137) % 10000; }

class SearchApiTest : public ServerFixture {};

TEST_F(SearchApiTest, FindsAccentInsensitiveMatchesWithExactTotal) {
  auto r = MustSearch([] { auto q = Query("queijo", 100); q.add_collections("products"); return q; }());
  std::set<std::string> expected;
  for (uint32_t i = 0; i < 300; ++i) {
    if (i % 15 == 0 || i % 15 == 4) expected.insert(ProductId(i));
  }
  EXPECT_EQ(r.total_hits(), expected.size());
  EXPECT_FALSE(r.total_is_lower_bound());
  EXPECT_EQ(Ids(r), expected);
  ASSERT_EQ(r.generations_size(), 1);
  EXPECT_EQ(r.generations(0).collection(), "products");
  EXPECT_EQ(r.generations(0).generation(), products_gen_);
  for (const auto& h : r.hits()) {
    EXPECT_EQ(h.collection(), "products");
    EXPECT_EQ(h.generation(), products_gen_);
    EXPECT_GT(h.score(), 0.0);
  }
  // Unaccented query finds the accented text.
  auto acucar = MustSearch([] { auto q = Query("acucar", 100); q.add_collections("products"); return q; }());
  EXPECT_EQ(acucar.total_hits(), 20u);
  for (const auto& h : acucar.hits()) EXPECT_EQ(std::stoi(h.id().substr(5)) % 15, 2) << h.id();
}

TEST_F(SearchApiTest, SearchesSeveralCollectionsWithOneRanking) {
  auto r = MustSearch(Query("queijo", 100));
  EXPECT_EQ(r.total_hits(), 40u + 16u);
  ASSERT_EQ(r.generations_size(), 2);
  std::set<std::string> collections;
  for (const auto& g : r.generations()) collections.insert(g.collection());
  EXPECT_EQ(collections, (std::set<std::string>{"posts", "products"}));
  for (int i = 1; i < r.hits_size(); ++i) EXPECT_GE(r.hits(i - 1).score(), r.hits(i).score());
}

TEST_F(SearchApiTest, FiltersKeywordRangeBooleanAndTimestamp) {
  auto base = [] {
    auto q = Query("queijo", 1000);
    q.add_collections("products");
    return q;
  };
  {  // keyword equality
    auto q = base();
    auto* f = q.add_filters();
    f->set_field("category");
    f->mutable_any_of()->add_values("padaria");
    auto r = MustSearch(q);
    std::set<std::string> expected;
    for (uint32_t i = 0; i < 300; ++i)
      if ((i % 15 == 0 || i % 15 == 4) && i % 5 == 0) expected.insert(ProductId(i));
    EXPECT_EQ(Ids(r), expected);
    EXPECT_EQ(r.total_hits(), expected.size());
  }
  {  // keyword set on a multi-valued field + numeric range + boolean + timestamp range
    auto q = base();
    auto* tags = q.add_filters();
    tags->set_field("tags");
    tags->mutable_any_of()->add_values("promocao");
    tags->mutable_any_of()->add_values("vegano");
    auto* price = q.add_filters();
    price->set_field("price");
    price->mutable_range()->set_lower("10.00");
    price->mutable_range()->set_upper("60.50");
    price->mutable_range()->set_upper_exclusive(true);
    auto* active = q.add_filters();
    active->set_field("active");
    active->set_equals_bool(true);
    auto* created = q.add_filters();
    created->set_field("created_at");
    created->mutable_range()->set_lower("2023-11-16T00:00:00Z");
    auto r = MustSearch(q);
    const int64_t since = 1700092800000000LL;  // 2023-11-16T00:00:00Z
    std::set<std::string> expected;
    for (uint32_t i = 0; i < 300; ++i) {
      bool text = i % 15 == 0 || i % 15 == 4;
      bool tag = (i & 1) || ((i >> 3) & 1);
      bool in_price = PriceOf(i) >= 1000 && PriceOf(i) < 6050;
      bool is_active = i % 3 != 0;
      bool recent = int64_t{1700000000000000} + int64_t{i} * 3600 * 1000000LL >= since;
      if (text && tag && in_price && is_active && recent) expected.insert(ProductId(i));
    }
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(Ids(r), expected);
    EXPECT_EQ(r.total_hits(), expected.size());
  }
}

TEST_F(SearchApiTest, SortsByFieldAndPaginatesConsistently) {
  std::vector<uint32_t> matching;
  for (uint32_t i = 0; i < 300; ++i)
    if (i % 15 == 0 || i % 15 == 4) matching.push_back(i);
  for (bool asc : {true, false}) {
    std::vector<uint32_t> expected = matching;
    std::sort(expected.begin(), expected.end(),
              [asc](uint32_t a, uint32_t b) { return asc ? PriceOf(a) < PriceOf(b) : PriceOf(a) > PriceOf(b); });
    std::vector<std::string> got;
    for (uint32_t offset = 0; offset < 40; offset += 7) {
      auto q = Query("queijo", 7);
      q.add_collections("products");
      q.set_offset(offset);
      q.mutable_sort()->set_field("price");
      q.mutable_sort()->set_order(asc ? v1::SORT_ORDER_ASC : v1::SORT_ORDER_DESC);
      q.set_return_stored(true);
      auto r = MustSearch(q);
      EXPECT_EQ(r.total_hits(), 40u);
      for (const auto& h : r.hits()) {
        got.push_back(h.id());
        ASSERT_TRUE(h.fields().contains("price"));
      }
    }
    std::vector<std::string> want;
    for (uint32_t i : expected) want.push_back(ProductId(i));
    EXPECT_EQ(got, want) << (asc ? "asc" : "desc");
  }
  // Relevance order: pages concatenate to the full ranking, no duplicates.
  auto full_q = Query("queijo artesanal", 100);
  full_q.add_collections("products");
  auto full = MustSearch(full_q);
  std::vector<std::string> paged;
  for (uint32_t offset = 0; offset < full.total_hits(); offset += 3) {
    auto q = full_q;
    q.set_offset(offset);
    q.set_limit(3);
    auto page = MustSearch(q);  // (a range-for over a temporary's member would dangle)
    for (const auto& h : page.hits()) paged.push_back(h.id());
  }
  std::vector<std::string> all;
  for (const auto& h : full.hits()) all.push_back(h.id());
  EXPECT_EQ(paged, all);
}

TEST_F(SearchApiTest, ReturnsStoredFieldsHighlightsAndExplain) {
  auto q = Query("goiabada", 3);
  q.add_collections("products");
  q.set_return_stored(true);
  q.set_highlight(true);
  q.set_explain(true);
  auto r = MustSearch(q);
  ASSERT_GT(r.hits_size(), 0);
  const auto& h = r.hits(0);
  uint32_t i = std::stoi(h.id().substr(5));
  ASSERT_TRUE(h.fields().contains("name"));
  EXPECT_THAT(h.fields().at("name").text(), HasSubstr("Goiabada"));
  ASSERT_TRUE(h.fields().contains("price"));
  EXPECT_EQ(h.fields().at("price").number(), index::FormatScaledDecimal(PriceOf(i), 2));
  ASSERT_TRUE(h.fields().contains("created_at"));
  EXPECT_EQ(h.fields().at("created_at").timestamp(),
            index::FormatTimestampMicros(int64_t{1700000000000000} + int64_t{i} * 3600 * 1000000LL));
  ASSERT_GT(h.highlights_size(), 0);
  bool marked = false;
  for (const auto& hl : h.highlights()) marked |= hl.marked().find("<em>Goiabada</em>") != std::string::npos;
  EXPECT_TRUE(marked);
  EXPECT_FALSE(r.explanation().parsed_query().empty());
  EXPECT_GT(r.explanation().words_size(), 0);
  EXPECT_GT(r.explanation().phases_size(), 0);
  EXPECT_GT(h.score_parts_size(), 0);
  double sum = 0;
  for (const auto& p : h.score_parts()) sum += p.score();
  EXPECT_NEAR(sum, h.score(), 1e-6 * std::max(1.0, h.score()));
  // Only the requested stored fields.
  auto q2 = Query("goiabada", 1);
  q2.add_collections("products");
  q2.add_stored_fields("price");
  auto r2 = MustSearch(q2);
  ASSERT_EQ(r2.hits_size(), 1);
  EXPECT_EQ(r2.hits(0).fields_size(), 1);
  EXPECT_TRUE(r2.hits(0).fields().contains("price"));
}

TEST_F(SearchApiTest, CachesResultsPerGeneration) {
  auto q = Query("cafe", 5);
  q.add_collections("products");
  auto first = MustSearch(q);
  EXPECT_FALSE(first.cached());
  auto second = MustSearch(q);
  EXPECT_TRUE(second.cached());
  EXPECT_EQ(Ids(first), Ids(second));
  EXPECT_GE(server_->metrics().cache_hits(), 1u);
  // Whitespace differences normalise to the same key.
  auto spaced = q;
  spaced.set_query("  cafe ");
  EXPECT_TRUE(MustSearch(spaced).cached());
  // A new generation with one more "café" document: never the stale cached answer.
  auto schema = ProductsSchema("products");
  auto docs = ProductDocs(schema, 302);  // doc 301 is one more "Café" (301 % 15 == 1)
  uint64_t gen = BuildGeneration(root_->path(), schema, std::move(docs));
  v1::ReloadRequest reload;
  v1::ReloadResponse reloaded;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kTestAdminToken);
  ASSERT_TRUE(admin_->Reload(&ctx, reload, &reloaded).ok());
  auto after = MustSearch(q);
  EXPECT_FALSE(after.cached());
  EXPECT_EQ(after.generations(0).generation(), gen);
  EXPECT_EQ(after.total_hits(), first.total_hits() + 1);
}

TEST_F(SearchApiTest, SuggestCompletesTheLastWord) {
  v1::SuggestRequest req;
  req.set_text("pão de que");
  req.add_collections("products");
  v1::SuggestResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(search_->Suggest(&ctx, req, &resp).ok());
  ASSERT_GT(resp.suggestions_size(), 0);
  bool found = false;
  for (const auto& s : resp.suggestions()) {
    EXPECT_EQ(s.collection(), "products");
    if (s.word() == "queijo") {
      found = true;
      EXPECT_EQ(s.completion(), "pão de queijo");
      EXPECT_GT(s.doc_freq(), 0u);
    }
  }
  EXPECT_TRUE(found);
  ASSERT_EQ(resp.generations_size(), 1);
  EXPECT_EQ(resp.generations(0).generation(), products_gen_);
}

TEST_F(SearchApiTest, StatsDescribeEveryCollection) {
  v1::GetStatsRequest req;
  v1::GetStatsResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(search_->GetStats(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.collections_size(), 2);
  const auto& posts = resp.collections(0);
  const auto& products = resp.collections(1);
  EXPECT_EQ(posts.collection(), "posts");
  EXPECT_EQ(products.collection(), "products");
  EXPECT_EQ(products.state(), v1::COLLECTION_STATE_SERVING);
  EXPECT_EQ(products.generation(), products_gen_);
  EXPECT_EQ(products.documents(), 300u);
  EXPECT_EQ(posts.documents(), 120u);
  EXPECT_GT(products.terms(), 0u);
  EXPECT_GT(products.index_bytes(), 0u);
  EXPECT_FALSE(products.built_at().empty());
  EXPECT_FALSE(products.loaded_at().empty());
}

grpc::Status Expect(grpc::Status st, grpc::StatusCode code, const std::string& fragment) {
  EXPECT_EQ(st.error_code(), code) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr(fragment));
  return st;
}

TEST_F(SearchApiTest, RejectsBadRequestsWithReasons) {
  v1::SearchResponse r;
  auto q = Query("queijo", 5000);
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "limit");
  q = Query("queijo", 10);
  q.set_offset(9995);
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "offset + limit");
  Expect(Search(Query("   "), &r), grpc::StatusCode::INVALID_ARGUMENT, "query");
  Expect(Search(Query(std::string(2000, 'a')), &r), grpc::StatusCode::INVALID_ARGUMENT, "1024");
  std::string many;
  for (int i = 0; i < 40; ++i) many += "palavra" + std::to_string(i) + " ";
  Expect(Search(Query(many), &r), grpc::StatusCode::INVALID_ARGUMENT, "32");
  q = Query("queijo");
  for (int i = 0; i < 40; ++i) {
    auto* f = q.add_filters();
    f->set_field("category");
    f->mutable_any_of()->add_values("x");
  }
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "filters");
  q = Query("queijo");
  q.add_collections("nope");
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "unknown collection 'nope'");
  q = Query("queijo");
  auto* f = q.add_filters();
  f->set_field("no_such_field");
  f->mutable_any_of()->add_values("x");
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "no_such_field");
  q = Query("queijo");
  f = q.add_filters();
  f->set_field("price");
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "no condition");
  q = Query("queijo");
  f = q.add_filters();
  f->set_field("price");
  f->mutable_range()->set_lower("dez reais");
  Expect(Search(q, &r), grpc::StatusCode::INVALID_ARGUMENT, "dez reais");
  Expect(Search(Query("\"pão de"), &r), grpc::StatusCode::INVALID_ARGUMENT, "");
  Expect(Search(Query("q*"), &r), grpc::StatusCode::INVALID_ARGUMENT, "");
  v1::SuggestRequest s;
  s.set_text("pa");
  s.set_limit(1000);
  v1::SuggestResponse sr;
  grpc::ClientContext ctx;
  Expect(search_->Suggest(&ctx, s, &sr), grpc::StatusCode::INVALID_ARGUMENT, "limit");
  // The server keeps serving after bad requests.
  EXPECT_EQ(MustSearch(Query("queijo")).total_hits(), 56u);
  EXPECT_GE(server_->metrics().requests(server::Rpc::kSearch, 3), 10u);
}

TEST_F(SearchApiTest, HonoursDeadlines) {
  v1::SearchResponse r;
  grpc::Status st = Search(Query("queijo"), &r, std::chrono::milliseconds(0));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(Search(Query("queijo"), &r).ok());
}

TEST_F(SearchApiTest, AdminCallsNeedTheBearerToken) {
  auto call_reload = [this](const std::string& header) {
    grpc::ClientContext ctx;
    if (!header.empty()) ctx.AddMetadata("authorization", header);
    v1::ReloadRequest req;
    v1::ReloadResponse resp;
    return admin_->Reload(&ctx, req, &resp);
  };
  EXPECT_EQ(call_reload("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call_reload("Bearer wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call_reload(std::string("Bearer ") + kTestAdminToken + "x").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call_reload(std::string("Basic ") + kTestAdminToken).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(call_reload(std::string("Bearer ") + kTestAdminToken).ok());
  {
    grpc::ClientContext ctx;
    v1::RollbackRequest req;
    req.set_collection("products");
    v1::RollbackResponse resp;
    EXPECT_EQ(admin_->Rollback(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    v1::RebuildRequest req;
    auto reader = admin_->Rebuild(&ctx, req);
    v1::RebuildProgress p;
    while (reader->Read(&p)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_TRUE(server::BearerTokenMatches("Bearer abc", "abc"));
  EXPECT_TRUE(server::BearerTokenMatches("bearer abc", "abc"));
  EXPECT_FALSE(server::BearerTokenMatches("Bearer abcd", "abc"));
  EXPECT_FALSE(server::BearerTokenMatches("Bearer ab", "abc"));
  EXPECT_FALSE(server::BearerTokenMatches("Bearer ", ""));
}

TEST_F(SearchApiTest, ReloadAndRollbackSwapGenerations) {
  auto schema = ProductsSchema("products");
  uint64_t newer = BuildGeneration(root_->path(), schema, ProductDocs(schema, 150));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kTestAdminToken);
  v1::ReloadRequest req;
  req.add_collections("products");
  v1::ReloadResponse resp;
  ASSERT_TRUE(admin_->Reload(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.collections_size(), 1);
  // The CURRENT poller may have swapped it in already; either way `newer` serves now.
  EXPECT_EQ(resp.collections(0).generation(), newer);
  EXPECT_TRUE(resp.collections(0).error().empty());
  if (resp.collections(0).changed()) {
    EXPECT_EQ(resp.collections(0).previous_generation(), products_gen_);
  }
  auto q = Query("queijo");
  q.add_collections("products");
  EXPECT_EQ(MustSearch(q).total_hits(), 20u);

  grpc::ClientContext ctx2;
  ctx2.AddMetadata("authorization", std::string("Bearer ") + kTestAdminToken);
  v1::RollbackRequest rb;
  rb.set_collection("products");
  rb.set_to_generation(products_gen_);
  v1::RollbackResponse rbr;
  grpc::Status st = admin_->Rollback(&ctx2, rb, &rbr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(rbr.previous_generation(), newer);
  EXPECT_EQ(rbr.generation(), products_gen_);
  EXPECT_EQ(MustSearch(q).total_hits(), 40u);
  EXPECT_EQ(*index::IndexDir(root_->path()).ReadCurrent("products"), products_gen_);
}

TEST_F(SearchApiTest, PicksUpCurrentChangesByItself) {
  auto schema = ProductsSchema("products");
  uint64_t newer = BuildGeneration(root_->path(), schema, ProductDocs(schema, 30));
  auto q = Query("queijo");
  q.add_collections("products");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return MustSearch(q).generations(0).generation() == newer; }, std::chrono::seconds(3)));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.0);
  EXPECT_EQ(MustSearch(q).total_hits(), 4u);
  // The old generation is released once nothing uses it.
  EXPECT_TRUE(WaitFor([&] { return !*index::IndexDir(root_->path()).IsGenerationInUse("products", products_gen_); },
                      std::chrono::seconds(2)));
}

}  // namespace
}  // namespace busca::testing
