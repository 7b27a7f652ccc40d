// Property tests: random corpora (2 collections, >= 2 segments each, deletions and re-added ids)
// and random queries (words, accents, phrases, OR, exclusions, prefixes, filters, sorts,
// pagination, small total-hit thresholds) — the engine's matching set, scores (1e-6) and top-k
// must equal the brute-force ReferenceEvaluator's.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "engine/query/searcher.h"
#include "tests/engine/query/reference_evaluator.h"
#include "tests/engine/query/test_corpus.h"

namespace busca::query::testing {
namespace {

std::string Pick(std::mt19937_64& rng, const std::vector<std::string>& v) { return v[rng() % v.size()]; }

std::string RandomWord(std::mt19937_64& rng) {
  const auto& vocab = CorpusVocabulary();
  // Favour the frequent words (the head of the vocabulary) but reach the tail too.
  size_t k = rng() % 2 ? rng() % 12 : rng() % vocab.size();
  std::string w = vocab[k];
  if (rng() % 9 == 0) w = "zzqx" + std::to_string(rng() % 3);  // absent word
  return w;
}

std::string RandomPhrase(std::mt19937_64& rng, const std::vector<RefCollection>& colls);

std::string RandomItem(std::mt19937_64& rng, const std::vector<RefCollection>& colls) {
  int kind = static_cast<int>(rng() % 10);
  if (kind < 6) return RandomWord(rng);
  if (kind < 8) {
    // A prefix of a vocabulary word (folded or not).
    std::string w = RandomWord(rng);
    while (w.size() < 3) w = RandomWord(rng);
    size_t len = 2 + rng() % 3;
    // Cut on a character boundary.
    size_t bytes = 0, chars = 0;
    while (bytes < w.size() && chars < len) {
      ++bytes;
      while (bytes < w.size() && (static_cast<unsigned char>(w[bytes]) & 0xC0) == 0x80) ++bytes;
      ++chars;
    }
    return w.substr(0, bytes) + "*";
  }
  return RandomPhrase(rng, colls);
}

// A phrase: consecutive words of a document (so it often matches), or random words.
std::string RandomPhrase(std::mt19937_64& rng, const std::vector<RefCollection>& colls) {
  const RefCollection& c = colls[rng() % colls.size()];
  const RefDoc& d = c.docs[rng() % c.docs.size()];
  std::string text;
  for (const auto& v : d.doc.values) {
    if (const auto* s = std::get_if<std::string>(&v)) {
      text = *s;
      break;
    }
  }
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t sp = text.find(' ', start);
    if (sp == std::string::npos) sp = text.size();
    std::string w = text.substr(start, sp - start);
    if (!w.empty() && w.back() == ',') w.pop_back();
    if (!w.empty()) words.push_back(w);
    start = sp + 1;
  }
  size_t n = 2 + rng() % 2;
  std::string phrase;
  if (words.size() >= n && rng() % 4 != 0) {
    size_t from = rng() % (words.size() - n + 1);
    for (size_t i = 0; i < n; ++i) phrase += (i ? " " : "") + words[from + i];
  } else {
    for (size_t i = 0; i < n; ++i) phrase += (i ? " " : "") + RandomWord(rng);
  }
  return "\"" + phrase + "\"";
}

std::string RandomQuery(std::mt19937_64& rng, const std::vector<RefCollection>& colls) {
  int clauses = 1 + static_cast<int>(rng() % 3);
  std::string q;
  for (int i = 0; i < clauses; ++i) {
    if (!q.empty()) q += ' ';
    int shape = static_cast<int>(rng() % 10);
    if (shape < 6 || i == 0) {
      q += RandomItem(rng, colls);
    } else if (shape < 8) {
      q += RandomItem(rng, colls) + " OR " + RandomItem(rng, colls);
      if (rng() % 3 == 0) q += " OR " + RandomItem(rng, colls);
    } else {
      std::string item = RandomItem(rng, colls);
      q += "-" + item;
    }
  }
  return q;
}

void AddRandomFilters(std::mt19937_64& rng, SearchRequest* req) {
  int n = rng() % 3 == 0 ? 1 + static_cast<int>(rng() % 2) : 0;
  for (int i = 0; i < n; ++i) {
    static const std::vector<std::string> kFilters = {
        "category:padaria",        "category:doces|bebidas",   "tags:promo",
        "tags:vegano|kit",         "price:10..30",          "price<20",
        "price>=40",               "verified:true",            "verified:false",
        "created_at>=2024-01-01T00:00:00Z", "created_at<1750000000000000", "category:laticínios",
    };
    Result<Filter> f = ParseFilter(Pick(rng, kFilters));
    ASSERT_TRUE(f.ok());
    req->filters.push_back(*f);
  }
}

// Compares the engine's response with the reference's full ordered match list.
void ExpectSame(const SearchRequest& req, const SearchResponse& got, const RefResult& want, const std::string& what) {
  const auto& all = want.all;
  uint64_t threshold = req.total_hits_threshold == 0 ? kDefaultTotalHitsThreshold : req.total_hits_threshold;
  if (got.total_is_lower_bound) {
    EXPECT_GE(got.total_hits, threshold) << what;
    EXPECT_LE(got.total_hits, all.size()) << what;
  } else {
    EXPECT_EQ(got.total_hits, all.size()) << what;
  }
  size_t begin = std::min<size_t>(req.offset, all.size());
  size_t end = std::min<size_t>(size_t{req.offset} + req.limit, all.size());
  ASSERT_EQ(got.hits.size(), end - begin) << what;
  // Map (collection, id) -> reference score.
  std::map<std::pair<std::string, std::string>, double> ref_score;
  for (const RefHit& h : all) ref_score[{h.collection, h.id}] = h.score;
  std::set<std::pair<std::string, std::string>> seen;
  bool near_ties = false;
  for (size_t i = begin; i + 1 < std::min(end + 1, all.size()); ++i) {
    if (std::abs(all[i].score - all[i + 1].score) < 1e-7 && all[i].score != all[i + 1].score) near_ties = true;
  }
  for (size_t i = 0; i < got.hits.size(); ++i) {
    const Hit& h = got.hits[i];
    const RefHit& r = all[begin + i];
    auto key = std::make_pair(h.collection, h.id);
    ASSERT_TRUE(ref_score.count(key)) << what << ": engine hit " << h.collection << "/" << h.id << " does not match";
    EXPECT_TRUE(seen.insert(key).second) << what << ": duplicate hit " << h.id;
    EXPECT_NEAR(h.score, ref_score[key], 1e-6) << what << ": score of " << h.collection << "/" << h.id;
    EXPECT_NEAR(h.score, r.score, 1e-6) << what << ": rank " << begin + i;
    if (!near_ties && req.sort.field.empty()) {
      EXPECT_EQ(key, std::make_pair(r.collection, r.id)) << what << ": rank " << begin + i;
    }
    if (!req.sort.field.empty() && !near_ties) {
      EXPECT_EQ(key, std::make_pair(r.collection, r.id)) << what << ": rank " << begin + i << " (field sort)";
    }
  }
}

class SearcherPropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SearcherPropertyTest, RandomQueriesMatchReference) {
  TempDir dir;
  CorpusOptions options;
  options.seed = GetParam();
  options.docs_per_collection = 300 + static_cast<uint32_t>(GetParam() % 4) * 150;
  options.segments = 2 + static_cast<uint32_t>(GetParam() % 3);
  options.merge = GetParam() % 2 == 0;  // merged: the stored per-block tf~ bounds are used
  Result<BuiltCorpus> corpus = BuildCorpus(dir.path(), options);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  ReferenceEvaluator ref(corpus->collections);
  std::mt19937_64 rng(GetParam() * 7919 + 17);
  int compared = 0, nonempty = 0;
  for (int iter = 0; iter < 400; ++iter) {
    SearchRequest req;
    req.query = RandomQuery(rng, corpus->collections);
    int c = static_cast<int>(rng() % 4);
    if (c == 1) req.collections = {"products"};
    if (c == 2) req.collections = {"posts"};
    AddRandomFilters(rng, &req);
    int s = static_cast<int>(rng() % 10);
    if (s == 6) req.sort = *ParseSort("price:asc");
    if (s == 7) req.sort = *ParseSort("price:desc");
    if (s == 8) req.sort = *ParseSort("category");
    if (s == 9) req.sort = *ParseSort("score:asc");
    int p = static_cast<int>(rng() % 5);
    if (p == 1) req.limit = 1000;
    if (p == 2) {
      req.offset = 5;
      req.limit = 7;
    }
    if (p == 3) {
      req.offset = 20;
      req.limit = 10;
    }
    if (p == 4) req.limit = 1;
    if (rng() % 4 == 0) req.total_hits_threshold = 1 + rng() % 20;
    std::string what = "query [" + req.query + "] seed " + std::to_string(GetParam()) + " iter " + std::to_string(iter);
    Result<SearchResponse> got = corpus->searcher->Search(req);
    Result<RefResult> want = ref.Search(req);
    if (!want.ok()) {
      // The reference rejects only what the engine must reject too.
      EXPECT_FALSE(got.ok()) << what << " reference: " << want.status().ToString();
      continue;
    }
    if (!got.ok()) {
      // Filters on a field that no queried collection has, sorts on such fields.
      ASSERT_EQ(got.status().code(), StatusCode::kInvalidArgument) << what << ": " << got.status().ToString();
      EXPECT_TRUE(got.status().message().find("unknown field") != std::string::npos ||
                  got.status().message().find("shorter than") != std::string::npos ||
                  got.status().message().find("must be a single word") != std::string::npos)
          << what << ": " << got.status().ToString();
      continue;
    }
    ++compared;
    nonempty += !want->all.empty();
    ExpectSame(req, *got, *want, what);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(compared, 300);
  EXPECT_GT(nonempty, 150);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SearcherPropertyTest, ::testing::Values(1, 2, 3, 4, 5, 6));

// Larger posting lists (many blocks) with small k: block-max pruning must return exactly the
// exhaustive top-k (compared with the reference and with a field-sort-free exhaustive run).
// Run over a multi-segment generation (per-field block bounds) and a merged one (stored per-block
// tf~ bounds).
class SearcherPruningTest : public ::testing::TestWithParam<bool> {
 protected:
  // 6,000 docs per collection in 3 segments, merged into one when the parameter says so.
  Result<BuiltCorpus> LongListCorpus(uint64_t seed) {
    CorpusOptions options;
    options.seed = seed;
    options.docs_per_collection = 6000;
    options.segments = 3;
    options.merge = GetParam();
    return BuildCorpus(dir_.path(), options);
  }

  // Runs `iterations` requests, make_request(iteration), on the engine and the reference and
  // compares them (ExpectSame), stopping at the first failure. Returns how many answers had a
  // lower-bound total, i.e. how often pruning skipped matches.
  template <typename MakeRequest>
  uint64_t CompareWithReference(BuiltCorpus& corpus, int iterations, MakeRequest make_request) {
    ReferenceEvaluator ref(corpus.collections);
    uint64_t lower_bound_answers = 0;
    for (int iter = 0; iter < iterations; ++iter) {
      SearchRequest req = make_request(iter);
      std::string what = "query [" + req.query + "] iter " + std::to_string(iter);
      Result<SearchResponse> got = corpus.searcher->Search(req);
      Result<RefResult> want = ref.Search(req);
      if (!got.ok() && (got.status().message().find("shorter than") != std::string::npos ||
                        got.status().message().find("must be a single word") != std::string::npos)) {
        continue;
      }
      EXPECT_EQ(got.ok(), want.ok()) << what << (got.ok() ? "" : got.status().ToString());
      if (got.ok() != want.ok()) break;
      if (!got.ok()) continue;
      lower_bound_answers += got->total_is_lower_bound;
      ExpectSame(req, *got, *want, what);
      if (::testing::Test::HasFailure()) break;
    }
    return lower_bound_answers;
  }

  TempDir dir_;
};

TEST_P(SearcherPruningTest, TopKEqualsExhaustiveOnLongLists) {
  Result<BuiltCorpus> corpus = LongListCorpus(99);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  std::mt19937_64 rng(4242);
  const uint64_t lower_bound_answers = CompareWithReference(*corpus, 80, [&](int iter) {
    SearchRequest req;
    req.query = RandomQuery(rng, corpus->collections);
    req.limit = 1 + static_cast<uint32_t>(rng() % 10);
    if (iter % 2 == 0) req.total_hits_threshold = 50;
    return req;
  });
  // Pruning did kick in for some queries.
  EXPECT_GT(lower_bound_answers, 5u);
}

// Phrases of frequent words (which often co-occur without being adjacent), alone or beside a
// word, with small count thresholds: once counting stops, phrase candidates are verified only
// when they could enter the top k, and those that fail must never be returned.
TEST_P(SearcherPruningTest, PhrasesEqualExhaustiveOnceCountingStops) {
  Result<BuiltCorpus> corpus = LongListCorpus(7);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  const auto& vocab = CorpusVocabulary();
  std::mt19937_64 rng(777);
  const uint64_t lower_bound_answers = CompareWithReference(*corpus, 120, [&](int iter) {
    std::string phrase = rng() % 2 ? RandomPhrase(rng, corpus->collections)
                                   : "\"" + vocab[rng() % 12] + " " + vocab[rng() % 12] + "\"";
    SearchRequest req;
    req.query = iter % 3 == 0 ? phrase : RandomWord(rng) + " " + phrase;
    req.limit = 1 + static_cast<uint32_t>(rng() % 10);
    req.total_hits_threshold = 1 + rng() % 20;
    return req;
  });
  EXPECT_GT(lower_bound_answers, 10u);
}

// Two or three frequent words (dense lists, the windowed conjunction once counting stops), with
// small k and count thresholds: the cuts each list's docs must pass, from the other words' window
// bounds, never drop a doc of the exhaustive top k.
TEST_P(SearcherPruningTest, ConjunctionsOfFrequentWordsEqualExhaustive) {
  Result<BuiltCorpus> corpus = LongListCorpus(31);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  const auto& vocab = CorpusVocabulary();
  std::mt19937_64 rng(3131);
  const uint64_t lower_bound_answers = CompareWithReference(*corpus, 150, [&](int iter) {
    SearchRequest req;
    req.query = vocab[rng() % 12] + " " + vocab[rng() % 12];
    if (iter % 2 == 0) req.query += " " + vocab[rng() % 12];
    req.limit = 1 + static_cast<uint32_t>(rng() % 10);
    req.total_hits_threshold = 1 + rng() % 20;
    return req;
  });
  EXPECT_GT(lower_bound_answers, 50u);
}

INSTANTIATE_TEST_SUITE_P(Segments, SearcherPruningTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Merged" : "ThreeSegments"; });

}  // namespace
}  // namespace busca::query::testing
