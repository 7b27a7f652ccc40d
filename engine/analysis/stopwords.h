// Portuguese stopwords: the 203 words of PostgreSQL 15's portuguese.stop (the Snowball list).
//
// Stopwords are still indexed (with positions) so exact phrases like "pão de queijo" and
// stopword-only queries work; ordinary queries drop them. The list is compiled in; lookups are
// thread-safe (an immutable set built on first use).
#pragma once

#include <span>
#include <string_view>

namespace busca::analysis {

// True if `normalized_word` (NFKC + case-folded, as in Token::surface) is in portuguese.stop.
bool IsPortugueseStopword(std::string_view normalized_word);

// The whole list, in the file's order.
std::span<const std::string_view> PortugueseStopwords();

}  // namespace busca::analysis
