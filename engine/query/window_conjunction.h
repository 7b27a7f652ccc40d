// WindowConjunction: the candidates of a conjunction of dense words in one window of docs, found
// list by list with bitmaps instead of by aligning cursors doc by doc.
//
// For a window [from, from + kWindowDocs) the lists are loaded in turn (the sparsest first): a
// list's docs in the window that are still candidates (every doc of the window for the first) and
// whose tf~ estimate (tf_tilde_estimate.h) reaches the list's cut stay candidates; the others
// drop out (the caller passes a cut already lowered by FloatCutBelow). A kept doc's tfs are stored, so the caller
// scores the final candidates exactly without moving a cursor back. Each list is read once,
// a decoded block at a time; a later list only tests a bit for most of its docs. A word of several
// terms is loaded as their union, by presence only.
//
// SegmentMatcher uses it once matches need no longer be counted (the cuts may drop matches).
// Not thread-safe; one per SegmentMatcher.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/index/posting_cursor.h"
#include "engine/index/segment_reader.h"
#include "engine/query/field_scoring.h"

namespace busca::query {

class WindowConjunction {
 public:
  static constexpr uint32_t kWindowDocs = 1024;
  static constexpr uint32_t kWords = kWindowDocs / 64;
  using Bits = std::array<uint64_t, kWords>;

  // `scoring`: of the segment's collection. Both must outlive this object.
  WindowConjunction(const index::SegmentReader& segment, const FieldScoring& scoring, size_t lists);

  // Starts the window [from, to) (to - from <= kWindowDocs): every doc is a candidate.
  void Start(index::DocId from, index::DocId to);
  // Loads list `j` from cursor `c` (only moved forward): candidates where it has no doc, or where
  // its estimate is below `cut` (cut > 0), drop out; a block whose stored max tf~ is below the cut
  // is not decoded. Returns whether any candidate remains.
  bool Load(size_t j, index::PostingCursor& c, float cut);

  // Loads list `j` as the union of `cursors` (a word with several terms): candidates where none
  // has a doc drop out, with no cut; a doc's tfs are the sums over the cursors.
  bool LoadUnion(size_t j, std::vector<index::PostingCursor>& cursors);

  index::DocId from() const { return from_; }
  const Bits& candidates() const { return candidates_; }
  // The tfs (one per text slot) list `j` has at the window's doc `from + r`; valid for a candidate
  // after list j was loaded.
  const uint32_t* Tfs(size_t j, uint32_t r) const { return tfs_[j].data() + size_t{r} * slots_; }

 private:
  // The loaded list's kept docs (next_) become the candidates; whether any is left.
  bool TakeNext();
  // Load's walk of one list, with the number of text slots a constant (title + body: 2) or not
  // (kT = 0).
  template <uint32_t kT>
  void LoadList(size_t j, index::PostingCursor& c, float cut);

  const index::SegmentReader& segment_;
  const FieldScoring& scoring_;
  uint32_t slots_ = 0;
  index::DocId from_ = 0;
  index::DocId to_ = 0;
  bool first_ = true;  // no list loaded yet in this window
  Bits candidates_{};
  Bits next_{};
  std::vector<std::vector<uint32_t>> tfs_;  // per list: kWindowDocs * slots_
};

}  // namespace busca::query
