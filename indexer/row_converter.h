// RowConverter: one COPY text line of a collection's SelectQuery -> index::Document.
//
// Column 0 is the external id, column i + 1 is schema.fields[i] (see PgSnapshot::SelectQuery).
// Conversions by field type: text -> string; keyword -> one-element vector, or for multi
// fields the decoded text[] literal (NULL elements dropped); number -> scaled int64 (exact,
// ParseScaledDecimal); boolean -> t/f; timestamp -> UTC microseconds (the session runs with
// TimeZone=UTC, DateStyle=ISO). SQL NULL -> monostate.
//
// A value the index cannot represent (numeric NaN or more decimals than the field's scale, a
// malformed array, an unparsable timestamp) does not fail the rebuild: the field becomes NULL
// and the row is reported through `warning` (the tool logs the first ones). A line that does
// not have the expected shape or a row without an id is an error (the source is not what the
// schema says). Not thread-safe: one converter per thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/index/document.h"
#include "engine/index/schema.h"
#include "engine/util/status.h"
#include "indexer/copy_text_decoder.h"

namespace busca::indexer {

class RowConverter {
 public:
  explicit RowConverter(const index::CollectionSchema& schema) : schema_(schema) {}

  // Fills *doc (its previous contents are replaced; capacity is reused). *warning is cleared,
  // and set to a message naming the row id and field when a value had to be dropped.
  Status Convert(std::string_view line, index::Document* doc, std::string* warning);

  // Bytes of text-field content of the last converted row.
  size_t last_text_bytes() const { return last_text_bytes_; }

 private:
  const index::CollectionSchema& schema_;
  CopyTextDecoder decoder_;
  std::vector<std::optional<std::string>> array_;
  size_t last_text_bytes_ = 0;
};

}  // namespace busca::indexer
