#include "engine/query/query_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/query/query_limits.h"
#include "engine/query/searcher.h"

namespace busca::query {
namespace {

std::string Canon(std::string_view text) {
  Result<ParsedQuery> q = ParseQuery(text);
  if (!q.ok()) return "ERROR " + q.status().message();
  return q->ToString();
}

std::string ErrorOf(std::string_view text) {
  Result<ParsedQuery> q = ParseQuery(text);
  EXPECT_FALSE(q.ok()) << text;
  if (q.ok()) return "";
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  return q.status().message();
}

TEST(QueryParserTest, WordsAreAnded) {
  ParsedQuery q = *ParseQuery("pão de queijo");
  ASSERT_EQ(q.clauses.size(), 3u);
  for (const QueryClause& c : q.clauses) {
    EXPECT_FALSE(c.excluded);
    ASSERT_EQ(c.alternatives.size(), 1u);
    EXPECT_EQ(c.alternatives[0].kind, QueryItem::Kind::kWord);
  }
  EXPECT_EQ(q.clauses[0].alternatives[0].text, "pão");
  EXPECT_EQ(q.clauses[2].alternatives[0].position, 8u);  // characters, not bytes
}

TEST(QueryParserTest, OrBindsTighterThanAnd) {
  EXPECT_EQ(Canon("a b OR c"), "a b OR c");
  ParsedQuery q = *ParseQuery("a OR b c OR d OR e f");
  ASSERT_EQ(q.clauses.size(), 3u);
  EXPECT_EQ(q.clauses[0].alternatives.size(), 2u);
  EXPECT_EQ(q.clauses[1].alternatives.size(), 3u);
  EXPECT_EQ(q.clauses[2].alternatives.size(), 1u);
  EXPECT_EQ(Canon("café or chá"), "café or chá");  // lower-case "or" is a word
}

TEST(QueryParserTest, PhrasesPrefixesExclusions) {
  EXPECT_EQ(Canon("\"pão de queijo\" promo* -doce -\"sem glúten\""),
            "\"pão de queijo\" promo* -doce -\"sem glúten\"");
  ParsedQuery q = *ParseQuery("-\"a b\" x*");
  ASSERT_EQ(q.clauses.size(), 2u);
  EXPECT_TRUE(q.clauses[0].excluded);
  EXPECT_EQ(q.clauses[0].alternatives[0].kind, QueryItem::Kind::kPhrase);
  EXPECT_EQ(q.clauses[0].alternatives[0].text, "a b");
  EXPECT_EQ(q.clauses[1].alternatives[0].kind, QueryItem::Kind::kPrefix);
  EXPECT_EQ(q.clauses[1].alternatives[0].text, "x");
  EXPECT_EQ(Canon("\"a b\" OR c*"), "\"a b\" OR c*");
  // A quote inside a word ends the word and opens a phrase.
  EXPECT_EQ(Canon("ab\"cd ef\""), "ab \"cd ef\"");
  // A minus inside a word is part of the word (x-tudo).
  EXPECT_EQ(Canon("x-tudo"), "x-tudo");
}

TEST(QueryParserTest, ErrorsCarryCharacterPositions) {
  EXPECT_EQ(ErrorOf("pão \"de queijo"),
            "query syntax: unterminated phrase: '\"' has no closing '\"' (at character 5)");
  EXPECT_EQ(ErrorOf("OR café"), "query syntax: 'OR' needs a word or phrase before it (at character 1)");
  EXPECT_EQ(ErrorOf("café OR"), "query syntax: 'OR' needs a word or phrase after it (at character 6)");
  EXPECT_EQ(ErrorOf("a OR OR b"), "query syntax: 'OR' cannot follow 'OR' (at character 6)");
  EXPECT_EQ(ErrorOf("ação - b"),
            "query syntax: '-' must be followed directly by a word or phrase to exclude (at character 6)");
  EXPECT_EQ(ErrorOf("a OR -b"), "query syntax: an excluded item ('-') cannot be part of an OR (at character 6)");
  EXPECT_EQ(ErrorOf("-a OR b"), "query syntax: an excluded item ('-') cannot be part of an OR (at character 4)");
  EXPECT_EQ(ErrorOf("pro*mo"),
            "query syntax: '*' is only allowed at the end of a word (prefix search) (at character 4)");
  EXPECT_EQ(ErrorOf("a *"), "query syntax: '*' needs a prefix before it (at character 3)");
  EXPECT_EQ(ErrorOf("a \"  \""), "query syntax: empty phrase (at character 3)");
  EXPECT_EQ(ErrorOf("--a"), "query syntax: '-' cannot follow '-' (at character 2)");
  EXPECT_EQ(ErrorOf("a -OR"), "query syntax: 'OR' cannot be excluded (at character 4)");
  EXPECT_EQ(ErrorOf("   "), "query is empty");
}

TEST(QueryParserTest, LengthLimit) {
  std::string long_query(kMaxQueryBytes + 1, 'a');
  EXPECT_EQ(ErrorOf(long_query), "query is 1025 bytes long; the limit is 1024");
  std::string ok_query(kMaxQueryBytes, 'a');
  EXPECT_TRUE(ParseQuery(ok_query).ok());
}

TEST(QueryParserTest, NeverThrowsOnArbitraryBytes) {
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int len = static_cast<int>(x % 24);
    for (int j = 0; j < len; ++j) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      static const char kAlphabet[] = "ab -\"*OR \xc3\xa3\xff\t";
      s.push_back(kAlphabet[x % (sizeof(kAlphabet) - 1)]);
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    Result<ParsedQuery> q = ParseQuery(s);
    if (q.ok()) {
      // The canonical form parses to the same canonical form.
      Result<ParsedQuery> again = ParseQuery(q->ToString());
      ASSERT_TRUE(again.ok()) << s;
      EXPECT_EQ(again->ToString(), q->ToString()) << s;
    } else {
      EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(RequestParsingTest, Filters) {
  Filter f = *ParseFilter("category:bebidas");
  EXPECT_EQ(f.field, "category");
  EXPECT_EQ(f.op, Filter::Op::kIn);
  EXPECT_EQ(f.values, std::vector<std::string>{"bebidas"});
  f = *ParseFilter("city:recife|olinda");
  EXPECT_EQ(f.values, (std::vector<std::string>{"recife", "olinda"}));
  f = *ParseFilter("price:10..20.50");
  EXPECT_EQ(f.op, Filter::Op::kRange);
  EXPECT_EQ(*f.lower, "10");
  EXPECT_EQ(*f.upper, "20.50");
  EXPECT_TRUE(f.lower_inclusive && f.upper_inclusive);
  f = *ParseFilter("price:..5");
  EXPECT_FALSE(f.lower.has_value());
  f = *ParseFilter("price<100");
  EXPECT_EQ(*f.upper, "100");
  EXPECT_FALSE(f.upper_inclusive);
  f = *ParseFilter("created_at>=2024-01-01T00:00:00Z");
  EXPECT_EQ(*f.lower, "2024-01-01T00:00:00Z");
  EXPECT_TRUE(f.lower_inclusive);
  EXPECT_FALSE(ParseFilter("price").ok());
  EXPECT_FALSE(ParseFilter("Price:1").ok());
  EXPECT_FALSE(ParseFilter("price:").ok());
  EXPECT_FALSE(ParseFilter("price:..").ok());
  EXPECT_FALSE(ParseFilter("city:a||b").ok());
  EXPECT_EQ(ParseFilter("city:a||b").status().message(), "filter 'city:a||b': empty value in a set (at character 8)");
}

TEST(RequestParsingTest, Sorts) {
  SortSpec s = *ParseSort("score");
  EXPECT_TRUE(s.field.empty());
  EXPECT_FALSE(s.ascending);
  s = *ParseSort("price:desc");
  EXPECT_EQ(s.field, "price");
  EXPECT_FALSE(s.ascending);
  s = *ParseSort("created_at");
  EXPECT_TRUE(s.ascending);
  EXPECT_FALSE(ParseSort("price:up").ok());
  EXPECT_FALSE(ParseSort("Preço").ok());
}

}  // namespace
}  // namespace busca::query
