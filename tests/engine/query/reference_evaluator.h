// ReferenceEvaluator: a brute-force evaluation of the query language over raw documents, for the
// property tests of engine/query. It works only from the documents as given (text analysed with
// analysis::Analyzer, values as in index::Document) and re-implements the documented semantics
// (engine/query/query_plan.h, bm25f.h, searcher.h) the slow, obvious way: every document is
// checked, every score computed, everything sorted. It shares only the parser and the Analyzer
// with the engine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/index/document.h"
#include "engine/index/schema.h"
#include "engine/query/searcher.h"
#include "engine/util/status.h"

namespace busca::query::testing {

struct RefDoc {
  index::Document doc;
  bool live = true;
  // Filled by ReferenceEvaluator: tokens per field (text fields).
  std::vector<std::vector<analysis::Token>> tokens;
};

struct RefCollection {
  index::CollectionSchema schema;
  std::vector<RefDoc> docs;  // every doc ever added (deleted ones with live = false)
};

struct RefHit {
  std::string collection;
  std::string id;
  double score = 0;
};

struct RefResult {
  std::vector<RefHit> all;  // every match, in the request's order
};

class ReferenceEvaluator {
 public:
  explicit ReferenceEvaluator(std::vector<RefCollection> collections);  // analyses the docs
  Result<RefResult> Search(const SearchRequest& request);

 private:
  std::vector<RefCollection> collections_;  // sorted by name
  analysis::Analyzer analyzer_;
};

}  // namespace busca::query::testing
