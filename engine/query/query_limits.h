// Documented limits of the query API. Each one, when exceeded, yields a Status naming the limit:
// InvalidArgument for malformed/oversized requests, ResourceExhausted for expansion budgets.
// Compile-time constants; header-only; no state.
#pragma once

#include <cstddef>
#include <cstdint>

namespace busca::query {

// Query text longer than this many bytes -> InvalidArgument.
inline constexpr size_t kMaxQueryBytes = 1024;
// More than this many words (counting every word of every phrase, prefixes and exclusions) ->
// InvalidArgument.
inline constexpr size_t kMaxQueryTerms = 32;
// Words inside one phrase -> InvalidArgument beyond this.
inline constexpr size_t kMaxPhraseWords = 16;
// One prefix* expanding to more than this many distinct surface-dictionary keys (over all
// queried segments) -> ResourceExhausted ("prefix 'a*' matches more than 2048 words"). A prefix
// with many expansions is evaluated as one materialized list (merged_postings.h), so the cost is
// that of reading its postings once.
inline constexpr size_t kMaxPrefixExpansions = 2048;
// Minimum length (in code points) of the part before '*' -> InvalidArgument below it.
inline constexpr size_t kMinPrefixChars = 2;
// All index terms of one query after expansion (accent + prefix) -> ResourceExhausted beyond.
inline constexpr size_t kMaxExpandedTerms = 4096;
// limit must be <= kMaxLimit; offset + limit must be <= kMaxResultWindow (deep paging is the
// caller's job, as in Elasticsearch's index.max_result_window).
inline constexpr uint32_t kMaxLimit = 1000;
inline constexpr uint32_t kMaxResultWindow = 10000;
// Filters per request and values per kIn filter.
inline constexpr size_t kMaxFilters = 32;
inline constexpr size_t kMaxFilterValues = 1024;
// Exact-count threshold when the request says 0.
inline constexpr uint64_t kDefaultTotalHitsThreshold = 10000;
// Suggest: at most this many suggestions per collection.
inline constexpr uint32_t kMaxSuggestLimit = 100;

}  // namespace busca::query
