// Unit tests of seed-data's Portuguese morphology, text grammar and COPY encoding (no Postgres).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "tools/seed_data/copy_format.h"
#include "tools/seed_data/dataset.h"
#include "tools/seed_data/text_generator.h"
#include "tools/seed_data/vocabulary.h"

namespace busca::seed {
namespace {

TEST(PluralizeTest, RegularRules) {
  EXPECT_EQ(Pluralize("promoção"), "promoções");
  EXPECT_EQ(Pluralize("café"), "cafés");
  EXPECT_EQ(Pluralize("tomate"), "tomates");
  EXPECT_EQ(Pluralize("pastel"), "pastéis");
  EXPECT_EQ(Pluralize("nível"), "níveis");
  EXPECT_EQ(Pluralize("fácil"), "fáceis");
  EXPECT_EQ(Pluralize("funil"), "funis");
  EXPECT_EQ(Pluralize("colher"), "colheres");
  EXPECT_EQ(Pluralize("marrom"), "marrons");
  EXPECT_EQ(Pluralize("mês"), "meses");
  EXPECT_EQ(Pluralize("lápis"), "lápis");
  EXPECT_EQ(Pluralize("maçã"), "maçãs");
  EXPECT_EQ(Pluralize("azul"), "azuis");
  EXPECT_EQ(Pluralize("anzol"), "anzóis");
  EXPECT_EQ(Pluralize("animal"), "animais");
}

TEST(ConjugateTest, RegularVerbsWithOrthographicChanges) {
  const Verb comprar = ConjugateRegular("comprar");
  EXPECT_EQ(comprar.forms[kPresent][k1p], "compramos");
  EXPECT_EQ(comprar.forms[kImperfect][k1p], "comprávamos");
  EXPECT_EQ(comprar.forms[kFuture][k3s], "comprará");
  EXPECT_EQ(comprar.forms[kFuture][k3p], "comprarão");
  EXPECT_EQ(comprar.forms[kConditional][k1p], "compraríamos");
  EXPECT_EQ(comprar.forms[kSubjunctiveImperfect][k1p], "comprássemos");
  EXPECT_EQ(comprar.gerund, "comprando");
  const Verb ficar = ConjugateRegular("ficar");
  EXPECT_EQ(ficar.forms[kPreterite][k1s], "fiquei");
  EXPECT_EQ(ficar.forms[kSubjunctivePresent][k3s], "fique");
  EXPECT_EQ(ConjugateRegular("chegar").forms[kPreterite][k1s], "cheguei");
  EXPECT_EQ(ConjugateRegular("começar").forms[kPreterite][k1s], "comecei");
  const Verb vender = ConjugateRegular("vender");
  EXPECT_EQ(vender.forms[kPresent][k1p], "vendemos");
  EXPECT_EQ(vender.forms[kPreterite][k3s], "vendeu");
  EXPECT_EQ(vender.forms[kSubjunctiveImperfect][k1p], "vendêssemos");
  EXPECT_EQ(ConjugateRegular("conhecer").forms[kPresent][k1s], "conheço");
  EXPECT_EQ(ConjugateRegular("conhecer").forms[kSubjunctivePresent][k3p], "conheçam");
  EXPECT_EQ(ConjugateRegular("proteger").forms[kPresent][k1s], "protejo");
  const Verb incluir = ConjugateRegular("incluir");
  EXPECT_EQ(incluir.forms[kPresent][k3s], "inclui");
  EXPECT_EQ(incluir.forms[kPreterite][k1s], "incluí");
  EXPECT_EQ(incluir.forms[kImperfect][k3s], "incluía");
  EXPECT_EQ(incluir.participle, "incluído");
  const Verb servir = ConjugateRegular("servir", "sirvo");
  EXPECT_EQ(servir.forms[kSubjunctivePresent][k1p], "sirvamos");
  EXPECT_EQ(ConjugateRegular("abrir", "", "aberto").participle, "aberto");
}

TEST(VocabularyTest, ListsAreLargeAndAccented) {
  const Vocabulary& v = Vocabulary::Get();
  EXPECT_GT(v.foods.size(), 150u);
  EXPECT_GT(v.verbs.size(), 100u);
  EXPECT_GT(v.adjectives.size(), 80u);
  EXPECT_GE(v.categories.size(), 8u);
  const auto pao = std::find_if(v.foods.items.begin(), v.foods.items.end(),
                                [](const Noun& n) { return n.singular == "pão"; });
  ASSERT_NE(pao, v.foods.items.end());
  EXPECT_EQ(pao->plural, "pães");
  for (const Verb& verb : v.verbs.items) {
    for (const auto& tense : verb.forms) {
      for (const std::string& form : tense) EXPECT_FALSE(form.empty()) << verb.infinitive;
    }
  }
}

TEST(TextGeneratorTest, DeterministicAndWithinBounds) {
  const TextGenerator gen;
  std::map<std::string, int> freq;
  int accented = 0;
  for (uint64_t i = 0; i < 3000; ++i) {
    Rng a(7, 1, i), b(7, 1, i);
    const std::string title = gen.PostTitle(a);
    EXPECT_EQ(title, gen.PostTitle(b));
    const int tw = CountWords(title);
    EXPECT_GE(tw, 3) << title;
    EXPECT_LE(tw, 10) << title;
    const std::string body = gen.PostBody(a);
    const int bw = CountWords(body);
    EXPECT_GE(bw, 20) << body;
    EXPECT_LE(bw, 200) << body;
    if (body.find("\xC3") != std::string::npos) ++accented;  // á é í ó ú ã õ ç ...
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find_first_of(" \n", start);
      if (end == std::string::npos) end = body.size();
      if (end > start) ++freq[body.substr(start, end - start)];
      start = end + 1;
    }
    const std::string course = gen.CourseTitle(a);
    EXPECT_GE(CountWords(course), 3) << course;
    EXPECT_LE(CountWords(course), 10) << course;
  }
  EXPECT_GT(accented, 2900);
  // Zipf-like: a big vocabulary, a few very frequent words, a long tail of rare ones.
  std::vector<int> counts;
  for (const auto& [w, c] : freq) counts.push_back(c);
  std::sort(counts.rbegin(), counts.rend());
  ASSERT_GT(counts.size(), 3000u);
  EXPECT_GT(counts[0], 20 * counts[99]);
  const size_t singletons = std::count(counts.begin(), counts.end(), 1);
  EXPECT_GT(singletons, counts.size() / 10);
}

TEST(CopyFormatTest, EscapesSpecialBytes) {
  std::string out;
  AppendCopyEscaped(
      "a\tb\nc\rd\\e\x01"
      "f\xC3\xA3",
      &out);
  EXPECT_EQ(out,
            "a\\tb\\nc\\rd\\\\e\x01"
            "f\xC3\xA3");
}

TEST(CopyFormatTest, ArrayLiterals) {
  EXPECT_EQ(ArrayLiteral({}), "{}");
  EXPECT_EQ(ArrayLiteral({std::string("pães"), std::string("café")}), "{pães,café}");
  EXPECT_EQ(ArrayLiteral({std::string(""), std::nullopt, std::string("NULL"), std::string("null")}),
            "{\"\",NULL,\"NULL\",\"null\"}");
  EXPECT_EQ(ArrayLiteral(
                {std::string("a,b"), std::string("x y"), std::string("q\"t"), std::string("b\\s")}),
            "{\"a,b\",\"x y\",\"q\\\"t\",\"b\\\\s\"}");
  std::string line;
  CopyLineBuilder b(&line);
  b.Raw("id")
      .Array(std::vector<std::optional<std::string>>{std::string("b\\s"), std::string("t\tab")})
      .Null()
      .Bool(true);
  b.End();
  // The array literal's own backslashes are escaped again for COPY.
  EXPECT_EQ(line, "id\t{\"b\\\\\\\\s\",\"t\\tab\"}\t\\N\tt\n");
}

TEST(DatasetTest, ExactCountsAndNastyRowsOnLiveRows) {
  DatasetOptions o;
  o.posts = 1000;
  o.products = 333;
  o.suppliers = 20;
  o.courses = 7;
  for (Table t : kAllTables) {
    TableGenerator gen(o, t);
    const TableCounts c = gen.counts();
    EXPECT_EQ(c.non_live, static_cast<uint64_t>(std::llround(c.live * 0.05)));
    uint64_t live = 0;
    for (uint64_t r = 0; r < gen.rows(); ++r) live += gen.IsLive(r) ? 1 : 0;
    EXPECT_EQ(live, c.live) << TableShortName(t);
    const uint64_t kinds = static_cast<uint64_t>(NastyKind::kCount);
    EXPECT_EQ(gen.nasty_rows().size(), std::min(kinds, c.live)) << TableShortName(t);
    for (const auto& [row, kind] : gen.nasty_rows()) EXPECT_TRUE(gen.IsLive(row));
  }
}

TEST(DatasetTest, RowsDependOnlyOnSeedAndIndex) {
  DatasetOptions o;
  o.posts = 500;
  TableGenerator gen(o, Table::kPosts);
  std::string all, parts;
  gen.AppendRows(0, gen.rows(), &all);
  gen.AppendRows(0, 200, &parts);
  gen.AppendRows(200, gen.rows(), &parts);
  EXPECT_EQ(all, parts);
  DatasetOptions other = o;
  other.seed = 43;
  std::string different;
  TableGenerator(other, Table::kPosts).AppendRows(0, gen.rows(), &different);
  EXPECT_NE(all, different);
  EXPECT_EQ(FormatId(Table::kPosts, 0), "post_0000001");
  EXPECT_EQ(FormatId(Table::kCourses, 233), "course_0000234");
}

TEST(DatasetTest, FormatsTimestamps) {
  EXPECT_EQ(FormatTimestampMillis(0), "1970-01-01 00:00:00.000");
  EXPECT_EQ(FormatTimestampMillis(1709287200123), "2024-03-01 10:00:00.123");
  EXPECT_EQ(FormatTimestampMillis(4102444799999), "2099-12-31 23:59:59.999");
  EXPECT_EQ(FormatTimestampMillis(951782400000), "2000-02-29 00:00:00.000");
}

}  // namespace
}  // namespace busca::seed

namespace busca::seed {
namespace {

TEST(VocabularyTest, DictionaryTailOfRareWords) {
  const std::string path = "/usr/share/dict/brazilian";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not installed (package wbrazilian)";
  auto v = Vocabulary::WithDictionary(path);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_GT((*v)->tail_nouns.size(), 8000u);
  EXPECT_GT((*v)->tail_adjectives.size(), 3000u);
  for (const std::string& w : (*v)->tail_nouns.items) {
    ASSERT_TRUE(w[0] < 'A' || w[0] > 'Z') << w;  // no proper nouns
  }
  // The built-in lists are still there.
  EXPECT_EQ((*v)->foods.size(), Vocabulary::Get().foods.size());
  EXPECT_FALSE(Vocabulary::WithDictionary("/nonexistent/words").ok());
}

}  // namespace
}  // namespace busca::seed
