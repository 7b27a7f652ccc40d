// MergedPostings: the union of many posting cursors of one segment (a prefix or a word with many
// expansions, or one alone in the query with two or more large lists), materialized once per
// search: docs ascending with their combined tf~, and per chunk of kPostingBlockSize docs the exact
// max combined tf~ (with the query's own scoring parameters).
// Each doc's tf~ is kept, so scoring it is a lookup, and the docs that cannot enter the top k are
// passed by comparing it with a cut (SkipTfTildeBelow). Walking it costs one array step per doc
// instead of one step per cursor, and its bounds are exact per doc (so no per-field bound is
// kept: it could not be tighter).
//
// Building it drains the cursors a window of 16,384 docs at a time: a dense tf accumulator indexed
// by doc in the window (a bitmap marks the docs seen: a sparse union zeroes nothing, a dense one
// zeroes the window and adds without testing), filled by every cursor, then one pass over the
// window's bitmap; accumulator and bitmap stay in the cache. A
// window starts at the next doc of any cursor, so a sparse union skips the gaps. The output arrays
// come from a process-wide pool bounded to 64 MiB (fresh ones would cost a page fault per 4 KiB
// every time). Not thread-safe; one per (search, segment, item).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/index/posting_cursor.h"
#include "engine/index/segment_reader.h"
#include "engine/query/field_scoring.h"

namespace busca::query {

class MergedPostings {
 public:
  // `cursors`: fresh cursors of `segment`'s terms (consumed). `scoring`: the collection's.
  MergedPostings(std::vector<index::PostingCursor>& cursors, const index::SegmentReader& segment,
                 const FieldScoring& scoring);
  ~MergedPostings();
  MergedPostings(const MergedPostings&) = delete;
  MergedPostings& operator=(const MergedPostings&) = delete;

  index::DocId doc() const { return pos_ < size_ ? docs_[pos_] : index::kNoMoreDocs; }
  index::DocId NextGeq(index::DocId target);
  // The current doc's combined tf~ (bm25f.h), summed exactly as SegmentMatcher scores.
  double TfTilde() const { return tf_tilde_[pos_]; }
  size_t size() const { return size_; }
  // Moves past the docs, from the current one, whose tf~ is below `cut`, stopping at the first doc
  // after `until`; returns the new current doc and adds the docs passed to *passed.
  index::DocId SkipTfTildeBelow(double cut, index::DocId until, uint64_t* passed);

  // Block-max interface over chunks of kPostingBlockSize docs (see PostingCursor).
  void ShallowAdvance(index::DocId target);
  index::DocId BlockLastDoc() const;
  double BlockTfTilde() const { return window_ < chunk_tf_tilde_.size() ? chunk_tf_tilde_[window_] : 0.0; }

 private:
  size_t size_ = 0;                             // docs in the union
  std::vector<index::DocId> docs_;              // first size_ entries (a reused buffer)
  std::vector<double> tf_tilde_;                // per doc (a reused buffer)
  std::vector<double> chunk_tf_tilde_;          // per chunk
  size_t pos_ = 0;
  size_t window_ = 0;
};

}  // namespace busca::query
