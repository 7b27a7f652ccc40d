// WordSegmenter: the table-driven fast path must give exactly ICU's words. Checked on random
// text dense in the characters the UAX #29 rules care about, on every code point of the fast
// path's table, and on real Portuguese sentences.
#include "engine/analysis/word_segmenter.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/analysis/utf8.h"

namespace busca::analysis {
namespace {

std::string Show(std::string_view text, const std::vector<WordSpan>& spans) {
  std::string out;
  for (const WordSpan& s : spans) {
    out += "[" + std::string(text.substr(s.start, s.end - s.start)) + "]";
  }
  return out;
}

void ExpectSameAsIcu(WordSegmenter& segmenter, const std::string& text) {
  std::vector<WordSpan> fast, icu;
  segmenter.Segment(text, &fast);
  segmenter.Segment(text, &icu, WordSegmenter::Path::kIcuOnly);
  ASSERT_EQ(fast, icu) << "text: \"" << text << "\"\nfast: " << Show(text, fast)
                       << "\nicu:  " << Show(text, icu);
}

TEST(WordSegmenterTest, Basic) {
  WordSegmenter segmenter;
  std::vector<WordSpan> spans;
  const std::string text = "Pão de queijo, 500ml! x-tudo";
  segmenter.Segment(text, &spans);
  EXPECT_EQ(Show(text, spans), "[Pão][de][queijo][500ml][x][tudo]");
  segmenter.Segment("", &spans);
  EXPECT_TRUE(spans.empty());
}

TEST(WordSegmenterTest, FastPathCoversPortugueseAndFallsBackForEmoji) {
  WordSegmenter segmenter;
  std::vector<WordSpan> spans;
  segmenter.Segment("Promoção “imperdível” – até 50% — pão-de-ló, d’água…", &spans);
  EXPECT_EQ(segmenter.icu_calls(), 0u);
  segmenter.Segment("pão 😀", &spans);
  EXPECT_EQ(segmenter.icu_calls(), 1u);
  EXPECT_EQ(spans.size(), 1u);
}

TEST(WordSegmenterTest, RandomTextSameAsIcu) {
  // Characters with every word-break class the fast path handles, plus ill-formed bytes.
  const std::vector<std::string> alphabet = {"a",
                                             "b",
                                             "Z",
                                             "é",
                                             "Ç",
                                             "ª",
                                             "º",
                                             "ß",
                                             "0",
                                             "7",
                                             "1",
                                             "'",
                                             ".",
                                             ",",
                                             ";",
                                             ":",
                                             "_",
                                             "@",
                                             "-",
                                             "/",
                                             " ",
                                             "  ",
                                             "\t",
                                             "\r",
                                             "\n",
                                             "\r\n",
                                             "\x0B",
                                             "\xC2\x85",
                                             "\xE2\x80\xA8",
                                             "\"",
                                             "’",
                                             "‘",
                                             "․",
                                             "‧",
                                             "·",
                                             "\xE2\x80\xAF",
                                             "\xC2\xAD",
                                             "\xCC\x81",
                                             "\xCC\x83",
                                             "\xE2\x80\x8D",
                                             "\xE2\x80\x8C",
                                             "\xE2\x81\xA0",
                                             "\xC2\xA0",
                                             "×",
                                             "°",
                                             "µ",
                                             "½",
                                             "\xE2\x80\x94",
                                             "$",
                                             "%",
                                             "\xFF",
                                             "\xC3",
                                             "\xE2\x82",
                                             "\x01",
                                             std::string(1, '\0'),
                                             "ǅ",
                                             "ʰ",
                                             "˜"};
  WordSegmenter segmenter;
  std::mt19937 rng(7);
  for (int iter = 0; iter < 200000; ++iter) {
    std::string text;
    const int len = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
    ExpectSameAsIcu(segmenter, text);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(segmenter.icu_calls(), 200000u);  // only the kIcuOnly calls went to ICU
}

TEST(WordSegmenterTest, EveryTableCodePointInContextSameAsIcu) {
  // Each code point of the table between letters, between digits, and alone.
  WordSegmenter segmenter;
  int checked = 0;
  auto check_range = [&](char32_t begin, char32_t end) {
    for (char32_t c = begin; c < end; ++c) {
      std::string ch;
      utf8::Append(c, &ch);
      for (const std::string& text : {"ab" + ch + "cd", "12" + ch + "34", ch, "a" + ch, ch + "1",
                                      "a " + ch + " b", "1" + ch + "a", "_" + ch + "_"}) {
        ExpectSameAsIcu(segmenter, text);
        if (::testing::Test::HasFatalFailure()) return;
        ++checked;
      }
    }
  };
  check_range(0x01, 0x370);
  check_range(0x2000, 0x2070);
  EXPECT_EQ(checked, 8 * ((0x370 - 1) + 0x70));
}

TEST(WordSegmenterTest, RealSentencesSameAsIcu) {
  WordSegmenter segmenter;
  for (const std::string text : {
           "A promoção de pães começa às 8h30 (horário de Brasília); R$ 12,50 o kg.",
           "O cozinheiro vendeu 1.500 unidades do X-Tudo em 3 dias: recorde!",
           "E-mail: contato@padaria-do-joão.com.br — visite https://padaria.com.br/promo?x=1",
           "Ele disse: “não é possível”... e saiu. D'Ávila, 2º andar, nº 45-B.",
           "Tamanhos P/M/G; 100% algodão; 220V ou 110V; 1,5L; 4K; MP3.",
       }) {
    ExpectSameAsIcu(segmenter, text);
  }
}

}  // namespace
}  // namespace busca::analysis
