// Searcher: the query API of the engine. Start here.
//
// A Searcher is an immutable snapshot over one generation per collection (shared_ptr<const
// index::Generation>); it never changes after construction. A hot swap (server/) builds a new
// Searcher over the new generations and publishes it atomically; in-flight searches keep the old
// one (and with it the old generations' mappings) alive until they return.
//
// Thread-safety: every const method is safe to call from any number of threads at once. Each
// thread uses its own thread_local analysis::Analyzer internally.
//
// Query language (see engine/query/query_parser.h and engine/ARCHITECTURE.md, "Query"):
//   words (AND), "exact phrases", -excluded (word or phrase), a OR b (binds tighter than the
//   implicit AND: `a b OR c` = a AND (b OR c)), trailing prefix*  (e.g. `promo*`).
// Scoring is BM25F (k1 = 1.2, b = 0.75, per-field weights from the schema), with statistics
// taken over the collections queried; one merged ranking across collections.
//
// Errors: InvalidArgument (syntax with a character position, unknown collection/field, bad
// filter value, limit/offset out of range), ResourceExhausted (a documented query limit was hit),
// DeadlineExceeded / Cancelled (checked during evaluation). Never exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index/document.h"
#include "engine/index/schema.h"
#include "engine/query/cancellation.h"
#include "engine/query/query_limits.h"
#include "engine/util/status.h"

namespace busca::index {
class Generation;
}  // namespace busca::index

namespace busca::query {

// ---------------------------------------------------------------------------------------------
// Deadline and cancellation.

// How long a search may run, and whether it is still wanted (CancellationToken:
// engine/query/cancellation.h). Both are checked between phases and every 256 candidates during
// evaluation; a search past its deadline returns DeadlineExceeded, a cancelled one Cancelled.
struct QueryControl {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const CancellationToken* cancel = nullptr;  // not owned; may be null; must outlive the call

  // Cancelled / DeadlineExceeded (naming `phase`) when the search must stop now, else OK.
  Status Check(const char* phase) const;
};

// ---------------------------------------------------------------------------------------------
// Filters and sort.

// One filter on a keyword / number / boolean / timestamp field. Several filters are ANDed.
// Values are text, parsed by the field's type:
//   keyword:   exact values (case-sensitive, as indexed); kIn matches when any value of the
//              (possibly multi-valued) field equals any of `values`.
//   number:    decimal text ("12.50"), exact (scaled integers; more digits than the scale is an
//              error).
//   timestamp: ISO-8601 text ("2024-03-01T10:00:00Z") or an integer of microseconds UTC.
//   boolean:   "true" / "false".
// A document whose field is NULL matches no filter on that field. In a multi-collection search a
// collection that lacks the field matches nothing for that filter; a field that none of the
// queried collections has is InvalidArgument.
struct Filter {
  enum class Op {
    kIn,     // field equals one of `values` (keyword, number, boolean, timestamp); 1..kMaxFilterValues
    kRange,  // lower <= field <= upper (number, timestamp); either bound may be absent
  };
  std::string field;
  Op op = Op::kIn;
  std::vector<std::string> values;    // kIn
  std::optional<std::string> lower;   // kRange
  bool lower_inclusive = true;
  std::optional<std::string> upper;   // kRange
  bool upper_inclusive = true;
};

// Parses the CLI / HTTP filter syntax into a Filter:
//   field:value            equality          category:bebidas
//   field:v1|v2|v3         set membership    city:recife|olinda
//   field:lo..hi           inclusive range   price:10..20.50   created_at:2024-01-01T00:00:00Z..
//   field>=v field>v field<=v field<v        price<100
// Errors name the text and the position.
Result<Filter> ParseFilter(std::string_view text);

// Sort order. An empty field sorts by score (descending unless `ascending`). A field sort uses
// the column of a keyword (smallest value of a multi-valued field, byte order), number, boolean or
// timestamp field; documents whose value is NULL (or whose collection lacks the field) come last
// in both directions. Ties are broken by score descending, then collection name, then index order
// (the order documents were added to the generation; Lucene breaks ties by doc id the same way),
// so every order is total and deterministic for a given set of generations.
struct SortSpec {
  std::string field;  // empty = relevance
  bool ascending = false;
};
// "score", "score:desc", "price:asc", "created_at:desc", "name" (asc) -> SortSpec.
Result<SortSpec> ParseSort(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Search.

struct SearchRequest {
  std::string query;                     // query text; empty (or only whitespace) is InvalidArgument
  std::vector<std::string> collections;  // empty = every collection of the Searcher
  std::vector<Filter> filters;           // at most kMaxFilters
  SortSpec sort;
  uint32_t offset = 0;                   // offset + limit <= kMaxResultWindow
  uint32_t limit = 10;                   // 0..kMaxLimit (0 = count only)
  // The total is counted exactly up to this many matches and flagged as a lower bound beyond it
  // (lets dynamic pruning skip the rest). 0 = use kDefaultTotalHitsThreshold.
  uint64_t total_hits_threshold = 0;
  bool return_stored = false;            // attach stored fields to each hit
  std::vector<std::string> stored_fields;  // which ones (empty = all stored fields)
  bool highlight = false;                // attach highlighted snippets of stored text fields
  bool explain = false;                  // fill SearchResponse::explanation
};

// One stored field value of a hit. `value` is the same variant the index stores (document.h):
// text -> string, keyword -> vector<string>, number -> int64 scaled by 10^scale,
// timestamp -> int64 micros UTC, boolean -> bool, NULL -> monostate.
struct StoredField {
  std::string name;
  index::FieldType type = index::FieldType::kText;
  int scale = 0;
  index::FieldValue value;
};
// Display text of a stored value: "12.50", "2024-03-01T10:00:00Z", "true", "a, b", "".
std::string FormatStoredValue(const StoredField& field);

// A highlighted text field: the stored text and the byte ranges [start, end) of matched words,
// sorted and non-overlapping. `marked` is the same text with each range wrapped in <em>…</em>
// (the text itself is not HTML-escaped).
struct Highlight {
  std::string field;
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  std::string marked;
};

// Per-hit explanation: the score split per (query word, field).
struct ScorePart {
  std::string word;    // query word or "phrase text"
  std::string field;   // text field name
  double tf = 0;       // term frequency summed over the word's expansions in that field
  double score = 0;    // this part's contribution (the parts of a hit add up to its score)
};

struct Hit {
  std::string collection;
  std::string id;      // external id
  double score = 0;    // BM25F score (0 for a query without scoring words, e.g. only exclusions)
  uint64_t generation = 0;
  std::vector<StoredField> fields;      // when return_stored
  std::vector<Highlight> highlights;    // when highlight
  std::vector<ScorePart> score_parts;   // when explain
};

// EXPLAIN ANALYZE of one search.
struct Explanation {
  struct Expansion {
    std::string term;           // index term
    uint64_t doc_freq = 0;      // live + deleted docs holding it, over the queried collections
  };
  struct Word {
    std::string text;           // as written in the query
    std::string kind;           // "word", "prefix", "phrase", "excluded word", "excluded phrase"
    std::string term;           // fold(stem(word)) (phrase: the terms joined by spaces)
    bool stopword = false;      // dropped for matching (ordinary word that is a stopword)
    std::vector<Expansion> expansions;
    uint64_t postings = 0;      // total postings read/available over the expansions
    double idf = 0;
  };
  std::string parsed_query;     // canonical form, e.g. AND(word(pao) OR(a, b) NOT(phrase("x y")))
  std::string strategy;         // "block-max WAND", "exhaustive (sort by field)", ...
  std::vector<Word> words;
  std::vector<std::pair<std::string, double>> phase_micros;  // ("parse", 12.0), ("expand", …)
  uint64_t docs_scored = 0;     // candidates fully evaluated
  uint64_t blocks_skipped = 0;  // posting blocks skipped by block-max bounds

  std::string ToText() const;   // readable multi-line form for search-cli --explain
};

struct GenerationRef {
  std::string collection;
  uint64_t generation = 0;
};

struct SearchResponse {
  uint64_t total_hits = 0;
  bool total_is_lower_bound = false;      // true when more than the threshold matched
  std::vector<Hit> hits;                  // at most `limit`, starting at `offset`
  std::vector<GenerationRef> generations; // the generations that answered (one per collection)
  double took_micros = 0;
  std::optional<Explanation> explanation;
};

// ---------------------------------------------------------------------------------------------
// Suggest (search-as-you-type).

struct SuggestRequest {
  // What the user has typed so far; the last word (after the last space) is completed. The text
  // before it is kept as typed in `completion`.
  std::string text;
  std::vector<std::string> collections;  // empty = every collection
  uint32_t limit = 10;                   // per collection, 1..kMaxSuggestLimit
};

struct Suggestion {
  std::string collection;
  std::string word;         // display spelling of the completed word, e.g. "promoção"
  std::string completion;   // the whole text with its last word replaced: "pão de queijo"
  uint64_t doc_freq = 0;    // documents containing a spelling of that word (ranking key)
};

struct SuggestResponse {
  // Grouped by collection (in the order of the request, or name order), each group ranked by
  // doc_freq descending then word.
  std::vector<Suggestion> suggestions;
  std::vector<GenerationRef> generations;
};

// ---------------------------------------------------------------------------------------------

class Searcher {
 public:
  // One generation per collection (collection names must be unique). Cheap: computes the
  // per-collection statistics BM25F needs (doc counts, average field lengths).
  static Result<std::shared_ptr<const Searcher>> Create(
      std::vector<std::shared_ptr<const index::Generation>> generations);

  // Opens the live generation (CURRENT) of each named collection under `index_dir` (empty =
  // every collection directory found there) and creates a Searcher over them.
  static Result<std::shared_ptr<const Searcher>> Open(const std::filesystem::path& index_dir,
                                                     const std::vector<std::string>& collections = {});

  ~Searcher();
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  Result<SearchResponse> Search(const SearchRequest& request, const QueryControl& control = {}) const;
  Result<SuggestResponse> Suggest(const SuggestRequest& request, const QueryControl& control = {}) const;

  // Collection names in name order.
  std::vector<std::string> collections() const;
  // The generation of a collection, or null.
  std::shared_ptr<const index::Generation> generation(std::string_view collection) const;

  struct Impl;

 private:
  explicit Searcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace busca::query
