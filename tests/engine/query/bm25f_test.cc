// The BM25F helpers of engine/query/bm25f.h: Bm25TfTildeBelow's cut is safe (every tf~ below it
// scores below the given score) and tight (a tf~ slightly above it does not), over random idf and
// scores across the saturation's range, including the edges (a score at or above the supremum,
// a score of 0 or below).
#include "engine/query/bm25f.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace busca::query {
namespace {

TEST(Bm25fTest, TfTildeCutIsSafeAndTight) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> idf_dist(0.01, 12.0);
  std::uniform_real_distribution<double> frac(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    const double idf = idf_dist(rng);
    const double score = idf * (kBm25K1 + 1.0) * frac(rng);  // inside the saturation's range
    const double cut = Bm25TfTildeBelow(idf, score);
    ASSERT_GE(cut, 0.0);
    ASSERT_TRUE(std::isfinite(cut));
    // Safe: just below the cut, and anywhere further below, the score stays under.
    ASSERT_LT(Bm25Score(idf, std::nextafter(cut, 0.0)), score) << idf << " " << score;
    ASSERT_LT(Bm25Score(idf, cut * frac(rng)), score) << idf << " " << score;
    // Tight: a little above the cut reaches the score.
    if (cut > 1e-6) {
      ASSERT_GE(Bm25Score(idf, cut * (1 + 1e-6)), score) << idf << " " << score;
    }
  }
}

TEST(Bm25fTest, TfTildeCutEdges) {
  // No tf~ scores above idf * (k1 + 1): every tf~ is below such a score.
  EXPECT_EQ(Bm25TfTildeBelow(2.0, 2.0 * (kBm25K1 + 1.0) * 1.01), std::numeric_limits<double>::infinity());
  // At the supremum itself the cut gives up (0: nothing is passed), never a negative cut.
  EXPECT_EQ(Bm25TfTildeBelow(2.0, 2.0 * (kBm25K1 + 1.0)), 0.0);
  // A score of 0 or below: every doc with a match scores above it, so nothing is passed.
  EXPECT_EQ(Bm25TfTildeBelow(2.0, 0.0), 0.0);
  EXPECT_EQ(Bm25TfTildeBelow(2.0, -3.0), 0.0);
  EXPECT_EQ(Bm25TfTildeBelow(2.0, -std::numeric_limits<double>::infinity()), 0.0);
}

}  // namespace
}  // namespace busca::query
