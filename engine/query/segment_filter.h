// SegmentFilter: the request's filters and sort key compiled against one segment's columns
// (internal to engine/query). Values are parsed once per collection (CompileFilters), then bound
// to each segment (keyword values -> that segment's dictionary ordinals).
// Not thread-safe; one per (search, segment).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/index/schema.h"
#include "engine/index/segment_reader.h"
#include "engine/query/searcher.h"
#include "engine/query/top_k.h"
#include "engine/util/status.h"

namespace busca::query {

// One filter resolved for one collection.
struct CollectionFilter {
  bool never = false;         // the collection lacks the field: nothing matches
  size_t field = 0;           // schema field index
  index::FieldType type = index::FieldType::kKeyword;
  bool range = false;
  std::vector<std::string> keywords;  // keyword kIn
  std::vector<int64_t> numbers;       // number/timestamp/boolean kIn (sorted)
  int64_t lower = INT64_MIN;          // inclusive bounds (range)
  int64_t upper = INT64_MAX;
};

struct CollectionSort {
  bool by_field = false;
  bool never = false;  // the collection lacks the sort field: every doc has a NULL key
  size_t field = 0;
  bool keyword = false;
};

// Parses the filters / sort of a request for one collection. A field missing from this
// collection yields `never` (the caller checks that some queried collection has it).
Result<std::vector<CollectionFilter>> CompileFilters(const std::vector<Filter>& filters,
                                                     const index::CollectionSchema& schema);
Result<CollectionSort> CompileSort(const SortSpec& sort, const index::CollectionSchema& schema);

class SegmentFilter {
 public:
  SegmentFilter(const std::vector<CollectionFilter>& filters, const CollectionSort& sort,
                const index::SegmentReader& segment);

  // False when no doc of the segment can pass (skip the segment).
  bool CanMatch() const { return can_match_; }
  bool empty() const { return preds_.empty(); }
  bool Accept(index::DocId doc) const;
  SortKey Key(index::DocId doc) const;

 private:
  struct Pred {
    const index::KeywordColumn* keyword = nullptr;
    std::vector<uint32_t> ordinals;  // sorted
    const index::NumericColumn* numeric = nullptr;
    bool range = false;
    std::vector<int64_t> numbers;  // sorted
    int64_t lower = INT64_MIN, upper = INT64_MAX;
  };
  std::vector<Pred> preds_;
  bool can_match_ = true;
  const CollectionSort& sort_;
  const index::KeywordColumn* sort_keyword_ = nullptr;
  const index::NumericColumn* sort_numeric_ = nullptr;
};

}  // namespace busca::query
