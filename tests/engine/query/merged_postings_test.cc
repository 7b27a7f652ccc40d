// A prefix or word whose expansions open many cursors in a segment, or that is alone in the query
// with two or more large lists, is walked as one materialized list (engine/query/merged_postings.h).
// Its docs, tfs, scores and block bounds must give exactly what the brute-force reference gives:
// ranked top-k with pruning, exact totals, exclusions, an AND with another word, filters and field
// sorts, over one segment (stored tf~ bounds usable) and over several segments with deletions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/query/query_limits.h"
#include "engine/query/searcher.h"
#include "tests/engine/query/reference_evaluator.h"
#include "tests/engine/query/test_corpus.h"

namespace busca::query::testing {
namespace {

// Made-up words sharing the prefix "zorb", each its own stem (distinct consonant endings), plus a
// few common words.
std::vector<std::string> PrefixWords() {
  std::vector<std::string> words;
  for (char a : std::string("bcdfgjklmnpt")) {
    for (char b : std::string("dkt")) words.push_back(std::string("zorb") + a + "i" + b);
  }
  return words;  // 36 words
}

std::vector<index::Document> MakeDocs(uint32_t n, uint64_t seed) {
  const std::vector<std::string> words = PrefixWords();
  static const char* kCommon[] = {"bolo", "feira", "queijo", "vendo", "caseiro", "novo"};
  std::mt19937_64 rng(seed);
  std::vector<index::Document> docs;
  for (uint32_t i = 0; i < n; ++i) {
    auto text = [&](int len) {
      std::string t;
      for (int k = 0; k < len; ++k) {
        if (!t.empty()) t += ' ';
        // Zipf-ish over the prefix words, so some lists are long and some short.
        if (rng() % 3 == 0) {
          t += kCommon[rng() % 6];
        } else {
          const double e = std::exp(std::uniform_real_distribution<double>(0, 3.6)(rng));
          size_t w = std::min(words.size() - 1, static_cast<size_t>(e) - 1);
          t += words[w];
        }
      }
      return t;
    };
    index::Document d;
    d.id = "p" + std::to_string(i);
    d.values.resize(4);
    d.values[0] = text(1 + static_cast<int>(rng() % 4));
    d.values[1] = text(static_cast<int>(rng() % 40));
    d.values[2] = std::vector<std::string>{rng() % 2 ? "receitas" : "feiras"};
    if (rng() % 5 != 0) d.values[3] = static_cast<int64_t>(rng() % 1000);
    docs.push_back(std::move(d));
  }
  return docs;
}

struct Layout {
  uint32_t segments;
  double delete_fraction;
};

class MergedPostingsTest : public ::testing::TestWithParam<Layout> {};

TEST_P(MergedPostingsTest, ManyExpansionsMatchReference) {
  const Layout layout = GetParam();
  TempDir dir;
  const std::vector<index::Document> docs = MakeDocs(3000, 7);
  std::mt19937_64 rng(11);
  std::vector<std::string> deleted;
  RefCollection rc;
  rc.schema = PostsSchema();
  for (const index::Document& d : docs) {
    const bool del = std::uniform_real_distribution<double>(0, 1)(rng) < layout.delete_fraction;
    if (del) deleted.push_back(d.id);
    rc.docs.push_back({d, !del, {}});
  }
  auto gen = WriteCollection(dir.path(), rc.schema, docs, layout.segments, deleted);
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  auto searcher = Searcher::Create({*gen});
  ASSERT_TRUE(searcher.ok()) << searcher.status().ToString();
  ReferenceEvaluator ref({rc});

  const std::vector<std::string> queries = {"zorb*",          "zorbb*",         "zorb* queijo", "queijo zorb*",
                                            "zorb* -zorbbid", "zorb* -queijo",  "bolo OR zorb*", "zorb* zorbc*",
                                            "\"bolo\" zorb*", "zorb* -\"feira novo\""};
  int checked = 0;
  for (const std::string& q : queries) {
    for (uint32_t limit : {1u, 10u, 100u}) {
      for (uint64_t threshold : {uint64_t{0}, uint64_t{5}}) {
        for (int variant = 0; variant < 3; ++variant) {
          SearchRequest req;
          req.query = q;
          req.limit = limit;
          req.total_hits_threshold = threshold;
          if (variant == 1) req.filters.push_back(*ParseFilter("category:receitas"));
          if (variant == 2) req.sort = *ParseSort("price:asc");
          req.explain = true;
          const std::string what = "[" + q + "] limit " + std::to_string(limit) + " threshold " +
                                   std::to_string(threshold) + " variant " + std::to_string(variant);
          Result<SearchResponse> got = (*searcher)->Search(req);
          Result<RefResult> want = ref.Search(req);
          ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
          ASSERT_TRUE(want.ok()) << what << ": " << want.status().ToString();
          // The prefix did open many cursors (the merged path), at least in the plain queries.
          if (q == "zorb*") {
            ASSERT_TRUE(got->explanation.has_value());
            ASSERT_GT(got->explanation->words.at(0).expansions.size(), 16u) << what;
          }
          // Three expansions, the three longest lists: materialized as a lone prefix with two or
          // more large lists (not by its number of cursors).
          if (q == "zorbb*") {
            ASSERT_TRUE(got->explanation.has_value());
            ASSERT_EQ(got->explanation->words.at(0).expansions.size(), 3u) << what;
          }
          const uint64_t all = want->all.size();
          const uint64_t exact_up_to = threshold == 0 ? kDefaultTotalHitsThreshold : threshold;
          if (got->total_is_lower_bound) {
            EXPECT_GT(all, exact_up_to) << what;
            EXPECT_GE(got->total_hits, exact_up_to) << what;
            EXPECT_LE(got->total_hits, all) << what;
          } else {
            EXPECT_EQ(got->total_hits, all) << what;
          }
          ASSERT_EQ(got->hits.size(), std::min<uint64_t>(limit, all)) << what;
          for (size_t i = 0; i < got->hits.size(); ++i) {
            EXPECT_NEAR(got->hits[i].score, want->all[i].score, 1e-6) << what << " rank " << i;
            // The explanation (walked without materializing) adds up to the score.
            double parts = 0;
            for (const ScorePart& p : got->hits[i].score_parts) parts += p.score;
            EXPECT_NEAR(parts, got->hits[i].score, 1e-9) << what << " rank " << i;
            // Ids must agree unless the reference has a near tie at this rank.
            auto near = [&](size_t j) { return std::abs(want->all[j].score - want->all[i].score) < 1e-9; };
            const bool tie = (i + 1 < want->all.size() && near(i + 1)) || (i > 0 && near(i - 1));
            if (!tie) {
              EXPECT_EQ(got->hits[i].id, want->all[i].id) << what << " rank " << i;
            }
          }
          ++checked;
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(queries.size()) * 3 * 2 * 3);
}

INSTANTIATE_TEST_SUITE_P(Layouts, MergedPostingsTest,
                         ::testing::Values(Layout{1, 0.0}, Layout{3, 0.1}),
                         [](const ::testing::TestParamInfo<Layout>& p) {
                           return p.param.segments == 1 ? std::string("OneSegment") : std::string("ThreeSegmentsDeletes");
                         });

}  // namespace
}  // namespace busca::query::testing
