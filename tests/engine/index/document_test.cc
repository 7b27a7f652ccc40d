// Exact decimals, timestamps, document validation and the JSON-lines document format.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "engine/index/document.h"
#include "engine/index/json_document.h"

namespace busca::index {
namespace {

TEST(DecimalTest, ParsesExactly) {
  EXPECT_EQ(*ParseScaledDecimal("12.50", 2), 1250);
  EXPECT_EQ(*ParseScaledDecimal("12.5", 2), 1250);
  EXPECT_EQ(*ParseScaledDecimal("12", 2), 1200);
  EXPECT_EQ(*ParseScaledDecimal("-3", 0), -3);
  EXPECT_EQ(*ParseScaledDecimal("-0.07", 2), -7);
  EXPECT_EQ(*ParseScaledDecimal("+7.5", 1), 75);
  EXPECT_EQ(*ParseScaledDecimal(".5", 2), 50);
  EXPECT_EQ(*ParseScaledDecimal("5.", 2), 500);
  EXPECT_EQ(*ParseScaledDecimal("12.500", 2), 1250);  // trailing zeros are exact
  EXPECT_EQ(*ParseScaledDecimal("0.1", 1), 1);        // no binary floating point anywhere
  EXPECT_EQ(*ParseScaledDecimal("9223372036854775807", 0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*ParseScaledDecimal("-9223372036854775808", 0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*ParseScaledDecimal("9999999999.99", 2), 999999999999);
}

TEST(DecimalTest, RejectsWithMessage) {
  for (auto [text, scale] : std::vector<std::pair<std::string, int>>{{"12.501", 2},
                                                                     {"abc", 2},
                                                                     {"", 2},
                                                                     {"-", 0},
                                                                     {"1e5", 2},
                                                                     {"1.2.3", 2},
                                                                     {" 12", 2},
                                                                     {"9223372036854775808", 0},
                                                                     {"92233720368547758.08", 3},
                                                                     {"1", 10}}) {
    auto r = ParseScaledDecimal(text, scale);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("\"" + text + "\""), std::string::npos) << r.status().message();
  }
}

TEST(DecimalTest, FormatRoundTrips) {
  EXPECT_EQ(FormatScaledDecimal(1250, 2), "12.50");
  EXPECT_EQ(FormatScaledDecimal(-7, 2), "-0.07");
  EXPECT_EQ(FormatScaledDecimal(5, 0), "5");
  EXPECT_EQ(FormatScaledDecimal(std::numeric_limits<int64_t>::min(), 2), "-92233720368547758.08");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    int scale = static_cast<int>(rng() % 10);
    auto back = ParseScaledDecimal(FormatScaledDecimal(v, scale), scale);
    ASSERT_TRUE(back.ok()) << FormatScaledDecimal(v, scale);
    ASSERT_EQ(*back, v);
  }
}

TEST(TimestampTest, ParsesIsoAndPostgresForms) {
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01T10:00:00Z"), int64_t{1709287200} * 1000000);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01 10:00:00"), int64_t{1709287200} * 1000000);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01 10:00:00.123+00"), int64_t{1709287200} * 1000000 + 123000);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01T07:00:00-03:00"), int64_t{1709287200} * 1000000);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01T13:30:00+0330"), int64_t{1709287200} * 1000000);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01"), int64_t{1709251200} * 1000000);
  EXPECT_EQ(*ParseTimestampMicros("2024-02-29T00:00:00.000001Z"), int64_t{1709164800} * 1000000 + 1);
  EXPECT_EQ(*ParseTimestampMicros("1969-12-31T23:59:59.5Z"), -500000);
  EXPECT_EQ(*ParseTimestampMicros("2024-03-01T10:00Z"), int64_t{1709287200} * 1000000);
}

TEST(TimestampTest, RejectsWithPosition) {
  for (std::string text : {"2023-02-29T00:00:00Z", "2024-13-01", "2024-03-01T24:00:00Z", "2024-03-01T10:00:00X",
                           "24-03-01", "2024-03-01T10", "yesterday", "", "2024-03-01T10:00:00.Z",
                           "2024-03-01T10:00:00Z trailing"}) {
    auto r = ParseTimestampMicros(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("position"), std::string::npos) << r.status().message();
  }
}

TEST(TimestampTest, FormatRoundTrips) {
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestampMicros(int64_t{1709287200} * 1000000 + 123000), "2024-03-01T10:00:00.123000Z");
  EXPECT_EQ(FormatTimestampMicros(-500000), "1969-12-31T23:59:59.500000Z");
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    // Years 0001..9999.
    int64_t v = static_cast<int64_t>(rng() % uint64_t{315537897600000000}) - int64_t{62135596800000000};
    auto back = ParseTimestampMicros(FormatTimestampMicros(v));
    ASSERT_TRUE(back.ok()) << FormatTimestampMicros(v) << " " << back.status().ToString();
    ASSERT_EQ(*back, v);
  }
}

CollectionSchema TestSchema() {
  auto s = ParseSchema(R"({"name": "products", "source": {"table": "t", "id_column": "id"},
    "fields": [{"name": "name", "type": "text", "stored": true},
               {"name": "tags", "type": "keyword", "multi": true, "stored": true},
               {"name": "category", "type": "keyword", "stored": true},
               {"name": "price", "type": "number", "scale": 2, "stored": true},
               {"name": "verified", "type": "boolean", "stored": true},
               {"name": "created_at", "type": "timestamp", "stored": true}]})",
                       "test");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

TEST(JsonDocumentTest, ParsesEveryKind) {
  CollectionSchema schema = TestSchema();
  auto d = ParseJsonDocument(schema, R"({"id": "prod_0000001", "name": "Pão de queijo", "tags": ["padaria", "mineiro"],
      "category": "alimentos", "price": "12.50", "verified": true, "created_at": "2024-03-01T10:00:00Z"})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, "prod_0000001");
  EXPECT_EQ(std::get<std::string>(d->values[0]), "Pão de queijo");
  EXPECT_EQ(std::get<std::vector<std::string>>(d->values[1]), (std::vector<std::string>{"padaria", "mineiro"}));
  EXPECT_EQ(std::get<std::vector<std::string>>(d->values[2]), (std::vector<std::string>{"alimentos"}));
  EXPECT_EQ(std::get<int64_t>(d->values[3]), 1250);
  EXPECT_EQ(std::get<bool>(d->values[4]), true);
  EXPECT_EQ(std::get<int64_t>(d->values[5]), int64_t{1709287200} * 1000000);
  EXPECT_TRUE(ValidateDocument(schema, *d).ok());
  // JSON numbers, nulls and absent fields.
  auto e = ParseJsonDocument(schema, R"({"id": "p2", "price": 7.5, "name": null})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(std::get<int64_t>(e->values[3]), 750);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(e->values[0]));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(e->values[5]));
  auto f = ParseJsonDocument(schema, R"({"id": "p3", "price": 19})");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(std::get<int64_t>(f->values[3]), 1900);
  // Back to JSON and again.
  auto again = ParseJsonDocument(schema, DocumentToJson(schema, *d));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->values, d->values);
}

TEST(JsonDocumentTest, ErrorsNameTheField) {
  CollectionSchema schema = TestSchema();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"name": "x"})", "missing \"id\""},
      {R"({"id": 5})", "\"id\" must be a string"},
      {R"({"id": "a", "nome": "x"})", "unknown field \"nome\""},
      {R"({"id": "a", "name": 5})", "field \"name\""},
      {R"({"id": "a", "category": ["a", "b"]})", "field \"category\""},
      {R"({"id": "a", "tags": [1]})", "field \"tags\""},
      {R"({"id": "a", "price": "12.345"})", "field \"price\""},
      {R"({"id": "a", "price": true})", "field \"price\""},
      {R"({"id": "a", "verified": "yes"})", "field \"verified\""},
      {R"({"id": "a", "created_at": "ontem"})", "field \"created_at\""},
      {R"({"id": "a", )", "invalid JSON"},
  };
  for (const auto& [json, fragment] : cases) {
    auto d = ParseJsonDocument(schema, json);
    ASSERT_FALSE(d.ok()) << json;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(d.status().message().find(fragment), std::string::npos) << d.status().message();
  }
}

TEST(ValidateDocumentTest, RejectsWrongKinds) {
  CollectionSchema schema = TestSchema();
  Document d;
  d.id = "x";
  d.values.resize(schema.fields.size());
  EXPECT_TRUE(ValidateDocument(schema, d).ok());
  d.values[3] = std::string("12");
  EXPECT_NE(ValidateDocument(schema, d).message().find("price"), std::string::npos);
  d.values[3] = int64_t{12};
  d.values[2] = std::vector<std::string>{"a", "b"};  // single-valued keyword
  EXPECT_FALSE(ValidateDocument(schema, d).ok());
  d.values[2] = std::vector<std::string>{"a"};
  EXPECT_TRUE(ValidateDocument(schema, d).ok());
  d.id.clear();
  EXPECT_FALSE(ValidateDocument(schema, d).ok());
  d.id = "x";
  d.values.pop_back();
  EXPECT_FALSE(ValidateDocument(schema, d).ok());
}

}  // namespace
}  // namespace busca::index
