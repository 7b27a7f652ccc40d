// SurfaceDictionary and ExpandQueryTerms: a query word reaches its own term and the terms of
// every indexed spelling that folds like it.
#include "engine/analysis/query_terms.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/analysis/analyzer.h"
#include "engine/analysis/surface_dictionary.h"

namespace busca::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SurfaceDictionaryTest, KeepsSortedUniqueTermsPerKey) {
  SurfaceDictionary dict;
  dict.Add("pao", "pa");
  dict.Add("pao", "pao");
  dict.Add("pao", "pa");
  dict.Add("acucar", "acuc");
  EXPECT_EQ(dict.size(), 2u);
  EXPECT_THAT(dict.Lookup("pao"), ElementsAre("pa", "pao"));
  EXPECT_THAT(dict.Lookup("nada"), IsEmpty());
  std::vector<std::string> keys;
  dict.ForEach([&](std::string_view key, std::span<const std::string>) { keys.emplace_back(key); });
  EXPECT_THAT(keys, ElementsAre("acucar", "pao"));
}

TEST(QueryTermsTest, UnaccentedQueryReachesAccentedDocumentsAndTheirStemClass) {
  Analyzer analyzer;
  SurfaceDictionary dict;
  // Documents: "pães", "pão" (stem class {pã}) and "promoções" / "promoção".
  for (const Token& t : analyzer.Analyze("pães pão promoções promoção")) dict.Add(t);
  auto lookup = [&](std::string_view key, std::vector<std::string>* terms) {
    for (const std::string& term : dict.Lookup(key)) terms->push_back(term);
  };
  auto expand = [&](std::string_view query) {
    std::vector<Token> tokens = analyzer.Analyze(query);
    EXPECT_EQ(tokens.size(), 1u);
    return ExpandQueryTerms(tokens.at(0), lookup);
  };
  // "pao" stems to "pao" (Snowball does not see the nasal ending), but the dictionary maps
  // "pao" -> "pa" (from "pão"), the term shared with "pães".
  EXPECT_THAT(expand("pao"), ElementsAre("pa", "pao"));
  EXPECT_THAT(expand("pão"), ElementsAre("pa"));
  EXPECT_THAT(expand("PAES"), ElementsAre("pa", "paes"));
  EXPECT_THAT(expand("promocao"), ElementsAre("promoca"));
  EXPECT_THAT(expand("promocoes"), ElementsAre("promoco"));
  // Without a lookup only the word's own term remains.
  EXPECT_THAT(ExpandQueryTerms(analyzer.Analyze("pao").at(0), nullptr), ElementsAre("pao"));
}

}  // namespace
}  // namespace busca::analysis
