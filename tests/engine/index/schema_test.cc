// Schema files: the four default collections load; every kind of mistake is an InvalidArgument
// whose message names the file and the key/field at fault; SchemaToJson round-trips.
#include <gtest/gtest.h>

#include <cstdlib>

#include "engine/index/schema.h"

namespace busca::index {
namespace {

std::filesystem::path SourceDir() {
  const char* dir = std::getenv("BUSCA_SOURCE_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::current_path();
}

constexpr std::string_view kValid = R"({
  "name": "products",
  "source": {"table": "marketplace.\"Product\"", "id_column": "id", "live_condition": "\"isActive\""},
  "fields": [
    {"name": "name", "column": "name", "type": "text", "weight": 3.0, "stored": true},
    {"name": "tags", "type": "keyword", "multi": true},
    {"name": "price", "column": "price", "type": "number", "scale": 2, "stored": true},
    {"name": "verified", "column": "verified", "type": "boolean"},
    {"name": "created_at", "column": "createdAt", "type": "timestamp"}
  ]
})";

TEST(SchemaTest, ParsesValidSchemaWithDefaults) {
  auto s = ParseSchema(kValid, "products.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "products");
  EXPECT_EQ(s->source.table, "marketplace.\"Product\"");
  ASSERT_EQ(s->fields.size(), 5u);
  EXPECT_EQ(s->fields[0].type, FieldType::kText);
  EXPECT_DOUBLE_EQ(s->fields[0].weight, 3.0);
  EXPECT_TRUE(s->fields[0].stored);
  EXPECT_EQ(s->fields[1].column, "tags");  // column defaults to the name
  EXPECT_TRUE(s->fields[1].multi);
  EXPECT_FALSE(s->fields[1].stored);
  EXPECT_EQ(s->fields[2].scale, 2);
  EXPECT_EQ(s->fields[4].column, "createdAt");
  EXPECT_EQ(s->FieldIndex("price"), std::optional<size_t>(2));
  EXPECT_FALSE(s->FieldIndex("nope").has_value());
  EXPECT_EQ(FieldTypeName(FieldType::kTimestamp), "timestamp");
}

TEST(SchemaTest, RoundTripsThroughJson) {
  auto s = ParseSchema(kValid, "products.json");
  ASSERT_TRUE(s.ok());
  std::string json = SchemaToJson(*s);
  auto again = ParseSchema(json, "roundtrip");
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << json;
  EXPECT_EQ(SchemaToJson(*again), json);
  EXPECT_EQ(again->fields.size(), s->fields.size());
}

struct BadCase {
  std::string json;
  std::string expected_fragment;
};

TEST(SchemaTest, ErrorsNameFileAndKey) {
  const std::string f = R"({"name": "t", "type": "text"})";  // a text field
  const std::vector<BadCase> cases = {
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [)" + f + R"(], "extra": 1})",
       "unknown key \"extra\""},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id", "where": "1"}, "fields": [)" + f + "]}",
       "source: unknown key \"where\""},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "t", "type": "text", "wieght": 2}]})",
       "fields[0] (\"t\"): unknown key \"wieght\""},
      {R"({"name": "X-1", "source": {"table": "t", "id_column": "id"}, "fields": [)" + f + "]}", "not a valid collection name"},
      {R"({"name": "x", "source": {"table": "t"}, "fields": [)" + f + "]}", "missing required key \"id_column\""},
      {R"({"name": "x", "fields": [)" + f + "]}", "missing required key \"source\""},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": []})", "non-empty array"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "t", "type": "texto"}]})",
       "unknown type \"texto\""},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [)" + f + "," + f + "]}",
       "duplicate field name \"t\""},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [)" + f +
           R"(, {"name": "k", "type": "keyword", "weight": 2}]})",
       "\"weight\" applies to text fields only"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "t", "type": "text", "multi": true}]})",
       "\"multi\" applies to keyword fields only"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [)" + f +
           R"(, {"name": "p", "type": "number", "scale": 12}]})",
       "\"scale\" must be between 0 and 9"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "t", "type": "text", "weight": 0}]})",
       "\"weight\" must be > 0"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "k", "type": "keyword"}]})",
       "at least one text field"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "id", "type": "text"}]})",
       "reserved"},
      {R"({"name": "x", "source": {"table": "t", "id_column": "id"}, "fields": [{"name": "t", "type": "text", "stored": "yes"}]})",
       "\"stored\" must be true or false"},
      {R"({"name": "x", "source": )", "invalid JSON at byte"},
      {R"([1, 2])", "must be a JSON object"},
  };
  for (const auto& c : cases) {
    auto s = ParseSchema(c.json, "schemas/collections/x.json");
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(s.status().message().find("schemas/collections/x.json"), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find(c.expected_fragment), std::string::npos)
        << "message: " << s.status().message() << "\nexpected fragment: " << c.expected_fragment;
  }
}

TEST(SchemaTest, DefaultCollectionsLoad) {
  auto all = LoadSchemaDir(SourceDir() / "schemas" / "collections");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].name, "courses");
  EXPECT_EQ((*all)[1].name, "posts");
  EXPECT_EQ((*all)[2].name, "products");
  EXPECT_EQ((*all)[3].name, "suppliers");
  const CollectionSchema& products = (*all)[2];
  EXPECT_EQ(products.source.live_condition, "\"deletedAt\" IS NULL AND \"isActive\"");
  auto price = products.FieldIndex("price");
  ASSERT_TRUE(price.has_value());
  EXPECT_EQ(products.fields[*price].type, FieldType::kNumber);
  EXPECT_EQ(products.fields[*price].scale, 2);
  const CollectionSchema& posts = (*all)[1];
  EXPECT_TRUE(posts.fields[*posts.FieldIndex("tags")].multi);
  EXPECT_EQ(posts.fields[*posts.FieldIndex("author_id")].column, "authorId");
  const CollectionSchema& courses = (*all)[0];
  EXPECT_DOUBLE_EQ(courses.fields[*courses.FieldIndex("instructor")].weight, 2.0);
  EXPECT_EQ((*all)[3].fields[*(*all)[3].FieldIndex("verified")].type, FieldType::kBoolean);
}

TEST(SchemaTest, MissingFileIsNotFound) {
  auto s = LoadSchemaFile("/nonexistent/schema.json");
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("/nonexistent/schema.json"), std::string::npos);
}

}  // namespace
}  // namespace busca::index
