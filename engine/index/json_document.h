// JSON-lines documents (search-cli build --input docs.jsonl): one object per line,
// {"id": "prod_000001", "<field name>": value, ...}. Value kinds by field type:
//   text: string; keyword: string or array of strings (arrays only for multi fields);
//   number: JSON number or decimal string ("12.50", exact); boolean: true/false;
//   timestamp: ISO-8601 string; null or absent: NULL.
// Unknown field names and wrong kinds are InvalidArgument naming the field. Stateless.
#pragma once

#include <string>
#include <string_view>

#include "engine/index/document.h"
#include "engine/index/schema.h"
#include "engine/util/status.h"

namespace busca::index {

// Parses one JSON object into a Document (values parallel to schema.fields).
Result<Document> ParseJsonDocument(const CollectionSchema& schema, std::string_view json_text);
// The inverse, for stored documents: {"id": ..., "<field>": value, ...} with NULL fields omitted,
// numbers as decimal strings at their scale, timestamps as ISO-8601 UTC.
std::string DocumentToJson(const CollectionSchema& schema, const Document& doc);

}  // namespace busca::index
