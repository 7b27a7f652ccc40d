#include "engine/query/window_conjunction.h"

#include <algorithm>
#include <bit>

#include "engine/query/tf_tilde_estimate.h"

namespace busca::query {

using index::DocId;

namespace {
// A later list seeks each candidate when the candidates number less than 1/kSeekBelowFraction of
// the docs the list is expected to have in the window.
constexpr uint64_t kSeekBelowFraction = 4;
}  // namespace

WindowConjunction::WindowConjunction(const index::SegmentReader& segment, const FieldScoring& scoring, size_t lists)
    : segment_(segment), scoring_(scoring), slots_(static_cast<uint32_t>(segment.text_fields().size())) {
  tfs_.resize(lists);
  for (auto& t : tfs_) t.resize(size_t{kWindowDocs} * slots_);
}

void WindowConjunction::Start(DocId from, DocId to) {
  from_ = from;
  to_ = to;
  first_ = true;
}

bool WindowConjunction::TakeNext() {
  first_ = false;
  uint64_t any = 0;
  for (uint32_t w = 0; w < kWords; ++w) any |= candidates_[w] = next_[w];
  return any != 0;
}

bool WindowConjunction::Load(size_t j, index::PostingCursor& c, float cut) {
  next_.fill(0);
  if (slots_ == 2) {
    LoadList<2>(j, c, cut);
  } else {
    LoadList<0>(j, c, cut);
  }
  return TakeNext();
}

bool WindowConjunction::LoadUnion(size_t j, std::vector<index::PostingCursor>& cursors) {
  next_.fill(0);
  uint32_t* tfs = tfs_[j].data();
  const uint32_t t = slots_;
  uint64_t* next = next_.data();
  const uint64_t* candidates = candidates_.data();
  const bool first = first_;
  // A doc's first list sets its tfs, a later one adds to them.
  auto add = [&](const index::PostingCursor& c, uint32_t i, uint32_t r) {
    uint64_t& word = next[r >> 6];
    const uint64_t bit = uint64_t{1} << (r & 63);
    uint32_t* tf = tfs + size_t{r} * t;
    if ((word & bit) == 0) {
      word |= bit;
      for (uint32_t s = 0; s < t; ++s) tf[s] = c.BlockTfsBySlot(s)[i];
    } else {
      for (uint32_t s = 0; s < t; ++s) tf[s] += c.BlockTfsBySlot(s)[i];
    }
  };
  for (index::PostingCursor& c : cursors) {
    c.NextGeq(from_);
    while (c.doc() < to_) {
      const DocId* docs = c.BlockDocs();
      const uint32_t size = c.BlockSize();
      uint32_t i = c.IndexInBlock();
      for (; i < size && docs[i] < to_; ++i) {
        const uint32_t r = docs[i] - from_;
        if (first || ((candidates[r >> 6] >> (r & 63)) & 1) != 0) add(c, i, r);
      }
      if (i < size) {  // the rest of the block lies past the window
        c.NextGeq(docs[i]);
        break;
      }
      c.NextGeq(docs[size - 1] + 1);  // the next block, or the end
    }
  }
  return TakeNext();
}

template <uint32_t kT>
void WindowConjunction::LoadList(size_t j, index::PostingCursor& c, float cut) {
  // Everything the loop reads in local variables: its stores could alias the containers' elements,
  // which would then be reloaded for every doc.
  const TfTildeEstimator estimator(segment_, scoring_);
  const uint32_t t = kT != 0 ? kT : slots_;
  std::array<const uint32_t*, index::kMaxTextFields> block_tfs;
  uint32_t* tfs = tfs_[j].data();
  uint64_t* next = next_.data();
  const uint64_t* candidates = candidates_.data();
  const DocId from = from_;
  const DocId to = to_;
  const bool first = first_;
  const bool estimate = cut > 0;
  // The tfs-estimate-keep step for the i-th doc of c's decoded block.
  auto keep_doc = [&](const DocId* docs, uint32_t i) {
    const DocId d = docs[i];
    const uint32_t r = d - from;
    uint64_t keep = 1;
    if (estimate) keep = static_cast<uint64_t>(estimator.Estimate<kT>([&](uint32_t s) { return block_tfs[s][i]; }, d) >= cut);
    next[r >> 6] |= keep << (r & 63);
    for (uint32_t s = 0; s < t; ++s) tfs[size_t{r} * t + s] = block_tfs[s][i];
  };
  if (!first) {
    // Few candidates for the list's docs here: each is sought in the list (a scan of a decoded
    // block, a skip past blocks) instead of testing every doc of the list against the bitmap.
    uint64_t count = 0;
    for (uint32_t w = 0; w < kWords; ++w) count += static_cast<uint64_t>(std::popcount(candidates[w]));
    const uint64_t expected = uint64_t{c.doc_freq()} * (to - from) / std::max<uint64_t>(segment_.max_doc(), 1);
    if (count * kSeekBelowFraction < expected) {
      for (uint32_t w = 0; w < kWords; ++w) {
        for (uint64_t b = candidates[w]; b != 0; b &= b - 1) {
          const DocId d = from + w * 64 + static_cast<uint32_t>(std::countr_zero(b));
          if (c.NextGeq(d) != d) continue;
          for (uint32_t s = 0; s < t; ++s) block_tfs[s] = c.BlockTfsBySlot(s);
          keep_doc(c.BlockDocs(), c.IndexInBlock());
        }
      }
      return;
    }
  }
  DocId target = from;
  while (true) {
    if (estimate) {
      // A block whose stored max tf~ is below the cut holds no doc that passes: not decoded.
      c.ShallowAdvance(target);
      const DocId last = c.BlockLastDoc();
      if (last == index::kNoMoreDocs) break;
      if (c.BlockTfTilde() < cut) {
        if (last >= to - 1) break;
        target = last + 1;
        continue;
      }
    }
    if (c.NextGeq(target) >= to) break;
    const DocId* docs = c.BlockDocs();
    const uint32_t size = c.BlockSize();
    for (uint32_t s = 0; s < t; ++s) block_tfs[s] = c.BlockTfsBySlot(s);
    uint32_t i = c.IndexInBlock();
    // A later list estimates only the candidates; the cut's outcome is kept without a branch
    // (it mispredicts), the tfs stored either way (read back only for candidates).
    for (; i < size && docs[i] < to; ++i) {
      const uint32_t r = docs[i] - from;
      if (!first && ((candidates[r >> 6] >> (r & 63)) & 1) == 0) continue;
      keep_doc(docs, i);
    }
    if (i < size) {  // the rest of the block lies past the window
      c.NextGeq(docs[i]);
      break;
    }
    target = docs[size - 1] + 1;  // the next block
  }
}

}  // namespace busca::query
