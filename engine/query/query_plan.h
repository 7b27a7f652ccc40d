// QueryPlan: a ParsedQuery after analysis, stopword handling and term expansion over the
// generations being searched, with the BM25F statistics of each scoring item (internal to
// engine/query; Searcher builds one per search).
//
// Analysis of each item (one thread_local Analyzer per thread):
//   word    -> its tokens; one token = a word item, several (x-tudo, 500ml?) = a phrase item,
//              none (punctuation only) = dropped.
//   prefix  -> exactly one token; its fold(surface) is the prefix of surface-dictionary keys.
//   phrase  -> its tokens as consecutive slots (relative positions from the analyzer, so a
//              stopword keeps its place: "pão de queijo" = pao@0 de@1 queij@2).
// Stopwords: a single-token word that is a stopword is dropped from an ordinary query (from an OR
// group only that alternative goes; a clause left empty goes), unless the query's non-excluded
// items are all such stopwords ("de", "o que"), in which case they are kept and matched like any
// word. Stopwords inside phrases, single-word phrases ("de") and excluded words are always kept.
// Expansion: a word's terms are {fold(stem(w))} ∪ surface_dict[fold(w)] over every
// segment of every queried generation; a prefix's terms are the union of the terms of every
// surface-dictionary key starting with fold(prefix) (at most kMaxPrefixExpansions keys); when
// none of those keys is a stopword's folded form, a stopword's term that the keys hold under 1/20
// of the docs of (summing their doc frequencies) is left out: it comes from a stem collision
// (queiram -> que, the term of "que"), and would make quei* match every doc with "que".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/index/generation.h"
#include "engine/query/query_parser.h"
#include "engine/util/status.h"

namespace busca::query {

struct PlannedSlot {
  std::string word;                // surface form as analysed
  std::string term;                // fold(stem(word)) ("" for a prefix slot)
  std::vector<std::string> terms;  // expanded index terms, sorted, distinct
  uint64_t doc_freq = 0;           // min(N, sum of df over terms)
  double idf = 0;
};

struct PlannedItem {
  enum class Kind { kWord, kPrefix, kPhrase };
  Kind kind = Kind::kWord;
  std::string display;              // as in the query: pão, promo*, "pão de queijo"
  std::vector<PlannedSlot> slots;   // 1 for word/prefix; phrase: one per token
  std::vector<uint32_t> offsets;    // phrase: position of each slot relative to slot 0
  double idf = 0;                   // word/prefix: slot idf; phrase: sum of slot idfs
  uint64_t cost = 0;                // sum of doc freqs (evaluation order)
};

struct PlannedClause {
  bool excluded = false;
  std::vector<PlannedItem> items;  // OR-ed
};

struct DroppedWord {
  std::string word;  // a stopword removed from matching
};

struct QueryPlan {
  ParsedQuery parsed;
  std::vector<PlannedClause> clauses;  // required clauses first (cheapest first), then excluded
  std::vector<DroppedWord> dropped_stopwords;
  bool stopword_only = false;          // kept stopwords because nothing else was asked
  uint64_t total_docs = 0;             // N: sum of max_doc over the queried generations

  std::string ToString() const;        // AND(word(pao) OR(...) NOT(...))
  size_t required_count() const;
};

// Builds the plan over `generations` (the queried collections). Errors: InvalidArgument (limits,
// nothing searchable, prefix too short / several words), ResourceExhausted (expansion limits).
Result<QueryPlan> BuildQueryPlan(ParsedQuery parsed,
                                 const std::vector<const index::Generation*>& generations,
                                 analysis::Analyzer& analyzer);

}  // namespace busca::query
