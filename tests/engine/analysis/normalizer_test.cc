// Normalisation and folding: the fast paths (ASCII, fold table) must agree with the ICU
// reference on every code point they cover and on random strings; folding is idempotent.
#include "engine/analysis/normalizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/analysis/utf8.h"

namespace busca::analysis {
namespace {

TEST(NormalizerTest, Examples) {
  EXPECT_EQ(NormalizeWord("PÃO"), "pão");
  EXPECT_EQ(NormalizeWord("Ｃａｆé"), "café");
  EXPECT_EQ(NormalizeWord("ﬁ"), "fi");
  EXPECT_EQ(NormalizeWord("1º"), "1o");
  EXPECT_EQ(NormalizeWord("A\xCC\x83"), "ã");  // decomposed -> composed
  EXPECT_EQ(FoldWord("Ação"), "acao");
  EXPECT_EQ(FoldWord("A\xCC\x83o"), "ao");
  EXPECT_EQ(FoldWord("q\xCC\x83"), "q");  // a mark with no precomposed form is dropped too
  EXPECT_EQ(FoldWord("हिन्दी"), "हिन्दी");  // Devanagari signs are not diacritics
}

TEST(NormalizerTest, EveryCodePointBelowU0370AndPunctuationMatchesIcu) {
  auto check = [](char32_t c) {
    std::string s;
    utf8::Append(c, &s);
    for (const std::string& text : {s, "a" + s, s + "B", "Ç" + s + "x"}) {
      ASSERT_EQ(NormalizeWord(text), NormalizeWordIcu(text)) << std::hex << static_cast<int>(c);
      ASSERT_EQ(FoldWord(text), FoldWordIcu(text)) << std::hex << static_cast<int>(c);
    }
  };
  for (char32_t c = 1; c < 0x370; ++c) {
    check(c);
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (char32_t c = 0x1E00; c < 0x2070; ++c) {
    check(c);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(NormalizerTest, RandomStringsMatchIcuAndFoldIsIdempotent) {
  std::mt19937 rng(11);
  const std::vector<std::string> alphabet = {
      "a", "Á",  "ç", "Ç", "õ",        "\xCC\x81", "\xCC\x83", "ß",    "ẞ",
      "ﬁ", "Ａ", "ǅ", "ΐ", "ά",        "й",        "ệ",        "\xFF", "\xC3",
      "1", "ª",  "İ", "ı", "\xCD\x85", "\xCD\x80", "µ",        "ſ"};
  for (int iter = 0; iter < 50000; ++iter) {
    std::string text;
    const int len = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
    const std::string folded = FoldWord(text);
    ASSERT_EQ(NormalizeWord(text), NormalizeWordIcu(text)) << text;
    ASSERT_EQ(folded, FoldWordIcu(text)) << text;
    ASSERT_EQ(FoldWord(folded), folded) << text;
    ASSERT_TRUE(utf8::IsValid(folded)) << text;
  }
}

TEST(Utf8Test, DecodeReplacesIllFormedSubparts) {
  auto decode_all = [](std::string_view s) {
    std::vector<char32_t> out;
    size_t i = 0;
    while (i < s.size()) out.push_back(utf8::Decode(s, &i));
    return out;
  };
  using V = std::vector<char32_t>;
  EXPECT_EQ(decode_all("a\xC3\xA3"), (V{'a', 0xE3}));
  EXPECT_EQ(decode_all("\xC3"
                       "a"),
            (V{0xFFFD, 'a'}));
  EXPECT_EQ(decode_all("\xE2\x82"
                       "a"),
            (V{0xFFFD, 'a'}));
  EXPECT_EQ(decode_all("\xC0\xAF"), (V{0xFFFD, 0xFFFD}));              // overlong
  EXPECT_EQ(decode_all("\xED\xA0\x80"), (V{0xFFFD, 0xFFFD, 0xFFFD}));  // surrogate
  EXPECT_EQ(decode_all("\xF0\x9F\x98\x80"), (V{0x1F600}));
  EXPECT_FALSE(utf8::IsValid("\xFF"));
  EXPECT_TRUE(utf8::IsValid("pão \xEF\xBF\xBD"));
  EXPECT_EQ(utf8::Sanitize("a\xFF"
                           "b"),
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace busca::analysis
