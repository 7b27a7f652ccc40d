// CollectionSchema: what a collection is made of, loaded from a JSON file in schemas/collections/.
//
// A schema names the source table (for the indexer), the id column, the live-row condition and
// maps each source column to a typed field. The engine uses only the fields; the source part is
// carried for indexer/. The file format is documented in schemas/README.md. Immutable once loaded;
// a copy is stored inside every generation (schema.json) so a generation is self-describing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace busca::index {

enum class FieldType {
  kText,       // analysed, searchable, BM25F weight
  kKeyword,    // exact values for filters/facets/sort; text[] columns are multi-valued
  kNumber,     // fixed-point decimal stored exactly as a scaled int64 (numeric(12,2) -> scale 2)
  kBoolean,
  kTimestamp,  // UTC, int64 microseconds since the Unix epoch
};

std::string_view FieldTypeName(FieldType type);  // "text", "keyword", ...

// A collection has at most this many text fields (ParseSchema refuses more).
inline constexpr size_t kMaxTextFields = 32;

struct FieldSpec {
  std::string name;      // name used in queries, filters, sort and output
  std::string column;    // source column (unquoted name, e.g. createdAt)
  FieldType type = FieldType::kText;
  double weight = 1.0;   // text only: BM25F field weight (> 0)
  bool stored = false;   // kept in the stored-fields store, returned with hits
  bool multi = false;    // keyword only: multi-valued (text[] column)
  int scale = 0;         // number only: decimal digits after the point (0..9)
};

struct SourceSpec {
  std::string table;           // SQL table name as written in SQL: community."Post"
  std::string id_column;       // e.g. id
  std::string live_condition;  // SQL boolean expression selecting searchable rows
};

struct CollectionSchema {
  std::string name;  // collection name: posts, products, ... ([a-z0-9_]+)
  SourceSpec source;
  std::vector<FieldSpec> fields;

  // Index of the field named `name` in `fields`, or nullopt.
  std::optional<size_t> FieldIndex(std::string_view name) const;
};

// Parses and validates a schema (JSON text). `origin` names the file in error messages.
Result<CollectionSchema> ParseSchema(std::string_view json_text, std::string_view origin);
Result<CollectionSchema> LoadSchemaFile(const std::filesystem::path& path);
// Every *.json in a directory, sorted by collection name.
Result<std::vector<CollectionSchema>> LoadSchemaDir(const std::filesystem::path& dir);
// Canonical JSON text of a schema (round-trips through ParseSchema).
std::string SchemaToJson(const CollectionSchema& schema);

}  // namespace busca::index
