// seed-data against a real PostgreSQL (label postgres): row counts per table including the
// non-live share, determinism, nasty rows, Portuguese text, and the refusal to mix datasets.
// Runs the real `seed-data` binary (from $BUSCA_BIN_DIR) against a fresh database per test.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "tests/support/pg_test_database.h"

namespace busca::testing {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string SeedDataBinary() {
  const char* dir = std::getenv("BUSCA_BIN_DIR");
  return std::string(dir != nullptr ? dir : "build/bin") + "/seed-data";
}

class SeedDataTest : public PostgresTest {
 protected:
  CommandResult Seed(const std::string& url, const std::string& args) {
    return RunCommand(SeedDataBinary() + " --database-url '" + url + "' " + args);
  }
  void SeedOrFail(const std::string& args) {
    const CommandResult r = Seed(database_url(), args);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static std::string ValueIn(const PgTestDatabase& db, const std::string& sql) {
    auto r = db.QueryValue(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString() << " in: " << sql;
    return r.ok() ? *r : std::string();
  }
  std::string Value(const std::string& sql) { return ValueIn(db(), sql); }
  int64_t Count(const std::string& sql) { return std::stoll(Value(sql)); }

  static std::string TableChecksums(const PgTestDatabase& db) {
    std::string all;
    for (const char* table : {"community.\"Post\"", "marketplace.\"Product\"",
                              "marketplace.\"Supplier\"", "academy.\"Course\""}) {
      all +=
          ValueIn(db, std::string("SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM ") +
                          table + " t") +
          ";";
    }
    return all;
  }
};

TEST_F(SeedDataTest, SeedsProductionVolumesPlusFivePercentNonLive) {
  SeedOrFail("--seed 42");
  EXPECT_EQ(Count("SELECT count(*) FROM community.\"Post\""), 45234 + 2262);
  EXPECT_EQ(Count("SELECT count(*) FROM community.\"Post\" WHERE \"deletedAt\" IS NULL"), 45234);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Product\""), 12456 + 623);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE \"deletedAt\" IS NULL AND "
                  "\"isActive\""),
            12456);
  EXPECT_GT(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE \"deletedAt\" IS NULL AND "
                  "NOT \"isActive\""),
            100);
  EXPECT_GT(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE \"deletedAt\" IS NOT NULL"),
            200);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Supplier\""), 567 + 28);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Supplier\" WHERE \"deletedAt\" IS NULL"),
            567);
  EXPECT_EQ(Count("SELECT count(*) FROM academy.\"Course\""), 234 + 12);
  EXPECT_EQ(
      Count("SELECT count(*) FROM academy.\"Course\" WHERE \"deletedAt\" IS NULL AND published"),
      234);
  // Ids in the documented format, suppliers spread over many cities, all levels present.
  EXPECT_EQ(Value("SELECT min(id) || ' ' || max(id) FROM community.\"Post\""),
            "post_0000001 post_0047496");
  EXPECT_EQ(Value("SELECT min(id) || ' ' || max(id) FROM academy.\"Course\""),
            "course_0000001 course_0000246");
  EXPECT_GT(Count("SELECT count(DISTINCT city) FROM marketplace.\"Supplier\""), 40);
  EXPECT_EQ(Count("SELECT count(DISTINCT level) FROM academy.\"Course\""), 3);
  EXPECT_GT(Count("SELECT count(DISTINCT \"supplierId\") FROM marketplace.\"Product\""), 400);
  // Planner statistics are fresh (rebuild-index uses them for its ETA).
  EXPECT_GT(
      Count("SELECT reltuples::bigint FROM pg_class WHERE oid = 'community.\"Post\"'::regclass"),
      40000);
  // The secondary indexes were re-created after the load.
  EXPECT_EQ(Count("SELECT count(*) FROM pg_indexes WHERE schemaname IN ('community', "
                  "'marketplace', 'academy')"),
            14);
}

TEST_F(SeedDataTest, ScaleAndPerTableCounts) {
  SeedOrFail("--scale 0.01 --posts 100 --non-live-share 0.1");
  EXPECT_EQ(Count("SELECT count(*) FROM community.\"Post\""), 110);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE \"deletedAt\" IS NULL AND "
                  "\"isActive\""),
            125);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Product\""), 125 + 13);
  EXPECT_EQ(Count("SELECT count(*) FROM marketplace.\"Supplier\" WHERE \"deletedAt\" IS NULL"), 6);
  EXPECT_EQ(
      Count("SELECT count(*) FROM academy.\"Course\" WHERE \"deletedAt\" IS NULL AND published"),
      2);
}

TEST_F(SeedDataTest, SameSeedGivesSameRowsAndOtherSeedOtherRows) {
  SeedOrFail("--scale 0.05 --seed 123");
  auto twin = PgTestDatabase::Create(admin_url(), "seed_twin");
  ASSERT_TRUE(twin.ok()) << twin.status().ToString();
  const CommandResult r = Seed((*twin)->url(), "--scale 0.05 --seed 123 --jobs 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string checksums = TableChecksums(db());
  EXPECT_EQ(checksums, TableChecksums(**twin));
  const CommandResult other = Seed((*twin)->url(), "--scale 0.05 --seed 124 --truncate");
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_NE(checksums, TableChecksums(**twin));
}

TEST_F(SeedDataTest, NastyRowsArePresentOnLiveRows) {
  SeedOrFail("--scale 0.05");
  const std::string live_posts = "FROM community.\"Post\" WHERE \"deletedAt\" IS NULL";
  EXPECT_GE(Count("SELECT count(*) " + live_posts + " AND title = '' AND content = ''"), 1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts + " AND length(content) > 300000"), 1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts +
                  " AND EXISTS (SELECT 1 FROM regexp_split_to_table(content, '\\s+') w WHERE "
                  "length(w) >= 20000)"),
            1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts +
                  " AND content LIKE '%🧀%' AND content LIKE '%👩‍🍳%'"),
            1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts +
                  " AND strpos(content, chr(1)) > 0 AND strpos(content, chr(27)) > 0"),
            1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts +
                  " AND strpos(content, E'\\t') > 0 AND strpos(content, E'\\r\\n') > 0 AND "
                  "strpos(content, E'\\\\N') > 0 "
                  "AND strpos(content, '\"') > 0 AND strpos(content, '''') > 0"),
            1);
  EXPECT_GE(
      Count("SELECT count(*) " + live_posts + " AND content LIKE '%' || U&'pa\\0303o' || '%'"),
      1);  // NFD
  EXPECT_GE(Count("SELECT count(*) " + live_posts +
                  " AND btrim(title, E' \\t\\u00a0\\u3000\\u2003') = ''"
                  " AND title <> ''"),
            1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts +
                  " AND array_position(tags, NULL) IS NOT NULL"
                  " AND 'NULL' = ANY(tags) AND '' = ANY(tags)"),
            1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts + " AND cardinality(tags) >= 400"), 1);
  EXPECT_GE(Count("SELECT count(*) " + live_posts + " AND title = 'de o que a e'"), 1);
  EXPECT_GE(
      Count("SELECT count(*) " + live_posts +
            " AND \"createdAt\" = '1970-01-01' AND \"updatedAt\" = '2099-12-31 23:59:59.999'"),
      1);
  // NULL in every nullable column of live rows.
  EXPECT_GE(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE \"deletedAt\" IS NULL AND "
                  "\"isActive\" AND description IS NULL"),
            1);
  EXPECT_GE(Count("SELECT count(*) FROM marketplace.\"Supplier\" WHERE \"deletedAt\" IS NULL AND "
                  "description IS NULL"),
            1);
  EXPECT_GE(Count("SELECT count(*) FROM academy.\"Course\" WHERE \"deletedAt\" IS NULL AND "
                  "published AND description IS NULL"),
            1);
  // Extreme numbers.
  EXPECT_GE(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE price = 9999999999.99"), 1);
  EXPECT_GE(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE price = 0 AND name = ''"), 1);
  EXPECT_GE(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE name = '' AND category = ''"),
            1);
}

TEST_F(SeedDataTest, TextIsPortuguese) {
  SeedOrFail("--scale 0.05");
  // Most posts carry accented letters, and the marketplace's words are there.
  EXPECT_GT(
      std::stod(Value("SELECT avg((content ~ '[áéíóúâêôãõçà]')::int) FROM community.\"Post\"")),
      0.8);
  for (const char* phrase :
       {"pão de queijo", "açúcar", "café", "tomates", "confeitaria", "fornecedor", "receita"}) {
    EXPECT_GT(Count(std::string("SELECT count(*) FROM community.\"Post\" WHERE content LIKE '%") +
                    phrase + "%'"),
              5)
        << phrase;
  }
  EXPECT_GT(Count("SELECT count(*) FROM marketplace.\"Product\" WHERE name ILIKE '%açúcar%'"), 1);
  // Verb forms with accents (imperfect 1p, future 3s) and plurals of -ão words.
  EXPECT_GT(Count("SELECT count(*) FROM community.\"Post\" WHERE content ~ '\\m\\w+ávamos\\M'"), 5);
  EXPECT_GT(Count("SELECT count(*) FROM community.\"Post\" WHERE content ~ '\\m\\w+ará\\M'"), 5);
  EXPECT_GT(Count("SELECT count(*) FROM community.\"Post\" WHERE content ~ '\\mpães\\M'"), 5);
  // PostgreSQL's own Portuguese configuration recognises the words: on average at least 8
  // lexemes per post that are not stopwords.
  EXPECT_GT(std::stod(Value(
                "SELECT avg(length(to_tsvector('portuguese', content))) FROM community.\"Post\" "
                "WHERE length(content) < 5000")),
            8.0);
  // Zipf-like frequencies: the most frequent non-stopword lexeme is much more frequent than the
  // 100th, and there is a long tail.
  const std::string stats =
      "(SELECT * FROM ts_stat('SELECT to_tsvector(''portuguese'', content) FROM "
      "community.\"Post\"') "
      "ORDER BY nentry DESC) s";
  const int64_t top = Count("SELECT nentry FROM " + stats + " LIMIT 1");
  const int64_t hundredth = Count("SELECT nentry FROM " + stats + " OFFSET 99 LIMIT 1");
  EXPECT_GT(top, 10 * hundredth);
  EXPECT_GT(Count("SELECT count(*) FROM ts_stat('SELECT to_tsvector(''portuguese'', content) FROM "
                  "community.\"Post\"')"),
            3000);
  // Titles 3-10 words (outside the nasty rows, which do not start with a capital or hold control
  // characters or commas).
  EXPECT_EQ(Count("SELECT count(*) FROM community.\"Post\" WHERE title ~ '^[[:upper:]]' AND title "
                  "!~ '[[:cntrl:],]' "
                  "AND array_length(regexp_split_to_array(title, ' '), 1) NOT BETWEEN 3 AND 10"),
            0);
}

TEST_F(SeedDataTest, RefusesNonEmptyTablesWithoutTruncate) {
  SeedOrFail("--scale 0.01");
  const CommandResult again = Seed(database_url(), "--scale 0.01");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("already holds rows; pass --truncate"), std::string::npos)
      << again.output;
  SeedOrFail("--scale 0.02 --truncate");
  EXPECT_EQ(Count("SELECT count(*) FROM community.\"Post\" WHERE \"deletedAt\" IS NULL"), 905);
}

TEST_F(SeedDataTest, ClearErrorsForBadInput) {
  const CommandResult unreachable = RunCommand(
      SeedDataBinary() + " --database-url postgresql://postgres@127.0.0.1:1/x --scale 0.01");
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.output.find("cannot connect to PostgreSQL"), std::string::npos)
      << unreachable.output;
  const CommandResult no_url =
      RunCommand("env -u DATABASE_URL " + SeedDataBinary() + " --scale 0.01");
  EXPECT_EQ(no_url.exit_code, 2);
  EXPECT_NE(no_url.output.find("--database-url"), std::string::npos) << no_url.output;
  const CommandResult no_suppliers = Seed(database_url(), "--scale 0.01 --suppliers 0");
  EXPECT_EQ(no_suppliers.exit_code, 1);
  EXPECT_NE(no_suppliers.output.find("products need suppliers"), std::string::npos)
      << no_suppliers.output;
  // A failed run leaves the database untouched.
  EXPECT_EQ(Count("SELECT count(*) FROM community.\"Post\""), 0);
}

}  // namespace
}  // namespace busca::testing
