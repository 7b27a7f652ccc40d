// CopyTextDecoder: decodes PostgreSQL's COPY ... TO STDOUT text format, and array literals.
//
// One COPY text line (without its trailing newline) holds the row's fields separated by TAB;
// a field that is exactly `\N` is NULL; inside a field, backslash escapes stand for special
// bytes: \b \f \n \r \t \v, \\ , \<1-3 octal digits>, \x<1-2 hex digits>, and a backslash
// before any other character means that character. Arrays (text[] columns) arrive as their
// text literal, e.g. {a,"b c",NULL,"with \"quote\""}, which ParsePgTextArray() decodes after
// the COPY layer (see https://www.postgresql.org/docs/15/sql-copy.html, "Text Format", and
// .../arrays.html, "Array Input and Output Syntax").
//
// A decoder is a reusable scratch object (no allocation per line once warmed up); not
// thread-safe: one per thread. Views returned by field() stay valid until the next Decode().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace busca::indexer {

class CopyTextDecoder {
 public:
  CopyTextDecoder() = default;
  CopyTextDecoder(const CopyTextDecoder&) = delete;
  CopyTextDecoder& operator=(const CopyTextDecoder&) = delete;

  // Splits and unescapes one line. Fails (kInvalidArgument, naming the byte offset) when the
  // line does not have exactly `expected_fields` fields or ends in a lone backslash.
  // A trailing "\n" or "\r\n" is tolerated and ignored.
  Status Decode(std::string_view line, size_t expected_fields);

  size_t size() const { return spans_.size(); }
  bool is_null(size_t i) const { return spans_[i].null; }
  // Decoded bytes of field i ("" for NULL). REQUIRES: i < size().
  std::string_view field(size_t i) const {
    return std::string_view(buffer_).substr(spans_[i].begin, spans_[i].length);
  }

 private:
  struct Span {
    uint32_t begin = 0;
    uint32_t length = 0;
    bool null = false;
  };
  std::string buffer_;       // decoded bytes of all fields, back to back
  std::vector<Span> spans_;
};

// Decodes a PostgreSQL array literal of a text-like element type (the output of text[]):
// `{}`, `{a,b}`, `{"b c",NULL,"NULL","x\"y","a\\b"}`, optional dimension decoration
// `[0:1]={a,b}`; nested (multi-dimensional) arrays are flattened in row-major order.
// NULL elements (unquoted NULL, any case) become nullopt. `*out` is cleared first.
// Errors (kInvalidArgument) name the byte offset in `text`.
Status ParsePgTextArray(std::string_view text, std::vector<std::optional<std::string>>* out);

}  // namespace busca::indexer
