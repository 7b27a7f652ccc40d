// Document: one source row as typed field values, the unit the generation writer consumes.
//
// `values` is parallel to CollectionSchema::fields. Values by field type:
//   text -> std::string, keyword -> std::vector<std::string> (one element when single-valued),
//   number -> int64 scaled by 10^scale, timestamp -> int64 microseconds UTC, boolean -> bool,
//   NULL / absent -> std::monostate.
// AnalyzedDocument adds the tokens of each text field (analysis runs in parallel before the
// single-threaded inversion, see indexer/ and GenerationWriter).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/analysis/token.h"
#include "engine/index/schema.h"
#include "engine/util/status.h"

namespace busca::index {

using FieldValue = std::variant<std::monostate, std::string, std::vector<std::string>, int64_t, bool>;

struct Document {
  std::string id;                  // external id, e.g. prod_000123 (non-empty, unique per collection)
  std::vector<FieldValue> values;  // parallel to schema.fields
};

struct AnalyzedDocument {
  Document doc;
  // Parallel to schema.fields; tokens for text fields, empty for the others.
  std::vector<std::vector<analysis::Token>> field_tokens;
};

// Exact decimal text ("12.50", "-3", "7.5") -> value * 10^scale. Rejects more fractional digits
// than `scale` allows, garbage, and overflow, with a message naming the text.
Result<int64_t> ParseScaledDecimal(std::string_view text, int scale);
// Inverse of ParseScaledDecimal: 1250, 2 -> "12.50".
std::string FormatScaledDecimal(int64_t value, int scale);
// ISO-8601 / PostgreSQL timestamp text ("2024-03-01T10:00:00Z", "2024-03-01 10:00:00.123+00",
// "2024-03-01 10:00:00" taken as UTC) -> microseconds since the epoch, UTC.
Result<int64_t> ParseTimestampMicros(std::string_view text);
// Microseconds UTC -> "2024-03-01T10:00:00.123000Z" (fraction omitted when zero).
std::string FormatTimestampMicros(int64_t micros);

// Checks that `doc` fits `schema` (value kinds per field type, non-empty id).
Status ValidateDocument(const CollectionSchema& schema, const Document& doc);

}  // namespace busca::index
