// QueryParser: query text -> ParsedQuery (the syntax tree, before analysis).
//
// Grammar (whitespace separates items; `OR` is the upper-case word standing alone):
//   query   := clause*                    clauses are ANDed
//   clause  := '-' item                   excluded: documents matching `item` are removed
//            | item ('OR' item)*          at least one alternative must match
//   item    := '"' text '"'               exact phrase (analysed into consecutive words)
//            | word '*'                   prefix (expanded over surface-dictionary keys)
//            | word
// So `a b OR c` is a AND (b OR c), as in web search. A '"' inside a word ends the word and opens a
// phrase. Parentheses and other punctuation are plain characters (the analyzer drops them).
//
// Errors are InvalidArgument with a 1-based character (code point) position, e.g.
//   "query syntax: unterminated phrase: '\"' at character 7 has no closing '\"'".
// The parser is pure (no analysis, no index access): stateless, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace busca::query {

struct QueryItem {
  enum class Kind { kWord, kPrefix, kPhrase };
  Kind kind = Kind::kWord;
  std::string text;       // word (without '-' / '*'), or the phrase's inner text
  uint32_t position = 0;  // 1-based character position of the item in the query text
};

struct QueryClause {
  bool excluded = false;              // '-' item (then exactly one alternative)
  std::vector<QueryItem> alternatives;  // OR-ed items; size() >= 1
};

struct ParsedQuery {
  std::vector<QueryClause> clauses;  // ANDed
  // Canonical text (re-parses to itself): `pao b OR c -"x y" promo*`.
  std::string ToString() const;
};

// Parses `text`. Enforces kMaxQueryBytes (InvalidArgument). An empty query (only whitespace) is
// InvalidArgument.
Result<ParsedQuery> ParseQuery(std::string_view text);

}  // namespace busca::query
