// SourceTables: the four searchable tables of the source database as the peers see them.
//
// Both peers of the side-by-side benchmark (PostgreSQL FTS and Xapian) index exactly these
// columns: the title/name column (weighted high) and the body column (weighted low) of the
// live rows, where "live" is the same condition our collection schemas use
// (schemas/collections/*.json; docs in /work/coord/source-db.md). Constant data; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace busca::bench {

struct SourceTable {
  std::string_view collection;      // our collection name: posts, products, suppliers, courses
  std::string_view table;           // SQL as written: community."Post"
  std::string_view title_column;    // weight A in PostgreSQL, wdf x3 in Xapian
  std::string_view body_column;     // weight B in PostgreSQL, wdf x1 in Xapian (nullable)
  std::string_view live_condition;  // SQL boolean over the row: searchable rows only
  std::string_view index_name;      // name of the peer's GIN index on the table
};

inline constexpr std::array<SourceTable, 4> kSourceTables = {{
    {"posts", R"(community."Post")", "title", "content", R"("deletedAt" IS NULL)",
     "bench_post_search_gin"},
    {"products", R"(marketplace."Product")", "name", "description",
     R"("deletedAt" IS NULL AND "isActive")", "bench_product_search_gin"},
    {"suppliers", R"(marketplace."Supplier")", "name", "description", R"("deletedAt" IS NULL)",
     "bench_supplier_search_gin"},
    {"courses", R"(academy."Course")", "title", "description",
     R"("deletedAt" IS NULL AND published)", "bench_course_search_gin"},
}};

// Name of the stored generated tsvector column the PostgreSQL peer adds to every table.
inline constexpr std::string_view kTsvectorColumn = "search_vector";

}  // namespace busca::bench
