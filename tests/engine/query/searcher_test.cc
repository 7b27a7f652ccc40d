// Examples of every query feature on small hand-written collections.
#include "engine/query/searcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>

#include "engine/index/generation.h"
#include "tests/engine/query/test_corpus.h"

namespace busca::query::testing {
namespace {

index::Document Product(std::string id, std::string name, std::string description, std::string category,
                        std::vector<std::string> tags, int64_t price_cents, std::optional<bool> verified,
                        int64_t created_micros) {
  index::Document d;
  d.id = std::move(id);
  d.values.resize(7);
  d.values[0] = std::move(name);
  if (!description.empty()) d.values[1] = std::move(description);
  d.values[2] = std::vector<std::string>{std::move(category)};
  d.values[3] = std::move(tags);
  d.values[4] = price_cents;
  if (verified) d.values[5] = *verified;
  d.values[6] = created_micros;
  return d;
}

index::Document Post(std::string id, std::string title, std::string content, std::string category) {
  index::Document d;
  d.id = std::move(id);
  d.values.resize(4);
  d.values[0] = std::move(title);
  d.values[1] = std::move(content);
  d.values[2] = std::vector<std::string>{std::move(category)};
  return d;
}

constexpr int64_t kDay = 86400000000;
constexpr int64_t kT0 = 1704067200000000;  // 2024-01-01T00:00:00Z

class SearcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<index::Document> products = {
        Product("p1", "Pão de queijo mineiro", "Tradicional pão de queijo de Minas", "padaria", {"promo"}, 1250, true, kT0),
        Product("p2", "Queijo minas frescal", "Queijo fresco de Minas, sem pão", "laticinios", {}, 3000, false, kT0 + kDay),
        Product("p3", "Açúcar mascavo orgânico", "Açúcar integral", "mercearia", {"vegano", "promo"}, 899, true, kT0 + 2 * kDay),
        Product("p4", "Café em promoção", "Café torrado e moído, promoção da semana", "bebidas", {"promo"}, 2190, std::nullopt, kT0 + 3 * kDay),
        Product("p5", "Bolo de cenoura", "Bolo caseiro com cobertura de chocolate", "padaria", {}, 4500, true, kT0 + 4 * kDay),
        Product("p6", "Pães franceses", "Pão francês quentinho, o que você procura", "padaria", {"novo"}, 100, false, kT0 + 5 * kDay),
        Product("p7", "Queijo de cabra", "Queijo artesanal", "laticinios", {"kit"}, 5600, true, kT0 + 6 * kDay),
        Product("p8", "Promoções de doces", "Doces promocionais", "doces", {"promo"}, 700, true, kT0 + 7 * kDay),
        Product("p9", "Cozinheira", "Livro da cozinheira", "livros", {}, 3900, false, kT0 + 8 * kDay),
        Product("p10", "Produto removido pão", "pão pão pão", "padaria", {}, 10, true, kT0),
    };
    std::vector<index::Document> posts = {
        Post("t1", "Receita de pão de queijo", "Como fazer pão de queijo em casa", "receitas"),
        Post("t2", "Café com açúcar?", "Prefiro café sem acucar", "bebidas"),
        Post("t3", "O que é bom", "de o que", "geral"),
        Post("t4", "Queijo e pão", "queijo pão de verdade", "receitas"),
    };
    auto g1 = WriteCollection(dir_.path(), ProductsSchema(), products, 2, {"p10"});
    ASSERT_TRUE(g1.ok()) << g1.status().ToString();
    auto g2 = WriteCollection(dir_.path(), PostsSchema(), posts, 2, {});
    ASSERT_TRUE(g2.ok()) << g2.status().ToString();
    auto s = Searcher::Create({*g1, *g2});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    searcher_ = *s;
  }

  std::vector<std::string> Ids(const std::string& query, std::vector<std::string> collections = {},
                               std::vector<std::string> filters = {}, std::string sort = "") {
    SearchRequest req;
    req.query = query;
    req.collections = std::move(collections);
    req.limit = 100;
    for (const std::string& f : filters) {
      Result<Filter> parsed = ParseFilter(f);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
      if (parsed.ok()) req.filters.push_back(*parsed);
    }
    if (!sort.empty()) req.sort = *ParseSort(sort);
    Result<SearchResponse> r = searcher_->Search(req);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status().ToString();
    std::vector<std::string> ids;
    if (!r.ok()) return ids;
    EXPECT_EQ(r->total_hits, r->hits.size()) << query;
    for (const Hit& h : r->hits) ids.push_back(h.id);
    return ids;
  }

  std::set<std::string> IdSet(const std::string& query, std::vector<std::string> collections = {},
                              std::vector<std::string> filters = {}) {
    auto v = Ids(query, std::move(collections), std::move(filters));
    return {v.begin(), v.end()};
  }

  Status ErrorOf(SearchRequest req) {
    Result<SearchResponse> r = searcher_->Search(req);
    EXPECT_FALSE(r.ok()) << req.query;
    return r.ok() ? Status::Ok() : r.status();
  }

  TempDir dir_;
  std::shared_ptr<const Searcher> searcher_;
};

using S = std::set<std::string>;

TEST_F(SearcherTest, AccentInsensitiveBothWays) {
  EXPECT_EQ(IdSet("acucar"), (S{"p3", "t2"}));
  EXPECT_EQ(IdSet("açúcar"), (S{"p3", "t2"}));
  EXPECT_EQ(IdSet("cafe", {"products"}), (S{"p4"}));
  EXPECT_EQ(IdSet("PROMOCAO", {"products"}), (S{"p4"}));  // Snowball stems promoções apart
  EXPECT_EQ(IdSet("pao", {"products"}), (S{"p1", "p2", "p6"}));  // pão, pães; p10 is deleted
}

TEST_F(SearcherTest, WordsAreAndedAndOrBindsTighter) {
  EXPECT_EQ(IdSet("queijo minas", {"products"}), (S{"p1", "p2"}));
  EXPECT_EQ(IdSet("queijo cabra OR mineiro", {"products"}), (S{"p1", "p7"}));
  EXPECT_EQ(IdSet("cabra OR mineiro queijo", {"products"}), (S{"p1", "p7"}));
  EXPECT_EQ(IdSet("cabra OR cenoura OR cozinheira", {"products"}), (S{"p5", "p7", "p9"}));
}

TEST_F(SearcherTest, Exclusions) {
  EXPECT_EQ(IdSet("queijo -pão", {"products"}), (S{"p7"}));
  EXPECT_EQ(IdSet("queijo -\"pão de queijo\"", {"products"}), (S{"p2", "p7"}));
}

TEST_F(SearcherTest, PhrasesRespectStopwordsAndOrder) {
  // "pão de queijo" matches only that sequence; "queijo pão" / "queijo e pão" do not.
  EXPECT_EQ(IdSet("\"pão de queijo\""), (S{"p1", "t1"}));
  EXPECT_EQ(IdSet("\"pao de queijo\""), (S{"p1", "t1"}));
  EXPECT_EQ(IdSet("\"queijo pão\""), (S{"t4"}));
  EXPECT_EQ(IdSet("\"pão queijo\""), (S{}));
}

TEST_F(SearcherTest, StopwordsDroppedUnlessTheQueryIsOnlyStopwords) {
  // "de" is dropped: "pão de" = "pão".
  EXPECT_EQ(IdSet("pão de", {"products"}), IdSet("pão", {"products"}));
  // Only stopwords: documents containing them (not nothing, not everything).
  EXPECT_EQ(IdSet("o que"), (S{"p6", "t3"}));
  S with_de = IdSet("de");
  EXPECT_TRUE(with_de.contains("p1"));
  EXPECT_FALSE(with_de.contains("p3"));  // "Açúcar mascavo orgânico / Açúcar integral"
  EXPECT_FALSE(with_de.contains("t2"));
}

TEST_F(SearcherTest, Prefixes) {
  EXPECT_EQ(IdSet("promo*", {"products"}), (S{"p4", "p8"}));
  EXPECT_EQ(IdSet("coz*"), (S{"p9"}));
  EXPECT_EQ(IdSet("queijo fres*"), (S{"p2"}));
  SearchRequest req;
  req.query = "q*";
  Status st = ErrorOf(req);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("shorter than 2"), std::string::npos) << st.message();
}

// A prefix of no stopword leaves out a stopword's term: "queiram" stems to "que", the term of the
// stopword in every other post here, and quei* must not match them all.
TEST(SearcherPrefixTest, PrefixLeavesOutAStopwordsTermMetThroughAStemCollision) {
  TempDir dir;
  std::vector<index::Document> posts = {Post("queijo", "Queijo fresco", "o queijo que eu quero", "receitas"),
                                        Post("queiram", "Pedido", "espero que queiram", "geral")};
  for (int i = 0; i < 25; ++i) posts.push_back(Post("que" + std::to_string(i), "Dúvida", "o que fazer", "geral"));
  for (int i = 0; i < 3; ++i) posts.push_back(Post("pao" + std::to_string(i), "Pão", "pão quentinho", "receitas"));
  posts.push_back(Post("paes", "Pães", "pães de fermentação natural", "receitas"));
  posts.push_back(Post("forma", "Forma de bolo", "forma redonda", "utensilios"));
  auto g = WriteCollection(dir.path(), PostsSchema(), posts, 1, {});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto searcher = Searcher::Create({*g});
  ASSERT_TRUE(searcher.ok()) << searcher.status().ToString();
  auto ids = [&](const std::string& query) {
    SearchRequest req;
    req.query = query;
    req.limit = 100;
    Result<SearchResponse> r = (*searcher)->Search(req);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status().ToString();
    std::set<std::string> out;
    if (r.ok()) {
      for (const Hit& h : r->hits) out.insert(h.id);
    }
    return out;
  };
  using S = std::set<std::string>;
  EXPECT_EQ(ids("quei*"), (S{"queijo"}));  // not the 26 posts with "que"
  EXPECT_EQ(ids("queij*"), (S{"queijo"}));
  // The word itself still finds its stem's docs, as any stemmed word does.
  EXPECT_EQ(ids("queiram").size(), 27u);
  // A prefix with the stopword among its words keeps its term.
  EXPECT_TRUE(ids("qu*").contains("que0"));
  // A stopword's term that the prefix's words hold most docs of stays: forma -> form, the term of
  // the stopword "formos" too.
  EXPECT_EQ(ids("form*"), (S{"forma"}));
  // Other shared stems stay: pães -> pa, shared with pão.
  EXPECT_EQ(ids("pãe*"), (S{"pao0", "pao1", "pao2", "paes"}));
  EXPECT_EQ(ids("espe*"), (S{"queiram"}));
}

TEST_F(SearcherTest, Filters) {
  EXPECT_EQ(IdSet("pão OR queijo OR café", {"products"}, {"category:padaria"}), (S{"p1", "p6"}));
  EXPECT_EQ(IdSet("pão OR queijo OR café", {"products"}, {"category:padaria|bebidas"}), (S{"p1", "p4", "p6"}));
  EXPECT_EQ(IdSet("queijo", {"products"}, {"price:10..30"}), (S{"p1", "p2"}));
  EXPECT_EQ(IdSet("queijo", {"products"}, {"price<30"}), (S{"p1"}));
  EXPECT_EQ(IdSet("queijo", {"products"}, {"price>30"}), (S{"p7"}));
  EXPECT_EQ(IdSet("queijo", {"products"}, {"verified:true"}), (S{"p1", "p7"}));
  EXPECT_EQ(IdSet("queijo OR café", {"products"}, {"verified:false"}), (S{"p2"}));  // p4: NULL
  EXPECT_EQ(IdSet("queijo", {"products"}, {"created_at>=2024-01-02T00:00:00Z"}), (S{"p2", "p7"}));
  EXPECT_EQ(IdSet("promo*", {"products"}, {"tags:promo"}), (S{"p4", "p8"}));
  // A filter on a field only products has: posts match nothing for it.
  EXPECT_EQ(IdSet("café", {}, {"verified:true|false"}), (S{}));
  EXPECT_EQ(IdSet("açúcar", {}, {"tags:vegano"}), (S{"p3"}));
  SearchRequest req;
  req.query = "queijo";
  req.filters.push_back(*ParseFilter("nope:1"));
  EXPECT_EQ(ErrorOf(req).message(), "filter on unknown field 'nope' (not in any queried collection)");
  req.filters = {*ParseFilter("price:1.234")};
  req.collections = {"products"};
  EXPECT_EQ(ErrorOf(req).code(), StatusCode::kInvalidArgument);
  req.filters = {*ParseFilter("name:pão")};
  EXPECT_NE(ErrorOf(req).message().find("text fields are searched"), std::string::npos);
}

TEST_F(SearcherTest, SortAndPagination) {
  EXPECT_EQ(Ids("queijo", {"products"}, {}, "price:asc"), (std::vector<std::string>{"p1", "p2", "p7"}));
  EXPECT_EQ(Ids("queijo", {"products"}, {}, "price:desc"), (std::vector<std::string>{"p7", "p2", "p1"}));
  EXPECT_EQ(Ids("queijo OR café", {"products"}, {}, "verified:desc").back(), "p4");  // NULL last
  SearchRequest req;
  req.query = "pão OR queijo OR café OR açúcar";
  req.limit = 100;
  Result<SearchResponse> all = searcher_->Search(req);
  ASSERT_TRUE(all.ok());
  ASSERT_GE(all->hits.size(), 8u);
  for (size_t i = 1; i < all->hits.size(); ++i) EXPECT_GE(all->hits[i - 1].score, all->hits[i].score);
  req.offset = 2;
  req.limit = 3;
  Result<SearchResponse> page = searcher_->Search(req);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(page->hits[i].id, all->hits[2 + i].id);
  EXPECT_EQ(page->total_hits, all->total_hits);
  req.limit = 1001;
  EXPECT_EQ(ErrorOf(req).message(), "limit 1001 is above the maximum of 1000");
  req.limit = 1000;
  req.offset = 9001;
  EXPECT_EQ(ErrorOf(req).message(), "offset + limit = 10001 is above the result window of 10000");
}

TEST_F(SearcherTest, TitleWeightRanksNameMatchesFirst) {
  // p1 has "queijo" in the name (weight 3) and p2 twice as well; p7 "Queijo de cabra" short name.
  auto ids = Ids("mineiro OR tradicional", {"products"});
  ASSERT_EQ(ids.size(), 1u);
  SearchRequest req;
  req.query = "cozinheira OR livro";
  req.collections = {"products"};
  auto r = searcher_->Search(req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_GT(r->hits[0].score, 0);
}

TEST_F(SearcherTest, MultiCollectionMergedRanking) {
  SearchRequest req;
  req.query = "queijo";
  req.limit = 100;
  auto r = searcher_->Search(req);
  ASSERT_TRUE(r.ok());
  std::set<std::string> colls;
  for (const Hit& h : r->hits) colls.insert(h.collection);
  EXPECT_EQ(colls, (std::set<std::string>{"posts", "products"}));
  ASSERT_EQ(r->generations.size(), 2u);
  req.collections = {"nope"};
  EXPECT_EQ(ErrorOf(req).message(), "unknown collection 'nope' (known: posts, products)");
}

TEST_F(SearcherTest, StoredFieldsHighlightsExplain) {
  SearchRequest req;
  req.query = "pao queijo";
  req.collections = {"products"};
  req.return_stored = true;
  req.stored_fields = {"name", "price"};
  req.highlight = true;
  req.explain = true;
  auto r = searcher_->Search(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->hits.empty());
  const Hit& h = r->hits[0];
  EXPECT_EQ(h.id, "p1");
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].name, "name");
  EXPECT_EQ(FormatStoredValue(h.fields[1]), "12.50");
  ASSERT_FALSE(h.highlights.empty());
  EXPECT_EQ(h.highlights[0].field, "name");
  EXPECT_EQ(h.highlights[0].marked, "<em>Pão</em> de <em>queijo</em> mineiro");
  double sum = 0;
  for (const ScorePart& p : h.score_parts) sum += p.score;
  EXPECT_NEAR(sum, h.score, 1e-9);
  ASSERT_TRUE(r->explanation.has_value());
  const Explanation& e = *r->explanation;
  EXPECT_NE(e.parsed_query.find("word(pao"), std::string::npos) << e.parsed_query;
  ASSERT_EQ(e.words.size(), 2u);
  EXPECT_GT(e.words[0].postings, 0u);
  EXPECT_FALSE(e.ToText().empty());
}

TEST_F(SearcherTest, DeadlineAndCancellation) {
  SearchRequest req;
  req.query = "queijo";
  QueryControl control;
  control.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  auto r = searcher_->Search(req, control);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  CancellationToken token;
  token.Cancel();
  QueryControl c2;
  c2.cancel = &token;
  r = searcher_->Search(req, c2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
}

// A CancellationSource (how server/ plugs a gRPC call in) is polled by the engine itself: a
// source that turns cancelled after the first poll stops the search, and is not asked again.
TEST_F(SearcherTest, PollsTheCancellationSource) {
  class CancelAfter : public CancellationSource {
   public:
    explicit CancelAfter(int n) : n_(n) {}
    bool IsCancelled() const override { return ++polls > n_; }
    mutable std::atomic<int> polls{0};

   private:
    const int n_;
  };
  SearchRequest req;
  req.query = "queijo";
  CancelAfter never(1 << 30);
  CancellationToken live(&never);
  QueryControl control;
  control.cancel = &live;
  auto r = searcher_->Search(req, control);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(never.polls.load(), 2);  // at least at the start and after evaluation

  CancelAfter later(1);
  CancellationToken token(&later);
  control.cancel = &token;
  r = searcher_->Search(req, control);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(later.polls.load(), 2);
  EXPECT_TRUE(token.cancelled());  // latched
  EXPECT_EQ(later.polls.load(), 2);
}

TEST_F(SearcherTest, QueryLimits) {
  SearchRequest req;
  std::string many;
  for (int i = 0; i < 40; ++i) many += "queijo" + std::to_string(i) + " ";
  req.query = many;
  EXPECT_EQ(ErrorOf(req).message(), "query has more than 32 words (the limit)");
  req.query = "-queijo";
  EXPECT_EQ(ErrorOf(req).message(), "query needs at least one word or phrase that is not excluded");
  req.query = "!!! ???";
  EXPECT_EQ(ErrorOf(req).message(), "query has no searchable words");
  req.query = "pão \"de";
  EXPECT_NE(ErrorOf(req).message().find("at character 5"), std::string::npos);
}

TEST_F(SearcherTest, Suggest) {
  SuggestRequest req;
  req.text = "pão de qu";
  req.collections = {"products"};
  auto r = searcher_->Suggest(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->suggestions.empty());
  EXPECT_EQ(r->suggestions[0].word, "queijo");
  EXPECT_EQ(r->suggestions[0].completion, "pão de queijo");
  req.text = "acu";
  r = searcher_->Suggest(req);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->suggestions.empty());
  EXPECT_EQ(r->suggestions[0].word, "açúcar");
  req.text = "";
  req.collections = {};
  r = searcher_->Suggest(req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->suggestions.empty());
  EXPECT_EQ(r->generations.size(), 2u);
}

}  // namespace
}  // namespace busca::query::testing
