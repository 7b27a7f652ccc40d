// CopyLineBuilder: builds rows in PostgreSQL's COPY text format (the format of COPY ... FROM
// STDIN without options): columns separated by tabs, rows ended by '\n', NULL written as \N,
// and backslash, tab, newline and carriage return escaped as \\, \t, \n, \r. Every other byte
// (other control characters, any UTF-8) is written as is, which COPY accepts. text[] values are
// written as array literals ({a,"b c",NULL}) whose elements are quoted when they need it, then
// escaped for COPY like any other text.
//
// A builder appends to a caller-owned std::string; it is a plain value, one per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace busca::seed {

// Appends `value` escaped for a COPY text-format column.
void AppendCopyEscaped(std::string_view value, std::string* out);

// Returns the PostgreSQL array literal for a text[] (unescaped for COPY). nullopt elements are
// NULL elements; the string "NULL" and empty strings are quoted so they stay strings.
std::string ArrayLiteral(const std::vector<std::optional<std::string>>& elements);

class CopyLineBuilder {
 public:
  explicit CopyLineBuilder(std::string* out) : out_(out) {}

  CopyLineBuilder& Text(std::string_view value);
  CopyLineBuilder& Null();
  CopyLineBuilder& NullableText(const std::optional<std::string>& value);
  CopyLineBuilder& Array(const std::vector<std::optional<std::string>>& elements);
  CopyLineBuilder& Array(const std::vector<std::string>& elements);
  CopyLineBuilder& Bool(bool value);
  // Writes text that needs no escaping (numbers, timestamps, ids we formatted ourselves).
  CopyLineBuilder& Raw(std::string_view value);
  // Ends the row.
  void End();

 private:
  void Separator();

  std::string* out_;
  bool first_ = true;
};

}  // namespace busca::seed
