// Dataset: what seed-data puts in each source table (schemas/sql/source_schema.sql), row by row.
//
// A table's content is a pure function of (seed, table, row counts): row i is generated from
// its own Rng(seed, table, i), so chunks of rows can be generated in parallel, in any order, and
// are byte-identical between runs and machines. Per table:
//   - `live` rows are searchable; `non_live` rows (default 5% of live, rounded) are soft-deleted
//     ("deletedAt" set), inactive products or unpublished courses. Which row indexes are non-live
//     is a fixed pseudo-random permutation, so the counts are exact.
//   - Nasty rows (one per NastyKind, on live rows spread over the table) hold empty strings,
//     NULL in every nullable column, very long text, a 20,000-byte token, emoji, control
//     characters, embedded tabs/newlines/backslashes/quotes, odd Unicode, markup and query
//     syntax, whitespace-only text, hundreds of tags (including NULL and "NULL" elements),
//     stopword-only and one-letter text, and extreme values (price 9999999999.99, createdAt
//     1970-01-01 00:00:00.000, updatedAt 2099-12-31 23:59:59.999; the empty-strings product
//     costs 0.00).
// TableGenerator is immutable after construction; AppendRows is safe to call from several
// threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tools/seed_data/text_generator.h"

namespace busca::seed {

// Load order: suppliers before products (foreign key).
enum class Table { kSuppliers = 0, kProducts = 1, kPosts = 2, kCourses = 3 };
inline constexpr Table kAllTables[] = {Table::kSuppliers, Table::kProducts, Table::kPosts,
                                       Table::kCourses};

// Production volumes (live rows) from the operators' runbook.
inline constexpr uint64_t kProductionPosts = 45234;
inline constexpr uint64_t kProductionProducts = 12456;
inline constexpr uint64_t kProductionCourses = 234;
inline constexpr uint64_t kProductionSuppliers = 567;

enum class NastyKind {
  kEmptyStrings,
  kNulls,
  kVeryLong,
  kHugeToken,
  kEmoji,
  kControlChars,
  kEscapes,
  kUnicodeForms,
  kMarkup,
  kWhitespace,
  kManyTags,
  kStopwordsOnly,
  kSingleLetter,
  kExtremeValues,
  kCount
};
std::string_view NastyKindName(NastyKind kind);

struct TableCounts {
  uint64_t live = 0;
  uint64_t non_live = 0;
  uint64_t total() const { return live + non_live; }
};

struct DatasetOptions {
  uint64_t seed = 42;
  uint64_t posts = kProductionPosts;  // live rows per table
  uint64_t products = kProductionProducts;
  uint64_t courses = kProductionCourses;
  uint64_t suppliers = kProductionSuppliers;
  double non_live_share = 0.05;  // non-live rows on top of the live ones, as a share of live
  bool nasty_rows = true;
  // Words to write with; null = Vocabulary::Get() (built-in lists, no dictionary tail).
  std::shared_ptr<const Vocabulary> vocabulary;

  uint64_t live(Table t) const;
  TableCounts Counts(Table t) const;
};

// "marketplace.\"Supplier\"" etc., as written in SQL.
std::string_view QualifiedTableName(Table t);
// "suppliers", "products", "posts", "courses" (the collection names).
std::string_view TableShortName(Table t);
// The column list of the COPY statement, e.g. ("id", "title", ...).
std::string_view CopyColumns(Table t);
// "post_", "prod_", "supp_", "course_".
std::string_view IdPrefix(Table t);
// Formats an external id: FormatId(kPosts, 0) == "post_0000001" (row index 0 -> number 1).
std::string FormatId(Table t, uint64_t row);
// Milliseconds since the epoch -> "2024-03-01 10:00:00.123" (UTC, timestamp(3) text).
std::string FormatTimestampMillis(int64_t millis);

class TableGenerator {
 public:
  TableGenerator(const DatasetOptions& options, Table table);

  Table table() const { return table_; }
  const TableCounts& counts() const { return counts_; }
  uint64_t rows() const { return counts_.total(); }
  bool IsLive(uint64_t row) const;
  // The nasty kind placed on `row`, if any.
  std::optional<NastyKind> NastyAt(uint64_t row) const;
  // Row indexes of the nasty rows, by kind (absent kinds when the table is too small).
  const std::unordered_map<uint64_t, NastyKind>& nasty_rows() const { return nasty_; }

  // Appends rows [begin, end) in COPY text format. REQUIRES: end <= rows().
  void AppendRows(uint64_t begin, uint64_t end, std::string* out) const;

 private:
  void AppendSupplier(uint64_t row, std::string* out) const;
  void AppendProduct(uint64_t row, std::string* out) const;
  void AppendPost(uint64_t row, std::string* out) const;
  void AppendCourse(uint64_t row, std::string* out) const;

  DatasetOptions options_;
  Table table_;
  TableCounts counts_;
  uint64_t perm_a_ = 1;  // non-live iff (perm_a_ * row + perm_b_) mod rows < non_live
  uint64_t perm_b_ = 0;
  uint64_t suppliers_total_ = 0;  // products reference supp_0000001 .. supp_<suppliers_total_>
  uint64_t authors_ = 1;          // posts' authorId range
  ZipfTable supplier_zipf_;
  ZipfTable author_zipf_;
  std::unordered_map<uint64_t, NastyKind> nasty_;
  TextGenerator text_;
};

}  // namespace busca::seed
