// Unit tests for CopyTextDecoder and ParsePgTextArray: the COPY text format and array literals
// exactly as PostgreSQL 15 writes them (the postgres-labelled tests check the real server).
#include "indexer/copy_text_decoder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace busca::indexer {
namespace {

using Elements = std::vector<std::optional<std::string>>;

// The COPY TO text encoding of one value, as PostgreSQL's CopyAttributeOutText writes it.
std::string Escape(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default: out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

TEST(CopyTextDecoderTest, PlainFields) {
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("post_0000001\tPão de queijo\t{a,b}", 3).ok());
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.field(0), "post_0000001");
  EXPECT_EQ(d.field(1), "Pão de queijo");
  EXPECT_EQ(d.field(2), "{a,b}");
  EXPECT_FALSE(d.is_null(1));
}

TEST(CopyTextDecoderTest, NullInEveryPosition) {
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("\\N\t\\N\t\\N", 3).ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(d.is_null(i)) << i;
    EXPECT_EQ(d.field(i), "");
  }
  ASSERT_TRUE(d.Decode("a\t\\N\tc", 3).ok());
  EXPECT_FALSE(d.is_null(0));
  EXPECT_TRUE(d.is_null(1));
  EXPECT_EQ(d.field(2), "c");
}

TEST(CopyTextDecoderTest, EmptyStringIsNotNull) {
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("\t\t", 3).ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(d.is_null(i));
    EXPECT_EQ(d.field(i), "");
  }
}

TEST(CopyTextDecoderTest, TheTextBackslashNIsNotNull) {
  // The two characters backslash + N in the data are written as \\N.
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("\\\\N\tx\\Ny", 2).ok());
  EXPECT_FALSE(d.is_null(0));
  EXPECT_EQ(d.field(0), "\\N");
  EXPECT_FALSE(d.is_null(1));
  EXPECT_EQ(d.field(1), "xNy");  // \N inside a field is just an escaped N
}

TEST(CopyTextDecoderTest, EscapedControlCharacters) {
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("a\\tb\\nc\\\\d\\re\\bf\\fg\\vh\tx", 2).ok());
  EXPECT_EQ(d.field(0), std::string("a\tb\nc\\d\re\bf\fg\vh"));
  EXPECT_EQ(d.field(1), "x");
}

TEST(CopyTextDecoderTest, OctalAndHexEscapes) {
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("\\101\\7\\0011\t\\x41\\x4a\\x7z\\xg", 2).ok());
  EXPECT_EQ(d.field(0), std::string("A\x07\x01" "1"));
  EXPECT_EQ(d.field(1), std::string("AJ\x07zxg"));
}

TEST(CopyTextDecoderTest, EmojiAndControlBytesPassThrough) {
  CopyTextDecoder d;
  std::string raw = "promoção 🎉🔥 \x01\x1f\x7f fim";
  ASSERT_TRUE(d.Decode(Escape(raw) + "\t" + Escape(raw), 2).ok());
  EXPECT_EQ(d.field(0), raw);
  EXPECT_EQ(d.field(1), raw);
}

TEST(CopyTextDecoderTest, TrailingNewlineIgnored) {
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode("a\tb\n", 2).ok());
  EXPECT_EQ(d.field(1), "b");
  ASSERT_TRUE(d.Decode("a\tb\r\n", 2).ok());
  EXPECT_EQ(d.field(1), "b");
}

TEST(CopyTextDecoderTest, WrongFieldCountIsAnError) {
  CopyTextDecoder d;
  Status s = d.Decode("a\tb", 3);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("2 fields, expected 3"), std::string::npos) << s.message();
  EXPECT_FALSE(d.Decode("a\tb\tc\td", 3).ok());
  // An escaped tab does not separate fields.
  EXPECT_FALSE(d.Decode("a\\tb", 2).ok());
}

TEST(CopyTextDecoderTest, LoneTrailingBackslashIsAnError) {
  CopyTextDecoder d;
  Status s = d.Decode("abc\\", 1);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("byte 3"), std::string::npos) << s.message();
}

TEST(CopyTextDecoderTest, RoundTripsRandomValues) {
  // Property: for random byte strings (NUL excluded: text cannot hold it) and random NULLs,
  // decoding the PostgreSQL encoding gives back the values.
  std::mt19937 rng(42);
  const std::string alphabet = std::string("ab \\\t\n\r\b\f\v\"{},N") + "ç😀" + "\x01\x7f";
  CopyTextDecoder d;
  for (int iter = 0; iter < 2000; ++iter) {
    size_t fields = 1 + rng() % 6;
    std::vector<std::optional<std::string>> values;
    std::string line;
    for (size_t f = 0; f < fields; ++f) {
      if (f > 0) line.push_back('\t');
      if (rng() % 5 == 0) {
        values.push_back(std::nullopt);
        line += "\\N";
        continue;
      }
      std::string v;
      size_t len = rng() % 12;
      for (size_t k = 0; k < len; ++k) v.push_back(alphabet[rng() % alphabet.size()]);
      line += Escape(v);
      values.push_back(v);
    }
    ASSERT_TRUE(d.Decode(line, fields).ok()) << line;
    for (size_t f = 0; f < fields; ++f) {
      ASSERT_EQ(d.is_null(f), !values[f].has_value()) << line;
      if (values[f]) {
        ASSERT_EQ(d.field(f), *values[f]) << line;
      }
    }
  }
}

TEST(PgTextArrayTest, EmptyAndSimple) {
  Elements out;
  ASSERT_TRUE(ParsePgTextArray("{}", &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(ParsePgTextArray("{a,bb,ccc}", &out).ok());
  EXPECT_EQ(out, (Elements{"a", "bb", "ccc"}));
}

TEST(PgTextArrayTest, QuotedNullAndEscapes) {
  Elements out;
  ASSERT_TRUE(
      ParsePgTextArray(R"({a,"b c",NULL,"with \"quote\"","back\\slash","NULL",null,"",""})", &out)
          .ok());
  EXPECT_EQ(out, (Elements{"a", "b c", std::nullopt, "with \"quote\"", "back\\slash", "NULL",
                           std::nullopt, "", ""}));
}

TEST(PgTextArrayTest, UnquotedWhitespaceTrimmedQuotedKept) {
  Elements out;
  ASSERT_TRUE(ParsePgTextArray("{ a , \" b \" ,c d}", &out).ok());
  EXPECT_EQ(out, (Elements{"a", " b ", "c d"}));
}

TEST(PgTextArrayTest, UnicodeAndSpecials) {
  Elements out;
  ASSERT_TRUE(ParsePgTextArray("{açúcar,\"pão, queijo\",🎉,\"{x}\",\"a\tb\"}", &out).ok());
  EXPECT_EQ(out, (Elements{"açúcar", "pão, queijo", "🎉", "{x}", "a\tb"}));
}

TEST(PgTextArrayTest, DimensionsAndNesting) {
  Elements out;
  ASSERT_TRUE(ParsePgTextArray("[0:1]={x,y}", &out).ok());
  EXPECT_EQ(out, (Elements{"x", "y"}));
  ASSERT_TRUE(ParsePgTextArray("{{a,b},{c,NULL}}", &out).ok());
  EXPECT_EQ(out, (Elements{"a", "b", "c", std::nullopt}));
}

TEST(PgTextArrayTest, MalformedLiteralsAreErrors) {
  Elements out;
  for (const char* bad : {"", "a,b", "{a,b", "{a,,b}", "{,}", "{a}x", "{\"a}", "{a\"b}",
                          "{a}{b}", "}", "{a,}", "{a{b}}"}) {
    Status s = ParsePgTextArray(bad, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_NE(s.message().find("at byte"), std::string::npos) << s.message();
  }
}

TEST(PgTextArrayTest, ThroughTheCopyLayer) {
  // text[] {"a\"b","c\\d"} is written by COPY with its backslashes doubled.
  CopyTextDecoder d;
  ASSERT_TRUE(d.Decode(Escape(R"({"a\"b","c\\d",NULL})"), 1).ok());
  Elements out;
  ASSERT_TRUE(ParsePgTextArray(d.field(0), &out).ok());
  EXPECT_EQ(out, (Elements{"a\"b", "c\\d", std::nullopt}));
}

}  // namespace
}  // namespace busca::indexer
