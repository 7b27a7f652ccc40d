// QueryCache: LRU order, the byte bound, replacement, and that keys of different generations
// never alias; and NormalizedKey: equal requests share a key, different ones never do.
#include <gtest/gtest.h>

#include <set>

#include "server/proto_convert.h"
#include "server/query_cache.h"

namespace busca::server {
namespace {

std::shared_ptr<const query::SearchResponse> Response(size_t hits, const std::string& id_prefix = "id") {
  auto r = std::make_shared<query::SearchResponse>();
  r->total_hits = hits;
  for (size_t i = 0; i < hits; ++i) {
    query::Hit h;
    h.collection = "products";
    h.id = id_prefix + std::to_string(i);
    r->hits.push_back(h);
  }
  return r;
}

TEST(QueryCacheTest, EvictsLeastRecentlyUsedWithinTheByteBound) {
  uint64_t one = QueryCache::EstimateBytes(*Response(10)) + 2 * 2 + 128;
  QueryCache cache(one * 5 + one / 2);  // room for 5 entries (each under a quarter of the bound)
  for (int k = 1; k <= 5; ++k) cache.Put("k" + std::to_string(k), Response(10));
  EXPECT_EQ(cache.entries(), 5u);
  ASSERT_NE(cache.Get("k1"), nullptr);  // k1 becomes most recent; k2 is now the LRU
  cache.Put("k6", Response(10));
  EXPECT_EQ(cache.entries(), 5u);
  EXPECT_EQ(cache.Get("k2"), nullptr);
  for (const char* k : {"k1", "k3", "k4", "k5", "k6"}) EXPECT_NE(cache.Get(k), nullptr) << k;
  EXPECT_LE(cache.bytes(), cache.capacity_bytes());
}

TEST(QueryCacheTest, ReplacesAndRefusesHugeEntries) {
  QueryCache cache(1 << 20);
  cache.Put("k", Response(1, "a"));
  cache.Put("k", Response(2, "b"));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.Get("k")->hits.size(), 2u);
  cache.Put("huge", Response(20000));  // > capacity / 4
  EXPECT_EQ(cache.Get("huge"), nullptr);
  QueryCache off(0);
  off.Put("k", Response(1));
  EXPECT_EQ(off.Get("k"), nullptr);
  cache.Clear();
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

query::Filter In(std::string field, std::vector<std::string> values) {
  query::Filter f;
  f.field = std::move(field);
  f.op = query::Filter::Op::kIn;
  f.values = std::move(values);
  return f;
}

TEST(QueryCacheTest, NormalizedKeySeparatesWhatMatters) {
  query::SearchRequest a;
  a.query = "  pão   de queijo ";
  a.collections = {"products", "posts"};
  query::SearchRequest b = a;
  b.query = "pão de queijo";
  b.collections = {"posts", "products", "posts"};
  EXPECT_EQ(NormalizedKey(a), NormalizedKey(b));
  std::vector<query::SearchRequest> different(8, b);
  different[0].query = "pão de queijos";
  different[1].limit = 11;
  different[2].offset = 1;
  different[3].sort.field = "price";
  different[4].filters.push_back(In("category", {"padaria"}));
  different[5].return_stored = true;
  different[6].highlight = true;
  different[7].collections = {"products"};
  std::set<std::string> keys{NormalizedKey(b)};
  for (const auto& r : different) keys.insert(NormalizedKey(r));
  EXPECT_EQ(keys.size(), 9u);
  // Length-prefixing: no ambiguity between values that contain separators.
  query::SearchRequest c = b, d = b;
  c.filters.push_back(In("f", {"a|b"}));
  d.filters.push_back(In("f", {"a", "b"}));
  EXPECT_NE(NormalizedKey(c), NormalizedKey(d));
}

}  // namespace
}  // namespace busca::server
