// Unit tests for analysis::Analyzer: stems meeting where Snowball says, offsets, positions,
// stopwords, tokenisation rules (500ml, x-tudo, URLs, decimals), and hostile input.
#include "engine/analysis/analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "engine/analysis/stopwords.h"

namespace busca::analysis {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Surfaces(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.push_back(t.surface);
  return out;
}

std::vector<std::string> Terms(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.push_back(t.term);
  return out;
}

// The original bytes each token points at.
std::vector<std::string> Slices(std::string_view text, const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.emplace_back(text.substr(t.start, t.end - t.start));
  return out;
}

class AnalyzerTest : public ::testing::Test {
 protected:
  std::string TermOf(std::string_view word) {
    std::vector<Token> tokens = analyzer_.Analyze(word);
    EXPECT_EQ(tokens.size(), 1u) << word;
    return tokens.empty() ? std::string() : tokens[0].term;
  }
  Analyzer analyzer_;
};

TEST_F(AnalyzerTest, SnowballStemsMeetWhereSnowballSays) {
  // pães/pão: Snowball stems "pães" -> "pã" and "pão" -> "pã" (the -es/-s rules), so they meet.
  EXPECT_EQ(analyzer_.Stem("pães"), "pã");
  EXPECT_EQ(analyzer_.Stem("pão"), "pã");
  EXPECT_EQ(TermOf("pães"), TermOf("pão"));
  EXPECT_EQ(TermOf("Pães"), "pa");
  // tomates/tomate meet.
  EXPECT_EQ(analyzer_.Stem("tomates"), "tomat");
  EXPECT_EQ(analyzer_.Stem("tomate"), "tomat");
  // cozinheira/cozinheiro meet (feminine/masculine endings).
  EXPECT_EQ(analyzer_.Stem("cozinheira"), analyzer_.Stem("cozinheiro"));
  EXPECT_EQ(analyzer_.Stem("cozinheira"), "cozinheir");
  // vendemos/vender: both reduce to "vend".
  EXPECT_EQ(analyzer_.Stem("vendemos"), "vend");
  EXPECT_EQ(analyzer_.Stem("vender"), "vend");
  EXPECT_EQ(analyzer_.Stem("abafará"), "abaf");
  EXPECT_EQ(analyzer_.Stem("abafar"), "abaf");
  // ... and where Snowball keeps words apart, so do we: "promoção" and "promoções".
  EXPECT_EQ(analyzer_.Stem("promoção"), "promoçã");
  EXPECT_EQ(analyzer_.Stem("promoções"), "promoçõ");
}

TEST_F(AnalyzerTest, TokenFieldsAndOffsets) {
  const std::string text = "Pães de Açúcar, TOMATES!";
  std::vector<Token> tokens = analyzer_.Analyze(text);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_THAT(Slices(text, tokens), ElementsAre("Pães", "de", "Açúcar", "TOMATES"));
  EXPECT_THAT(Surfaces(tokens), ElementsAre("pães", "de", "açúcar", "tomates"));
  EXPECT_EQ(tokens[0].start, 0u);
  EXPECT_EQ(tokens[0].end, 5u);  // "Pães" is 5 bytes (ã is 2)
  EXPECT_EQ(tokens[2].start, 9u);
  EXPECT_EQ(tokens[2].end, 17u);
  EXPECT_EQ(tokens[2].stem, "açúc");
  EXPECT_EQ(tokens[2].term, "acuc");
  EXPECT_EQ(tokens[2].folded_surface, "acucar");
  EXPECT_EQ(tokens[3].stem, "tomat");
  EXPECT_EQ(tokens[0].folded_surface, "paes");
  EXPECT_TRUE(tokens[1].stopword);
  EXPECT_FALSE(tokens[0].stopword);
}

TEST_F(AnalyzerTest, PositionsCountStopwordsAndStartAtFirstPosition) {
  std::vector<Token> tokens;
  analyzer_.Analyze("pão de queijo", &tokens, 10);
  analyzer_.Analyze("o melhor", &tokens, 100);  // appends
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].position, 10u);
  EXPECT_EQ(tokens[1].position, 11u);
  EXPECT_TRUE(tokens[1].stopword);
  EXPECT_EQ(tokens[2].position, 12u);
  EXPECT_EQ(tokens[3].position, 100u);
  EXPECT_TRUE(tokens[3].stopword);
  EXPECT_EQ(tokens[4].position, 101u);
}

TEST_F(AnalyzerTest, Stopwords) {
  for (const char* w : {"de", "a", "o", "que", "não", "você", "às", "estávamos", "teríamos"}) {
    EXPECT_TRUE(Analyzer::IsStopword(w)) << w;
  }
  for (const char* w : {"pão", "queijo", "nao", "voce", "", "dee"}) {
    EXPECT_FALSE(Analyzer::IsStopword(w)) << w;
  }
  // The flag is computed on the normalised surface: "NÃO" is the stopword "não".
  std::vector<Token> tokens = analyzer_.Analyze("NÃO Você");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_TRUE(tokens[0].stopword);
  EXPECT_TRUE(tokens[1].stopword);
}

TEST(StopwordListTest, IsPostgresPortugueseStopVerbatim) {
  const char* path = "/usr/share/postgresql/15/tsearch_data/portuguese.stop";
  std::ifstream in(path);
  if (!in.good()) GTEST_SKIP() << path << " not installed (package postgresql-15)";
  std::vector<std::string> file_words;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) file_words.push_back(line);
  }
  const std::span<const std::string_view> ours = PortugueseStopwords();
  ASSERT_EQ(ours.size(), file_words.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i], file_words[i]);
    EXPECT_TRUE(Analyzer::IsStopword(file_words[i])) << file_words[i];
    EXPECT_EQ(Analyzer::Normalize(file_words[i]), file_words[i]);  // already normalised
  }
}

TEST_F(AnalyzerTest, AlphanumericsStayOneToken) {
  EXPECT_THAT(Surfaces(analyzer_.Analyze("Coca 500ml 2L 4k mp3 1º 2ª")),
              ElementsAre("coca", "500ml", "2l", "4k", "mp3", "1o", "2a"));
  EXPECT_EQ(analyzer_.Analyze("500ml")[0].term, "500ml");
  // Words holding a digit are codes, models or units: not stemmed (like PostgreSQL's numword).
  EXPECT_EQ(analyzer_.Analyze("Intel2gas")[0].stem, "intel2gas");
  EXPECT_EQ(analyzer_.Stem("intel2gas"), "intel2g");
  EXPECT_EQ(analyzer_.Analyze("tomates")[0].stem, "tomat");
  EXPECT_EQ(analyzer_.Analyze("tomates٣")[0].stem, "tomates٣");  // Arabic-Indic digit three
}

TEST_F(AnalyzerTest, HyphenatedWordsSplitIntoConsecutiveParts) {
  const std::string text = "X-Tudo pão-de-ló";
  std::vector<Token> tokens = analyzer_.Analyze(text);
  EXPECT_THAT(Surfaces(tokens), ElementsAre("x", "tudo", "pão", "de", "ló"));
  ASSERT_EQ(tokens.size(), 5u);
  for (uint32_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].position, i);
  EXPECT_EQ(tokens[1].start, 2u);
  EXPECT_EQ(tokens[1].end, 6u);
  EXPECT_TRUE(tokens[3].stopword);
}

TEST_F(AnalyzerTest, NumbersUrlsAndEmails) {
  EXPECT_THAT(Surfaces(analyzer_.Analyze("R$ 1.299,90 ou 3,14 e 3.14")),
              ElementsAre("r", "1.299,90", "ou", "3,14", "e", "3.14"));
  EXPECT_THAT(Surfaces(analyzer_.Analyze("https://www.Loja.com.br/promo?id=7")),
              ElementsAre("https", "www.loja.com.br", "promo", "id", "7"));
  EXPECT_THAT(Surfaces(analyzer_.Analyze("ana@loja.com.br")), ElementsAre("ana@loja.com.br"));
  EXPECT_THAT(Surfaces(analyzer_.Analyze("d'água can’t")), ElementsAre("d'água", "can’t"));
  EXPECT_THAT(Surfaces(analyzer_.Analyze("snake_case fim.")), ElementsAre("snake_case", "fim"));
}

TEST_F(AnalyzerTest, NfkcAndCaseFolding) {
  EXPECT_THAT(Surfaces(analyzer_.Analyze("ＰＡＯ ﬁm ÁGUA Straße")),
              ElementsAre("pao", "fim", "água", "strasse"));
  // A decomposed "ã" (a + U+0303) is the same word as the precomposed one.
  std::vector<Token> decomposed = analyzer_.Analyze("pa\xCC\x83o");
  ASSERT_EQ(decomposed.size(), 1u);
  EXPECT_EQ(decomposed[0].surface, "pão");
  EXPECT_EQ(decomposed[0].term, TermOf("pão"));
  EXPECT_EQ(decomposed[0].end, 5u);
  // A soft hyphen inside a word is ignored.
  EXPECT_THAT(Surfaces(analyzer_.Analyze("quei\xC2\xADjo")), ElementsAre("queijo"));
}

TEST_F(AnalyzerTest, EmojiAreNotWords) {
  const std::string text = "pão 😀 queijo👍🏽bom 🇧🇷";
  std::vector<Token> tokens = analyzer_.Analyze(text);
  EXPECT_THAT(Surfaces(tokens), ElementsAre("pão", "queijo", "bom"));
  EXPECT_THAT(Slices(text, tokens), ElementsAre("pão", "queijo", "bom"));
  EXPECT_EQ(tokens[2].position, 2u);
}

TEST_F(AnalyzerTest, OtherScriptsGoThroughIcu) {
  EXPECT_THAT(Surfaces(analyzer_.Analyze("日本語テキスト Ελληνικά")),
              ElementsAre("日本語", "テキスト", "ελληνικά"));
  EXPECT_EQ(Analyzer::Fold("Ελληνικά"), "ελληνικα");
}

TEST_F(AnalyzerTest, ControlCharactersSeparateWords) {
  const std::string text = std::string(
                               "a\x01"
                               "b\tc\r\nd\x7f"
                               "e") +
                           std::string(1, '\0') + "f";
  std::vector<Token> tokens = analyzer_.Analyze(text);
  EXPECT_THAT(Surfaces(tokens), ElementsAre("a", "b", "c", "d", "e", "f"));
  EXPECT_THAT(Slices(text, tokens), ElementsAre("a", "b", "c", "d", "e", "f"));
}

TEST_F(AnalyzerTest, InvalidUtf8IsASeparatorNeverACrash) {
  const std::string text =
      "p\xC3\xA3o\xFF"
      "queijo\xC3 bom\xE2\x82 fim\xED\xA0\x80x\xF4\x90\x80\x80y";
  std::vector<Token> tokens = analyzer_.Analyze(text);
  EXPECT_THAT(Surfaces(tokens), ElementsAre("pão", "queijo", "bom", "fim", "x", "y"));
  for (const Token& t : tokens) {
    EXPECT_LE(t.end, text.size());
    EXPECT_LT(t.start, t.end);
  }
  EXPECT_EQ(Analyzer::Normalize("a\xFF"
                                "B"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(Analyzer::Fold("\xC3"), "\xEF\xBF\xBD");
  EXPECT_EQ(analyzer_.Stem("\xFF"), "\xEF\xBF\xBD");
}

TEST_F(AnalyzerTest, RandomBytesNeverCrashAndOffsetsStayInBounds) {
  std::mt19937 rng(42);
  const std::string alphabet[] = {"a",        "Z",    "0",  " ",  "-",        ".", ",",    "'",
                                  "_",        "@",    ":",  "ã",  "\xCC\x81", "😀", "\xFF", "\xC3",
                                  "\xE2\x80", "\x01", "\n", "日", "ß",        "ﬁ"};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) {
      if (rng() % 4 == 0) {
        text.push_back(static_cast<char>(rng() % 256));
      } else {
        text += alphabet[rng() % std::size(alphabet)];
      }
    }
    std::vector<Token> tokens = analyzer_.Analyze(text);
    uint32_t last_end = 0;
    uint32_t last_position = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      ASSERT_LE(t.end, text.size());
      ASSERT_LT(t.start, t.end);
      ASSERT_GE(t.start, last_end);
      if (i > 0) {
        ASSERT_GT(t.position, last_position);
      }
      last_end = t.end;
      last_position = t.position;
      ASSERT_FALSE(t.surface.empty());
      ASSERT_EQ(t.folded_surface, Analyzer::Fold(t.surface));
      ASSERT_EQ(t.term, Analyzer::Fold(t.stem));
    }
  }
}

TEST_F(AnalyzerTest, EmptyAndSeparatorOnlyText) {
  EXPECT_TRUE(analyzer_.Analyze("").empty());
  EXPECT_TRUE(analyzer_.Analyze("  \t\n ... --- !!! 😀 @ ___").empty());
  std::vector<Token> tokens;
  analyzer_.Analyze("", &tokens, 5);
  EXPECT_TRUE(tokens.empty());
}

TEST_F(AnalyzerTest, OverlongWordsAreSkippedButKeepTheirPosition) {
  const std::string blob(Analyzer::kMaxWordBytes + 1, 'x');
  std::vector<Token> tokens = analyzer_.Analyze("antes " + blob + " depois");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].position, 0u);
  EXPECT_EQ(tokens[1].position, 2u);
  const std::string max_word(Analyzer::kMaxWordBytes, 'y');
  EXPECT_EQ(analyzer_.Analyze(max_word).size(), 1u);
}

TEST_F(AnalyzerTest, CachedAndFreshAnalysesAgree) {
  // The second pass is served from the word cache; it must give identical tokens, and so must a
  // fresh analyzer.
  const std::string text = "Promoção de PÃES e pães, promoções: pão-de-queijo 500ml ÁGUA água";
  std::vector<Token> first = analyzer_.Analyze(text);
  std::vector<Token> second = analyzer_.Analyze(text);
  Analyzer fresh;
  std::vector<Token> third = fresh.Analyze(text);
  ASSERT_EQ(first.size(), second.size());
  ASSERT_EQ(first.size(), third.size());
  for (size_t i = 0; i < first.size(); ++i) {
    for (const auto* other : {&second[i], &third[i]}) {
      EXPECT_EQ(first[i].surface, other->surface);
      EXPECT_EQ(first[i].stem, other->stem);
      EXPECT_EQ(first[i].term, other->term);
      EXPECT_EQ(first[i].folded_surface, other->folded_surface);
      EXPECT_EQ(first[i].position, other->position);
      EXPECT_EQ(first[i].start, other->start);
      EXPECT_EQ(first[i].end, other->end);
      EXPECT_EQ(first[i].stopword, other->stopword);
    }
  }
  EXPECT_THAT(Terms(first), ElementsAre("promoca", "de", "pa", "e", "pa", "promoco", "pa", "de",
                                        "queij", "500ml", "agu", "agu"));
}

TEST(FoldTest, StripsDiacriticsAndCase) {
  EXPECT_EQ(Analyzer::Fold("Açúcar"), "acucar");
  EXPECT_EQ(Analyzer::Fold("PROMOÇÃO"), "promocao");
  EXPECT_EQ(Analyzer::Fold("pães"), "paes");
  EXPECT_EQ(Analyzer::Fold("Ñandú ü ö è ê"), "nandu u o e e");
  EXPECT_EQ(Analyzer::Fold("ø æ"), "ø æ");  // no decomposition: kept
  EXPECT_EQ(Analyzer::Fold("tiếng Việt"), "tieng viet");
  EXPECT_EQ(Analyzer::Fold(""), "");
}

}  // namespace
}  // namespace busca::analysis
