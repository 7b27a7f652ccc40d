#include "engine/query/segment_matcher.h"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <span>

#include "engine/query/bm25f.h"
#include "engine/query/merged_postings.h"
#include "engine/query/tf_tilde_estimate.h"
#include "engine/query/window_conjunction.h"

namespace busca::query {

using index::DocId;
using index::kNoMoreDocs;
using index::PostingCursor;

namespace {

// A word or prefix whose expansions open more cursors than this in a segment is walked as one
// materialized list (merged_postings.h).
constexpr size_t kMergeCursorsAbove = 8;
// A word with one list holding more than 1/kDenseListFraction of the segment's docs is scored a
// block at a time.
constexpr uint64_t kDenseListFraction = 8;
// A word or prefix alone in the query with two lists each holding more than 1/kLargeListFraction of
// the segment's docs is materialized, whatever its number of cursors. (At 1M docs, trig* -> trig
// with 277k docs and trigueir with 32k: walked, every doc of the range bounded through both
// cursors, 8.3 ms; materialized, 2.7 ms. A list of a few docs, pão -> pao, stays under it.)
constexpr uint64_t kLargeListFraction = 256;
// Words whose sparsest list holds more than 1/kWindowedListFraction of the segment's docs are
// intersected a window at a time once counting stops (ScanWindows).
constexpr uint64_t kWindowedListFraction = 32;
// A bound is compared as bound * kBoundMargin <= threshold: the relative margin covers the
// rounding of sums taken in a different order than ItemScore's.
constexpr double kBoundMargin = 1 + 1e-12;

inline DocId UnionNextGeq(std::vector<PostingCursor>& cursors, DocId target) {
  if (cursors.size() == 1) return cursors[0].NextGeq(target);
  DocId m = kNoMoreDocs;
  for (PostingCursor& c : cursors) {
    DocId d = c.doc();
    if (d < target) d = c.NextGeq(target);
    m = std::min(m, d);
  }
  return m;
}

// The first index >= `from` of a position run (ascending) whose value is >= `want`: the phrase
// walks' step. A long rest (a frequent word's run) is binary-searched, a short one scanned.
inline size_t SeekPosition(std::span<const uint32_t> run, size_t from, uint32_t want) {
  if (run.size() - from > 16) {
    const auto rest = run.begin() + static_cast<std::ptrdiff_t>(from);
    return static_cast<size_t>(std::lower_bound(rest, run.end(), want) - run.begin());
  }
  while (from < run.size() && run[from] < want) ++from;
  return from;
}

// tf in text slot `s` of `d` summed over the cursors of one slot's union (0 for those not on d).
inline uint32_t SlotTf(const std::vector<PostingCursor>& cursors, DocId d, uint32_t s) {
  uint32_t tf = 0;
  for (const PostingCursor& c : cursors) tf += c.doc() == d ? c.TfBySlot(s) : 0;
  return tf;
}

}  // namespace

// A word / prefix / phrase item over this segment.
struct SegmentMatcher::Item {
  const PlannedItem* plan = nullptr;
  bool phrase = false;
  const std::vector<size_t>* text_fields = nullptr;
  // Cursors of the expanded terms, per slot; a phrase's words with the same terms (`de` in
  // "de pão de") share one slot: word_slot maps each phrase word to its slot.
  std::vector<std::vector<PostingCursor>> slots;
  std::vector<size_t> word_slot;
  std::vector<size_t> slot_word;  // the first word of each slot
  std::unique_ptr<MergedPostings> merged;         // word/prefix with many cursors: their union
  bool merge_pending = false;                     // build `merged` on first use
  const index::SegmentReader* segment = nullptr;
  const FieldScoring* scoring = nullptr;
  DocId doc = 0;                                  // current match (valid once positioned)
  bool positioned = false;
  std::vector<uint32_t> phrase_tf;                // per text slot, for counted_doc (phrase only)
  DocId counted_doc = kNoMoreDocs;                // the doc phrase_tf was counted for
  std::vector<std::vector<uint32_t>> positions;   // scratch per phrase slot
  std::vector<uint32_t> phrase_best;
  std::vector<std::span<const uint32_t>> slot_positions;  // VerifyPhrase scratch, per word
  std::vector<size_t> cursor_at;                           // VerifyPhrase scratch
  std::vector<double> doc_bound_coef;             // per text slot: w_s / norm_s(block min length)
  double block_tf_tilde = 0;                      // bound of tf~ over the last Bound() range
  double range_bound = 0;                         // bound of the score over that range
  // A word with one cursor whose list is dense: exact scores from the decoded block's arrays,
  // cached per doc of the block (BlockScoreAt).
  bool block_scored = false;
  uint32_t scored_block = std::numeric_limits<uint32_t>::max();
  std::array<double, index::kPostingBlockSize> block_scores;  // valid where block_scored_mask says
  std::array<uint64_t, index::kPostingBlockSize / 64> block_scored_mask{};
  // Upper estimates of the tf~ of its decoded block's docs (LeadEstimate): valid for the docs
  // [estimated_from, estimated_to) of block estimated_block.
  uint32_t estimated_block = std::numeric_limits<uint32_t>::max();
  uint32_t estimated_from = 0;
  uint32_t estimated_to = 0;
  std::array<float, index::kPostingBlockSize> estimates;
  std::vector<uint32_t> tf;                       // per text slot, for tf_doc (LoadTfs)
  DocId tf_doc = kNoMoreDocs;
  // A phrase that is its clause's only item may return docs where its words merely co-occur; the
  // matcher verifies them (Holds) only when they could enter the top-k.
  bool defer_verify = false;
  const std::string* slot0_last_term = nullptr;   // the term of slots[0]'s last cursor

  // Fills tf[] for `doc` (the item's current match): the phrase's counts, or the sums over the
  // expanded terms' cursors on `doc`.
  void LoadTfs(DocId d) {
    if (tf_doc == d) return;
    tf_doc = d;
    const size_t nf = tf.size();
    if (phrase) {
      if (counted_doc != d) VerifyPhrase(d, /*count_all=*/true);  // the cursors are still on d
      for (size_t s = 0; s < nf; ++s) tf[s] = phrase_tf[s];
      return;
    }
    // (Never for a materialized union: its scores and bounds come from its per-doc tf~.)
    std::fill(tf.begin(), tf.end(), 0);
    for (PostingCursor& c : slots[0]) {
      if (c.doc() != d) continue;
      for (size_t s = 0; s < nf; ++s) tf[s] += c.TfBySlot(static_cast<uint32_t>(s));
    }
  }

  // Positions of slot `i` in text slot `s` of doc `d` (0 when no cursor of the slot has the
  // field there): a view of the cursor's positions when one cursor has them, else the sorted,
  // distinct union gathered into positions[i].
  std::span<const uint32_t> SlotPositions(size_t i, DocId d, uint32_t s) {
    PostingCursor* only = nullptr;
    int found = 0;
    for (PostingCursor& c : slots[i]) {
      if (c.doc() != d || c.TfBySlot(s) == 0) continue;
      only = &c;
      ++found;
    }
    if (found <= 1) return found == 0 ? std::span<const uint32_t>() : only->PositionsBySlot(s);
    std::vector<uint32_t>& out = positions[i];
    out.clear();
    for (PostingCursor& c : slots[i]) {
      if (c.doc() != d || c.TfBySlot(s) == 0) continue;
      std::span<const uint32_t> p = c.PositionsBySlot(s);
      out.insert(out.end(), p.begin(), p.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Verifies the phrase on `d` (all slots positioned on d). With `count_all`, fills phrase_tf with
  // the occurrences per text slot; without, stops at the first occurrence (matching only).
  bool VerifyPhrase(DocId d, bool count_all) {
    if (word_slot.size() == 2 && word_slot[0] != word_slot[1]) return VerifyTwoWords(d, count_all);
    bool any = false;
    const size_t n = word_slot.size();  // the phrase's words
    const std::vector<uint32_t>& offsets = plan->offsets;
    for (size_t s = 0; s < text_fields->size(); ++s) {
      phrase_tf[s] = 0;
      // Every slot must occur in the field: tfs first, no position decoding.
      bool possible = true;
      for (size_t i = 0; i < slots.size() && possible; ++i) {
        possible = false;
        for (PostingCursor& c : slots[i]) {
          if (c.doc() == d && c.TfBySlot(static_cast<uint32_t>(s)) > 0) {
            possible = true;
            break;
          }
        }
      }
      if (!possible) continue;
      // Walk the slot with the fewest positions; the others advance monotonically.
      slot_positions.resize(n);
      size_t pivot = 0;
      for (size_t i = 0; i < n; ++i) {
        const size_t first = slot_word[word_slot[i]];  // <= i
        slot_positions[i] = first == i ? SlotPositions(word_slot[i], d, static_cast<uint32_t>(s)) : slot_positions[first];
        if (slot_positions[i].size() < slot_positions[pivot].size()) pivot = i;
      }
      cursor_at.assign(n, 0);
      uint32_t count = 0;
      for (uint32_t p : slot_positions[pivot]) {
        if (p < offsets[pivot]) continue;
        const uint32_t start = p - offsets[pivot];
        bool all = true;
        for (size_t i = 0; i < n && all; ++i) {
          if (i == pivot) continue;
          const uint32_t want = start + offsets[i];
          std::span<const uint32_t> ps = slot_positions[i];
          size_t& k = cursor_at[i];
          k = SeekPosition(ps, k, want);
          all = k < ps.size() && ps[k] == want;
        }
        count += all;
        if (all && !count_all) return true;
      }
      phrase_tf[s] = count;
      any = any || count > 0;
    }
    if (count_all) counted_doc = d;
    return any;
  }

  // VerifyPhrase for two words of different slots (most phrases): the same walk without the
  // general one's per-word bookkeeping. The word with fewer positions is walked; the other's
  // position at the phrase's offset is sought from where the last search stopped.
  bool VerifyTwoWords(DocId d, bool count_all) {
    bool any = false;
    const int64_t gap = int64_t{plan->offsets[1]} - int64_t{plan->offsets[0]};  // word 1's offset from word 0
    for (size_t s = 0; s < text_fields->size(); ++s) {
      phrase_tf[s] = 0;
      const auto slot = static_cast<uint32_t>(s);
      if (SlotTf(slots[word_slot[0]], d, slot) == 0 || SlotTf(slots[word_slot[1]], d, slot) == 0) continue;
      std::span<const uint32_t> walk = SlotPositions(word_slot[0], d, slot);
      std::span<const uint32_t> find = SlotPositions(word_slot[1], d, slot);
      int64_t shift = gap;  // find's position = walk's position + shift
      if (find.size() < walk.size()) {
        std::swap(walk, find);
        shift = -gap;
      }
      uint32_t count = 0;
      size_t k = 0;
      for (uint32_t p : walk) {
        const int64_t want = int64_t{p} + shift;
        if (want < 0) continue;
        const auto w = static_cast<uint32_t>(want);
        k = SeekPosition(find, k, w);
        if (k == find.size()) break;
        if (find[k] == w) {
          ++count;
          if (!count_all) return true;
        }
      }
      phrase_tf[s] = count;
      any = any || count > 0;
    }
    if (count_all) counted_doc = d;
    return any;
  }

  // A bound of the phrase's tf in text slot `s` of `d` (every slot on d): an occurrence takes a
  // distinct position of each slot, so no more than the least of the slots' tfs.
  uint32_t PhraseTfBound(DocId d, uint32_t s) {
    uint32_t least = std::numeric_limits<uint32_t>::max();
    for (const auto& cursors : slots) least = std::min(least, SlotTf(cursors, d, s));
    return least;
  }

  // Whether the phrase occurs in `d` (the item's current doc); counts it for scoring.
  bool Holds(DocId d) {
    if (counted_doc != d) return VerifyPhrase(d, /*count_all=*/true);
    return std::any_of(phrase_tf.begin(), phrase_tf.end(), [](uint32_t t) { return t > 0; });
  }

  void Materialize() {
    merge_pending = false;
    merged = std::make_unique<MergedPostings>(slots[0], *segment, *scoring);
    slots[0].clear();
  }

  // Phrase: the slot whose lists hold the fewest docs leads the alignment.
  size_t lead_slot = 0;

  // Phrase: moves the other slots to `d` (the lead slot's doc). Returns d when every slot is on
  // it, else the first doc >= d of the first slot that is not (kNoMoreDocs once it has ended).
  DocId AlignOtherSlots(DocId d) {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (i == lead_slot) continue;
      const DocId di = UnionNextGeq(slots[i], d);
      if (di != d) return di;
    }
    return d;
  }

  // A bound of the item's score at a doc from its tfs there, tf_of(slot), with the last Bound()
  // range's minimum lengths (no length lookup) and stored tf~ bound.
  template <typename TfOf>
  double MinLengthBound(TfOf tf_of) const {
    double tf_tilde = 0;
    for (size_t s = 0; s < text_fields->size(); ++s) tf_tilde += tf_of(s) * doc_bound_coef[s];
    return Bm25Score(plan->idf, std::min(tf_tilde, block_tf_tilde));
  }

  // A word of one list (no union): ScanRange moves its cursor directly.
  bool single = false;
  // NextGeq for ScanRange, where a single item's `doc` is set only at matches.
  DocId Advance(DocId target) { return single ? slots[0][0].NextGeq(target) : NextGeq(target); }

  // Moves to the first match >= target; returns it.
  DocId NextGeq(DocId target) {
    if (positioned && doc >= target) return doc;
    positioned = true;
    if (!phrase) {
      if (merge_pending) Materialize();
      doc = merged ? merged->NextGeq(target) : UnionNextGeq(slots[0], target);
      return doc;
    }
    while (true) {
      DocId d = UnionNextGeq(slots[lead_slot], target);
      if (d == kNoMoreDocs) return doc = kNoMoreDocs;
      const DocId aligned = AlignOtherSlots(d);
      if (aligned != d) {
        if (aligned == kNoMoreDocs) return doc = kNoMoreDocs;
        target = aligned;
        continue;
      }
      if (defer_verify || VerifyPhrase(d, /*count_all=*/false)) return doc = d;
      target = d + 1;
    }
  }

  // Adds one block's bound in text slot `s` to the running sum of max tfs / min of min lengths.
  static void AddSlotBound(index::FieldBound fb, size_t s, std::vector<uint32_t>* tf, std::vector<uint32_t>* min_len) {
    if (fb.max_tf == 0) return;
    (*tf)[s] += fb.max_tf;
    (*min_len)[s] = std::min((*min_len)[s], fb.min_length);
  }

  // Moves every cursor's block window to `target` without decoding; adds each block's max tf per
  // text slot to *tf, lowers *min_len to the blocks' min lengths and narrows *until to the first
  // block end. Returns the sum of the blocks' max tf~. In a union, a list whose next doc is past
  // `target` adds nothing and ends the range before that doc.
  template <typename Cursors>
  double AccumulateBlockBounds(Cursors& cursors, DocId target, DocId* until, std::vector<uint32_t>* tf,
                               std::vector<uint32_t>* min_len) {
    const size_t nf = text_fields->size();
    double tf_tilde = 0;
    const bool several = cursors.size() > 1;
    for (PostingCursor& c : cursors) {
      if (several && c.doc() < target && c.BlockSize() > 0 && target <= c.BlockDocs()[c.BlockSize() - 1]) {
        c.NextGeq(target);  // within the decoded block: no decoding
      }
      if (several && c.doc() > target) {
        // Nothing of this list before its current doc: the range ends there instead of taking
        // this list's block bound (a short list would otherwise add its bound to every range).
        *until = std::min(*until, c.doc() - 1);
        continue;
      }
      c.ShallowAdvance(target);
      DocId last = c.BlockLastDoc();
      if (last == kNoMoreDocs) continue;
      *until = std::min(*until, last);
      tf_tilde += c.BlockTfTilde();
      for (size_t s = 0; s < nf; ++s) AddSlotBound(c.BlockBound((*text_fields)[s]), s, tf, min_len);
    }
    return tf_tilde;
  }

  // Per text slot: sum of block max tf, min of block min length; narrows *until. Returns the
  // bound of the item's tf~ from the blocks' max tf~ (meaningful when the segment has them).
  double AddBound(DocId target, DocId* until, std::vector<uint32_t>* max_tf, std::vector<uint32_t>* min_len,
                  std::vector<uint32_t>* slot_tf) {
    const size_t nf = text_fields->size();
    if (!phrase && merge_pending) Materialize();
    if (merged) {
      merged->ShallowAdvance(target);
      const DocId last = merged->BlockLastDoc();
      if (last == kNoMoreDocs) return 0;
      *until = std::min(*until, last);
      return merged->BlockTfTilde();  // exact per doc: no per-field bound is tighter
    }
    if (!phrase) return AccumulateBlockBounds(slots[0], target, until, max_tf, min_len);
    // Phrase: its tf (and so its tf~) in a doc <= that of any one slot's union.
    std::vector<uint32_t>& best = phrase_best;
    best.assign(nf, std::numeric_limits<uint32_t>::max());
    double tf_tilde = std::numeric_limits<double>::infinity();
    for (auto& cursors : slots) {
      slot_tf->assign(nf, 0);
      tf_tilde = std::min(tf_tilde, AccumulateBlockBounds(cursors, target, until, slot_tf, min_len));
      for (size_t s = 0; s < nf; ++s) best[s] = std::min(best[s], (*slot_tf)[s]);
    }
    for (size_t s = 0; s < nf; ++s) (*max_tf)[s] += best[s];
    return tf_tilde;
  }
};

struct SegmentMatcher::Clause {
  std::vector<std::unique_ptr<Item>> items;
  DocId doc = 0;
  bool positioned = false;

  DocId NextGeq(DocId target) {
    if (positioned && doc >= target) return doc;
    positioned = true;
    if (items.size() == 1) return doc = items[0]->NextGeq(target);
    DocId m = kNoMoreDocs;
    for (auto& item : items) m = std::min(m, item->NextGeq(target));
    return doc = m;
  }
};

SegmentMatcher::SegmentMatcher(const QueryPlan& plan, const index::SegmentReader& segment,
                               const FieldScoring& scoring, const std::vector<uint32_t>& deleted)
    : plan_(plan), segment_(segment), scoring_(scoring), deleted_(deleted) {
  text_fields_ = segment.text_fields();
  for (size_t f : text_fields_) weights_.push_back(scoring.weights[f]);
  inv_norm_.assign(text_fields_.size(), 1.0);
  inv_doc_.assign(text_fields_.size(), kNoMoreDocs);
  // The stored per-block tf~ bounds hold only for the parameters they were computed with.
  const index::BlockScoring& stored = segment.block_scoring();
  use_block_tf_tilde_ = stored.enabled() && stored.weights.size() == text_fields_.size();
  for (size_t s = 0; use_block_tf_tilde_ && s < text_fields_.size(); ++s) {
    use_block_tf_tilde_ = stored.weights[s] == weights_[s] &&
                          stored.avg_lengths[s] == scoring.avg_length[text_fields_[s]];
  }

  auto open_item = [&](const PlannedItem& pi) {
    auto item = std::make_unique<Item>();
    item->plan = &pi;
    item->phrase = pi.kind == PlannedItem::Kind::kPhrase;
    item->text_fields = &text_fields_;
    for (const PlannedSlot& slot : pi.slots) {
      // A phrase word with the terms of an earlier one reads that word's slot.
      size_t same = 0;
      while (same < item->word_slot.size() && pi.slots[same].terms != slot.terms) ++same;
      if (same < item->word_slot.size()) {
        item->word_slot.push_back(item->word_slot[same]);
        continue;
      }
      item->slot_word.push_back(item->word_slot.size());
      item->word_slot.push_back(item->slots.size());
      std::vector<PostingCursor> cursors;
      for (const std::string& term : slot.terms) {
        PostingCursor c = segment_.OpenPostings(term);
        if (c.empty()) continue;
        postings_ += c.doc_freq();
        cursors.push_back(std::move(c));
        if (item->slots.empty()) item->slot0_last_term = &term;
      }
      item->slots.push_back(std::move(cursors));
    }
    item->segment = &segment_;
    item->scoring = &scoring_;
    if (item->phrase) {
      uint64_t least = std::numeric_limits<uint64_t>::max();
      for (size_t i = 0; i < item->slots.size(); ++i) {
        uint64_t docs = 0;
        for (const PostingCursor& c : item->slots[i]) docs += c.doc_freq();
        if (docs < least) {
          least = docs;
          item->lead_slot = i;
        }
      }
    }
    uint64_t df_sum = 0;
    for (const PostingCursor& c : item->slots[0]) df_sum += c.doc_freq();
    const bool dense = df_sum * kDenseListFraction > segment_.max_doc();
    item->merge_pending = !item->phrase && item->slots[0].size() > kMergeCursorsAbove;
    // Scoring whole blocks pays off when most of a block's docs become candidates.
    item->block_scored = !item->phrase && item->slots[0].size() == 1 && dense;
    item->phrase_tf.assign(text_fields_.size(), 0);
    item->tf.assign(text_fields_.size(), 0);
    item->positions.resize(item->slots.size());
    return item;
  };

  for (const PlannedClause& pc : plan.clauses) {
    if (pc.excluded) {
      excluded_.push_back(open_item(pc.items[0]));
      continue;
    }
    auto clause = std::make_unique<Clause>();
    bool any_postings = false;
    for (const PlannedItem& pi : pc.items) {
      clause->items.push_back(open_item(pi));
      bool all_slots = true;
      for (const auto& cursors : clause->items.back()->slots) all_slots = all_slots && !cursors.empty();
      any_postings = any_postings || all_slots;
    }
    empty_ = empty_ || !any_postings;
    required_.push_back(std::move(clause));
  }
  // Scoring a whole block pays off only when most of its docs become candidates: the candidates
  // are at most the docs of the sparsest required clause.
  uint64_t candidates = std::numeric_limits<uint64_t>::max();
  for (const auto& clause : required_) {
    uint64_t docs = 0;
    for (const auto& item : clause->items) {
      for (const PostingCursor& c : item->slots[item->lead_slot]) docs += c.doc_freq();
    }
    candidates = std::min(candidates, docs);
  }
  if (required_.size() == 1 && required_[0]->items.size() == 1 && use_block_tf_tilde_) {
    Item& item = *required_[0]->items[0];
    if (!item.phrase && !item.merge_pending && item.slots[0].size() == 1) {
      sole_item_ = &item;
      item.block_scored = true;  // outside the skipped blocks every doc is a candidate
    }
  }
  // A word or prefix alone in the query with two or more large lists (gost* -> gostos, gost;
  // trig* -> trig, trigueir) is materialized too: its count is then known at once, and ScanRange
  // passes its docs by their exact tf~, where walking the union bounds every doc one by one. One
  // large list among tiny ones (pão -> pa, pao) is left to the walk, whose block bounds then skip
  // like a single list's.
  if (required_.size() == 1 && required_[0]->items.size() == 1) {
    Item& item = *required_[0]->items[0];
    size_t large = 0;
    for (const PostingCursor& c : item.slots[0]) large += c.doc_freq() * kLargeListFraction > segment_.max_doc();
    if (!item.phrase && !item.merge_pending && large >= 2) item.merge_pending = true;
  }
  // Every required clause one word or prefix: ScanRange walks their lists directly.
  bool flat = !required_.empty();
  for (const auto& clause : required_) flat = flat && clause->items.size() == 1 && !clause->items[0]->phrase;
  if (flat) {
    for (auto& clause : required_) {
      Item& item = *clause->items[0];
      item.single = item.slots[0].size() == 1;  // a materialized union has more than one
      flat_items_.push_back(&item);
    }
  }
  if (candidates * kDenseListFraction <= segment_.max_doc()) {
    for (auto& clause : required_) {
      for (auto& item : clause->items) item->block_scored = item.get() == sole_item_;
    }
  }
  // Two or more words, with the stored block bounds, each of one list or of a few unmerged lists
  // (pão -> pa, pao), one of them at least a single list, the sparsest holding more than
  // 1/kWindowedListFraction of the segment: ScanWindows.
  windowed_ = flat_items_.size() >= 2 && use_block_tf_tilde_ &&
              candidates * kWindowedListFraction > segment_.max_doc() &&
              std::any_of(flat_items_.begin(), flat_items_.end(), [](const Item* item) { return item->single; }) &&
              std::none_of(flat_items_.begin(), flat_items_.end(),
                           [](const Item* item) { return item->merged || item->merge_pending; });
}

SegmentMatcher::~SegmentMatcher() = default;

double SegmentMatcher::InvNorm(DocId doc, size_t slot) {
  if (inv_doc_[slot] != doc) {
    inv_doc_[slot] = doc;
    inv_norm_[slot] = scoring_.InvNorm(text_fields_[slot], segment_.LengthBySlot(doc, static_cast<uint32_t>(slot)));
  }
  return inv_norm_[slot];
}

uint32_t SegmentMatcher::ItemFieldTf(Item& item, DocId doc, size_t slot) {
  item.LoadTfs(doc);
  return item.tf[slot];
}

inline double SegmentMatcher::BlockDocTfTilde(const PostingCursor& c, const DocId* docs, uint32_t i) {
  // The same sums in the same order as ItemScore's per-doc path, so the scores are identical.
  double tf_tilde = 0;
  for (size_t s = 0; s < text_fields_.size(); ++s) {
    const uint32_t tf = c.BlockTfsBySlot(static_cast<uint32_t>(s))[i];
    if (tf == 0) continue;
    tf_tilde += weights_[s] * tf *
                scoring_.InvNorm(text_fields_[s], segment_.LengthBySlot(docs[i], static_cast<uint32_t>(s)));
  }
  return tf_tilde;
}

inline float SegmentMatcher::LeadEstimate(Item& item, uint32_t i) {
  if (item.estimated_block != item.slots[0][0].BlockOrdinal() || i < item.estimated_from || i >= item.estimated_to) {
    EstimateLeadChunk(item, i);
  }
  return item.estimates[i];
}

void SegmentMatcher::EstimateLeadChunk(Item& item, uint32_t i) {
  // A chunk at a time: a range may use only a few docs of the block.
  constexpr uint32_t kChunk = 32;
  const PostingCursor& c = item.slots[0][0];
  const uint32_t to = std::min(c.BlockSize(), i + kChunk);
  if (item.estimated_block == c.BlockOrdinal() && i == item.estimated_to) {
    item.estimated_to = to;  // extends the valid run
  } else {
    item.estimated_block = c.BlockOrdinal();
    item.estimated_from = i;
    item.estimated_to = to;
  }
  const TfTildeEstimator estimator(segment_, scoring_);
  std::array<const uint32_t*, index::kMaxTextFields> tfs;
  for (uint32_t s = 0; s < estimator.slots; ++s) tfs[s] = c.BlockTfsBySlot(s);
  const DocId* docs = c.BlockDocs();
  float* estimates = item.estimates.data();
  auto estimate = [&](auto slots) {
    for (uint32_t k = i; k < to; ++k) {
      estimates[k] = estimator.Estimate<decltype(slots)::value>([&](uint32_t s) { return tfs[s][k]; }, docs[k]);
    }
  };
  if (estimator.slots == 2) {
    estimate(std::integral_constant<uint32_t, 2>());  // title + body: the loop unrolls
  } else {
    estimate(std::integral_constant<uint32_t, 0>());
  }
}

double SegmentMatcher::BlockDocScore(const PostingCursor& c, const DocId* docs, uint32_t i, double idf) {
  return Bm25Score(idf, BlockDocTfTilde(c, docs, i));
}

double SegmentMatcher::BlockScoreAt(Item& item, uint32_t i) {
  const PostingCursor& c = item.slots[0][0];
  if (item.scored_block != c.BlockOrdinal()) {
    item.scored_block = c.BlockOrdinal();
    item.block_scored_mask.fill(0);
  }
  uint64_t& word = item.block_scored_mask[i / 64];
  const uint64_t bit = uint64_t{1} << (i % 64);
  if ((word & bit) == 0) {
    word |= bit;
    item.block_scores[i] = BlockDocScore(c, c.BlockDocs(), i, item.plan->idf);
  }
  return item.block_scores[i];
}

template <typename TfOf>
double SegmentMatcher::DocTfTilde(DocId doc, TfOf tf_of) {
  double tf_tilde = 0;
  for (size_t s = 0; s < text_fields_.size(); ++s) {
    const uint32_t tf = tf_of(s);
    if (tf == 0) continue;
    tf_tilde += weights_[s] * tf * InvNorm(doc, s);
  }
  return tf_tilde;
}

double SegmentMatcher::ItemScore(Item& item, DocId doc) {
  if (item.merged) {
    const double tf_tilde = item.merged->doc() == doc ? item.merged->TfTilde() : 0.0;
    return Bm25Score(item.plan->idf, tf_tilde);
  }
  if (item.block_scored) return BlockScoreAt(item, item.slots[0][0].IndexInBlock());
  const double tf_tilde = DocTfTilde(doc, [&](size_t s) { return ItemFieldTf(item, doc, s); });
  return Bm25Score(item.plan->idf, tf_tilde);
}

DocId SegmentMatcher::SkipLowBlocks(DocId target, double threshold, uint64_t* skipped) {
  PostingCursor& c = sole_item_->slots[0][0];
  const double idf = sole_item_->plan->idf;
  while (true) {
    c.ShallowAdvance(target);
    const DocId last = c.BlockLastDoc();
    if (last == kNoMoreDocs) return kNoMoreDocs;
    if (Bm25Score(idf, c.BlockTfTilde()) > threshold) return target;
    ++*skipped;
    target = last + 1;
  }
}

double SegmentMatcher::ScoreFloor(size_t k) {
  constexpr uint32_t kMaxBlocks = 4;
  PostingCursor probe = segment_.OpenPostings(*sole_item_->slot0_last_term);
  const uint32_t blocks = probe.NumBlocks();
  if (k == 0 || blocks <= 1) return -std::numeric_limits<double>::infinity();
  // The blocks with the largest stored bounds, best first.
  std::vector<std::pair<float, uint32_t>>& best = floor_blocks_;
  best.clear();
  for (uint32_t b = 0; b < blocks; ++b) {
    const float t = probe.BlockTfTildeOf(b);
    if (best.size() == kMaxBlocks && t <= best.back().first) continue;
    if (best.size() == kMaxBlocks) best.pop_back();
    best.insert(std::upper_bound(best.begin(), best.end(), std::make_pair(t, b),
                                 [](const auto& a, const auto& e) { return a.first > e.first; }),
                {t, b});
  }
  // Exact scores of their live docs, summed exactly as ItemScore sums them.
  std::vector<double>& scores = floor_scores_;
  scores.clear();
  const double idf = sole_item_->plan->idf;
  for (const auto& [bound, b] : best) {
    probe.MoveToBlock(b);
    const DocId* docs = probe.BlockDocs();
    for (uint32_t i = 0; i < probe.BlockSize(); ++i) {
      if (std::binary_search(deleted_.begin(), deleted_.end(), docs[i])) continue;
      scores.push_back(BlockDocScore(probe, docs, i, idf));
    }
    if (scores.size() >= k) break;
  }
  if (scores.size() < k) return -std::numeric_limits<double>::infinity();
  std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(k - 1), scores.end(),
                   std::greater<>());
  // k docs score at least this; a doc scoring exactly this may still win its tie, so the floor a
  // candidate must beat is just below it.
  return std::nextafter(scores[k - 1], -std::numeric_limits<double>::infinity());
}

double SegmentMatcher::Bound(DocId target, DocId* until) {
  const size_t nf = text_fields_.size();
  *until = kNoMoreDocs;
  double total = 0;
  std::vector<uint32_t>& max_tf = bound_max_tf_;
  std::vector<uint32_t>& min_len = bound_min_len_;
  std::vector<uint32_t>& slot_tf = bound_slot_tf_;
  max_tf.resize(nf);
  min_len.resize(nf);
  for (auto& clause : required_) {
    for (auto& item : clause->items) {
      if (use_block_tf_tilde_ && item->block_scored) {
        // One list, scored exactly wherever DocBoundAbove looks: the stored tf~ bound alone,
        // without the per-field bounds (never tighter than it but for its rounding up).
        PostingCursor& c = item->slots[0][0];
        c.ShallowAdvance(target);
        if (c.BlockLastDoc() == kNoMoreDocs) {
          item->block_tf_tilde = 0;
          item->range_bound = 0;
          continue;
        }
        *until = std::min(*until, c.BlockLastDoc());
        item->block_tf_tilde = c.BlockTfTilde();
        item->range_bound = Bm25Score(item->plan->idf, item->block_tf_tilde);
        total += item->range_bound;
        continue;
      }
      std::fill(max_tf.begin(), max_tf.end(), 0);
      std::fill(min_len.begin(), min_len.end(), std::numeric_limits<uint32_t>::max());
      const double block_tf_tilde = item->AddBound(target, until, &max_tf, &min_len, &slot_tf);
      // A merged item's bound is exact for this scoring; a cursor's only when the parameters match.
      item->block_tf_tilde = use_block_tf_tilde_ || item->merged ? block_tf_tilde
                                                                 : std::numeric_limits<double>::infinity();
      item->doc_bound_coef.resize(nf);
      for (size_t s = 0; s < nf; ++s) {
        item->doc_bound_coef[s] = min_len[s] == std::numeric_limits<uint32_t>::max()
                                      ? 0.0
                                      : weights_[s] * scoring_.InvNorm(text_fields_[s], min_len[s]);
      }
      double tf_tilde = 0;
      for (size_t s = 0; s < nf; ++s) {
        if (max_tf[s] == 0) continue;
        uint32_t len = min_len[s] == std::numeric_limits<uint32_t>::max() ? 0 : min_len[s];
        tf_tilde += weights_[s] * max_tf[s] * scoring_.InvNorm(text_fields_[s], len);
      }
      // Both bounds hold; the stored one is exact per doc (the per-field one mixes docs). A merged
      // item has only its exact one.
      tf_tilde = item->merged ? item->block_tf_tilde : std::min(tf_tilde, item->block_tf_tilde);
      item->range_bound = Bm25Score(item->plan->idf, tf_tilde);
      total += item->range_bound;
    }
  }
  return total;
}

bool SegmentMatcher::DocBoundAbove(DocId doc, double range_bound, double threshold) {
  // Starts from the range's bound (the sum of the items' range bounds) and replaces the items'
  // bounds one at a time by their bound at `doc`: its tfs with the block's minimum lengths instead
  // of the document's (no length lookups, never below the real score since norms shrink as lengths
  // grow), the exact score for a block-scored item, for a phrase not yet verified the least of
  // its slots' tfs with `doc`'s own lengths, or 0 for an item `doc` lacks. Stops as soon as the total cannot exceed `threshold`.
  // Valid while `doc` is within the range of the last Bound(); compared with kBoundMargin, which covers the
  // rounding of sums taken in a different order than ItemScore's.
  double total = range_bound;
  for (auto& clause : required_) {
    for (auto& item_ptr : clause->items) {
      Item& item = *item_ptr;
      double part = 0;
      if (item.doc == doc && (item.block_scored || item.merged)) {
        part = ItemScore(item, doc);  // exact, and cheap: read from the decoded block
      } else if (item.doc == doc) {
        if (item.phrase && item.counted_doc != doc) {  // not verified yet: bound it from the slots' tfs
          const double tf_tilde =
              DocTfTilde(doc, [&](size_t s) { return item.PhraseTfBound(doc, static_cast<uint32_t>(s)); });
          part = Bm25Score(item.plan->idf, std::min(tf_tilde, item.block_tf_tilde));
        } else {
          part = item.MinLengthBound([&](size_t s) { return ItemFieldTf(item, doc, s); });
        }
      }
      total += part - item.range_bound;
      if (total * kBoundMargin <= threshold) return false;
    }
  }
  return true;
}

std::optional<SegmentMatcher::MatchCount> SegmentMatcher::KnownMatchCount(bool has_filters) {
  if (has_filters || !excluded_.empty() || required_.size() != 1 || required_[0]->items.size() != 1) {
    return std::nullopt;
  }
  Item& item = *required_[0]->items[0];
  if (item.phrase) return std::nullopt;
  if (item.merge_pending) item.Materialize();
  // A union holds at least its largest list; deleted docs may be among the docs counted.
  uint64_t docs = 0;
  if (item.merged) {
    docs = item.merged->size();
  } else {
    for (const PostingCursor& c : item.slots[0]) docs = std::max<uint64_t>(docs, c.doc_freq());
  }
  const uint64_t deleted = deleted_.size();
  const bool exact = (item.merged || item.slots[0].size() == 1) && deleted == 0;
  return MatchCount{docs > deleted ? docs - deleted : 0, exact};
}

bool SegmentMatcher::DeferPhraseChecks() {
  bool any = false;
  for (auto& clause : required_) {
    if (clause->items.size() == 1 && clause->items[0]->phrase) {
      clause->items[0]->defer_verify = true;
      any = true;
    }
  }
  return any;
}

bool SegmentMatcher::DeferredPhrasesHold(DocId doc) {
  for (auto& clause : required_) {
    Item& item = *clause->items[0];
    if (item.defer_verify && !item.Holds(doc)) return false;
  }
  return true;
}

bool SegmentMatcher::Excluded(DocId doc) {
  for (auto& item : excluded_) {
    if (item->NextGeq(doc) == doc) return true;
  }
  return false;
}

DocId SegmentMatcher::Align(DocId target) {
  DocId d = required_[0]->NextGeq(target);
  while (d != kNoMoreDocs) {
    bool aligned = true;
    for (size_t i = 1; i < required_.size(); ++i) {
      DocId di = required_[i]->NextGeq(d);
      if (di != d) {
        d = required_[0]->NextGeq(di);
        aligned = false;
        break;
      }
    }
    if (aligned) return d;
  }
  return kNoMoreDocs;
}

// The state of one Run(), shared by its loops.
struct SegmentMatcher::RunContext {
  uint32_t collection_index = 0;
  uint32_t segment_index = 0;
  const SegmentFilter* filter = nullptr;
  bool has_filters = false;
  bool prune = false;
  TopK* top = nullptr;
  MatchState* state = nullptr;
  const QueryControl* control = nullptr;
  // A floor known before the top k is full (ScoreFloor), or -inf.
  double floor = -std::numeric_limits<double>::infinity();
  bool counting = true;    // matches are counted one by one
  bool deferring = false;  // phrase checks deferred (DeferPhraseChecks)

  // Whether a candidate must beat a known score (the full top k's threshold, or the floor).
  bool bounded() const { return top->full() || floor != -std::numeric_limits<double>::infinity(); }
  double threshold() const { return std::max(top->threshold(), floor); }
  // Whether every match must still be visited to be counted.
  bool must_count() const { return counting && state->matched < state->total_threshold; }
  // True every 256 calls: time to check the control.
  bool Due() const { return (++state->tick & 255) == 0; }
  Status Check() const { return control->Check("evaluation"); }
};

bool SegmentMatcher::CountMatch(DocId d, RunContext& rc) {
  while (deleted_pos_ < deleted_.size() && deleted_[deleted_pos_] < d) ++deleted_pos_;
  if (deleted_pos_ < deleted_.size() && deleted_[deleted_pos_] == d) return false;
  if (!excluded_.empty() && Excluded(d)) return false;
  if (rc.has_filters && !rc.filter->Accept(d)) return false;
  if (rc.counting) ++rc.state->matched;
  return true;
}

void SegmentMatcher::Consider(DocId d, double ub, RunContext& rc) {
  if (!CountMatch(d, rc)) return;
  if (rc.prune && rc.bounded() && (ub <= rc.threshold() || !DocBoundAbove(d, ub, rc.threshold()))) return;
  if (rc.deferring && !DeferredPhrasesHold(d)) return;
  double score = 0;
  for (auto& clause : required_) {
    for (auto& item : clause->items) {
      if (item->doc == d) score += ItemScore(*item, d);
    }
  }
  Offer(d, score, rc);
}

void SegmentMatcher::Offer(DocId d, double score, RunContext& rc) {
  ++rc.state->docs_scored;
  Candidate c;
  c.score = score;
  c.collection = rc.collection_index;
  c.segment = rc.segment_index;
  c.doc = d;
  if (!rc.prune) c.key = rc.filter->Key(d);
  rc.top->Push(std::move(c));
}

double SegmentMatcher::WindowItemScore(size_t i, uint32_t r, DocId d) {
  const uint32_t* tfs = window_->Tfs(i, r);
  return Bm25Score(flat_items_[i]->plan->idf, DocTfTilde(d, [&](size_t s) { return tfs[s]; }));
}

Status SegmentMatcher::ScanWindows(DocId from, RunContext& rc) {
  const size_t n = flat_items_.size();
  const DocId max_doc = segment_.max_doc();
  if (!window_) window_ = std::make_unique<WindowConjunction>(segment_, scoring_, n);
  // The one-list words are loaded sparsest first, then the words of several lists (by presence
  // only): a later one only tests the remaining candidates.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  auto load_rank = [&](size_t i) {
    uint64_t docs = 0;
    for (const PostingCursor& c : flat_items_[i]->slots[0]) docs += c.doc_freq();
    return std::make_pair(!flat_items_[i]->single, docs);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return load_rank(a) < load_rank(b); });
  std::vector<double> item_max(n), item_score(n);
  // Per item and list: its first block ending in or after the window.
  std::vector<std::vector<uint32_t>> window_block(n);
  for (size_t i = 0; i < n; ++i) window_block[i].assign(flat_items_[i]->slots[0].size(), 0);
  // Docs failing a cut go uncounted: the total is a lower bound from here.
  rc.state->skipped_matches = rc.state->skipped_matches || rc.counting;
  for (DocId w = from; w < max_doc;) {
    if (rc.Due()) BUSCA_RETURN_IF_ERROR(rc.Check());
    const DocId to = static_cast<DocId>(std::min<uint64_t>(uint64_t{w} + WindowConjunction::kWindowDocs, max_doc));
    // Each item's bound over the window: the largest stored tf~ of its blocks there, read from
    // the block table (the cursor's block-max window is Load's, and moves only forward).
    double window_max = 0;
    // A word of several lists sums its lists' bounds; it has ended when all of them have.
    for (size_t i = 0; i < n; ++i) {
      std::vector<PostingCursor>& cursors = flat_items_[i]->slots[0];
      double tf_tilde = 0;
      bool ended = true;
      for (size_t l = 0; l < cursors.size(); ++l) {
        PostingCursor& c = cursors[l];
        double list_tf_tilde = 0;
        if (c.NumBlocks() <= 1) {
          if (c.doc() == kNoMoreDocs) continue;
          list_tf_tilde = c.TermTfTilde();
        } else {
          uint32_t& b = window_block[i][l];
          while (b < c.NumBlocks() && c.BlockLastDocOf(b) < w) ++b;
          if (b == c.NumBlocks()) continue;
          for (uint32_t k = b; k < c.NumBlocks(); ++k) {
            list_tf_tilde = std::max(list_tf_tilde, static_cast<double>(c.BlockTfTildeOf(k)));
            if (c.BlockLastDocOf(k) >= to - 1) break;
          }
        }
        ended = false;
        tf_tilde += list_tf_tilde;
      }
      if (ended) return Status::Ok();  // no match is left
      item_max[i] = Bm25Score(flat_items_[i]->plan->idf, tf_tilde);
      window_max += item_max[i];
    }
    const double threshold = rc.threshold();
    if (window_max * kBoundMargin <= threshold) {
      ++rc.state->blocks_skipped;
      w = to;
      continue;
    }
    // Each list's docs whose estimate cannot reach what the item needs (the others at their
    // window bounds) drop out.
    window_->Start(w, to);
    bool any = true;
    for (size_t k = 0; k < n && any; ++k) {
      const size_t i = order[k];
      if (!flat_items_[i]->single) {
        any = window_->LoadUnion(i, flat_items_[i]->slots[0]);
        continue;
      }
      const double cut = Bm25TfTildeBelow(flat_items_[i]->plan->idf, threshold / kBoundMargin - (window_max - item_max[i]));
      any = window_->Load(i, flat_items_[i]->slots[0][0], cut > 0 ? FloatCutBelow(cut) : 0.0f);
    }
    // The candidates in order: counted, bounded item by item (an exact score replacing a bound),
    // scored.
    const WindowConjunction::Bits& bits = window_->candidates();
    for (uint32_t word = 0; any && word < WindowConjunction::kWords; ++word) {
      for (uint64_t b = bits[word]; b != 0; b &= b - 1) {
        const uint32_t r = word * 64 + static_cast<uint32_t>(std::countr_zero(b));
        const DocId d = w + r;
        if (!CountMatch(d, rc)) continue;
        const double now = rc.threshold();
        double bound = window_max;
        bool out = false;
        for (size_t k = 0; k < n && !out; ++k) {
          const size_t i = order[k];
          item_score[i] = WindowItemScore(i, r, d);
          bound += item_score[i] - item_max[i];
          out = bound * kBoundMargin <= now;
        }
        if (out) continue;
        double score = 0;
        for (size_t i = 0; i < n; ++i) score += item_score[i];  // in Consider's order
        Offer(d, score, rc);
      }
    }
    w = to;
  }
  return Status::Ok();
}

Status SegmentMatcher::ScanRange(DocId from, DocId until, double ub, RunContext& rc) {
  // `until` is at most the last doc of every list's window block at `from` (a union's list whose
  // next doc is past it excepted), so once each cursor has decoded the block holding its first
  // doc >= from, every move below is a scan of that block's doc array (a move past `until` may
  // decode, and ends the range).
  Item& lead = *flat_items_[0];
  const size_t n = flat_items_.size();
  // The lead's tf~ below which a doc cannot enter, with the other items at their range bounds;
  // computed again only when the threshold has moved.
  double cut_threshold = std::numeric_limits<double>::quiet_NaN();  // (never equal)
  double cut = 0;
  float cut_estimate = 0;  // FloatCutBelow(cut)
  auto update_cut = [&] {
    if (const double threshold = rc.threshold(); threshold != cut_threshold) {
      cut_threshold = threshold;
      cut = Bm25TfTildeBelow(lead.plan->idf, threshold / kBoundMargin - (ub - lead.range_bound));
      cut_estimate = FloatCutBelow(cut);
    }
  };
  // Whether the i-th doc of a one-list lead's decoded block surely has a tf~ under the cut (its
  // float estimate is). The few the estimate lets through are bounded exactly by Consider.
  auto lead_under = [&](uint32_t i) { return LeadEstimate(lead, i) < cut_estimate; };
  DocId d = lead.Advance(from);
  while (d != kNoMoreDocs && d <= until) {
    if (rc.Due()) BUSCA_RETURN_IF_ERROR(rc.Check());
    if (lead.single && lead.block_scored && !rc.must_count() && rc.bounded()) {
      // The lead's exact scores come from its decoded block: pass the docs that cannot enter
      // even with the other items at their range bounds, without aligning the others.
      const PostingCursor& c = lead.slots[0][0];
      update_cut();  // one comparison per doc instead of a score
      const DocId* docs = c.BlockDocs();
      const uint32_t size = c.BlockSize();
      const uint32_t first = c.IndexInBlock();
      uint32_t i = first;
      while (i < size && docs[i] <= until && lead_under(i)) ++i;
      // Matches passed here go uncounted: the total becomes a lower bound.
      rc.state->skipped_matches = rc.state->skipped_matches || (rc.counting && i != first);
      if (i == size) {
        d = lead.Advance(docs[size - 1] + 1);
        continue;
      }
      if (docs[i] > until) break;
      d = lead.Advance(docs[i]);
    }
    if (lead.merged && !rc.must_count() && rc.bounded()) {
      // A materialized union keeps each doc's exact tf~: the docs that cannot enter even with the
      // other items at their range bounds are passed by one comparison each.
      update_cut();
      uint64_t passed = 0;
      d = lead.Advance(lead.merged->SkipTfTildeBelow(cut, until, &passed));
      // Matches passed here go uncounted: the total becomes a lower bound.
      rc.state->skipped_matches = rc.state->skipped_matches || (rc.counting && passed > 0);
      if (d == kNoMoreDocs || d > until) break;
    }
    // Once matches need no counting, each aligned block-scored item's exact score replaces its
    // range bound (the lead's from its estimate), and a doc that can no longer enter is passed
    // before the later (denser) items are aligned.
    const bool gated = lead.single && lead.block_scored && !rc.must_count() && rc.bounded();
    double doc_bound = 0;
    if (gated) {
      const double lead_tf_tilde = static_cast<double>(LeadEstimate(lead, lead.slots[0][0].IndexInBlock())) * kEstimateMargin;
      doc_bound = ub - lead.range_bound + Bm25Score(lead.plan->idf, lead_tf_tilde);
    }
    bool aligned = true;
    bool passed = false;
    for (size_t k = 1; k < n; ++k) {
      Item& item = *flat_items_[k];
      const DocId dk = item.Advance(d);
      if (dk != d) {
        aligned = false;
        d = dk != kNoMoreDocs && dk <= until ? lead.Advance(dk) : kNoMoreDocs;
        break;
      }
      if (gated && item.single && item.block_scored) {
        doc_bound += BlockScoreAt(item, item.slots[0][0].IndexInBlock()) - item.range_bound;
        if (doc_bound * kBoundMargin <= rc.threshold()) {
          passed = true;
          break;
        }
      }
    }
    if (passed) {
      // Possibly a match, passed uncounted: the total becomes a lower bound.
      rc.state->skipped_matches = rc.state->skipped_matches || rc.counting;
      d = lead.Advance(d + 1);
      continue;
    }
    if (!aligned) continue;
    for (Item* item : flat_items_) item->doc = d;
    if (lead.single && lead.block_scored && rc.prune && rc.bounded() && rc.must_count()) {
      // Counting (else the lead's docs that cannot enter were passed above): a match whose lead
      // tf~ is under the cut is only counted. The same test as Consider's bound on the lead's
      // exact score, one comparison instead of a score. The cut moves with the threshold.
      update_cut();
      if (lead_under(lead.slots[0][0].IndexInBlock())) {
        CountMatch(d, rc);
        d = lead.Advance(d + 1);
        continue;
      }
    }
    Consider(d, ub, rc);
    d = lead.Advance(d + 1);
  }
  // The items and clauses follow their cursors again.
  for (auto& clause : required_) {
    Item& item = *clause->items[0];
    if (item.single) item.doc = item.slots[0][0].doc();
    item.positioned = true;
    clause->doc = item.doc;
    clause->positioned = true;
  }
  return Status::Ok();
}

double SegmentMatcher::PhraseLeadBound(Item& item, DocId d) {
  const std::vector<PostingCursor>& lead = item.slots[item.lead_slot];
  const double tf_tilde = DocTfTilde(d, [&](size_t s) { return SlotTf(lead, d, static_cast<uint32_t>(s)); });
  return Bm25Score(item.plan->idf, tf_tilde);
}

DocId SegmentMatcher::SkipLeadDocsBelow(std::vector<PostingCursor>& lead, DocId target, DocId until, double cut) {
  // The lead's longest list scans its decoded blocks; the others only bound the scan: before their
  // next doc, the union's tfs at a doc are that list's alone.
  size_t main = 0;
  for (size_t i = 1; i < lead.size(); ++i) {
    if (lead[i].doc_freq() > lead[main].doc_freq()) main = i;
  }
  DocId limit = until;
  for (size_t i = 0; i < lead.size(); ++i) {
    if (i == main) continue;
    const DocId di = lead[i].NextGeq(target);  // stays when already at or past target
    if (di <= target) return target;
    limit = std::min(limit, di - 1);
  }
  PostingCursor& c = lead[main];
  // A doc is first tested by a float estimate of its tf~ (no branch), exactly only when the
  // estimate does not settle it.
  const float cut_estimate = FloatCutBelow(cut);
  const TfTildeEstimator estimator(segment_, scoring_);
  while (true) {
    if (c.NextGeq(target) > limit) {
      // Nothing of the longest list up to `limit`: the union goes on from there.
      return c.doc() == kNoMoreDocs || limit < target ? target : limit + 1;
    }
    const DocId* docs = c.BlockDocs();
    const uint32_t size = c.BlockSize();
    std::array<const uint32_t*, index::kMaxTextFields> tfs;
    for (uint32_t s = 0; s < estimator.slots; ++s) tfs[s] = c.BlockTfsBySlot(s);
    uint32_t i = c.IndexInBlock();
    for (; i < size && docs[i] <= limit; ++i) {
      if (estimator.Estimate([&](uint32_t s) { return tfs[s][i]; }, docs[i]) < cut_estimate) continue;
      if (BlockDocTfTilde(c, docs, i) >= cut) return docs[i];
    }
    if (i < size) return limit + 1;  // docs[i] > limit: the lead has nothing in (target, limit]
    target = docs[size - 1] + 1;
  }
}

DocId SegmentMatcher::NextPhraseCandidate(Item& item, DocId target, DocId until, double gate) {
  // Lead docs whose tf~ is below `cut` cannot pass the gate: passed a decoded block at a time.
  const double cut = Bm25TfTildeBelow(item.plan->idf, gate / kBoundMargin);
  while (true) {
    if (cut > 0) target = SkipLeadDocsBelow(item.slots[item.lead_slot], target, until, cut);
    const DocId d = UnionNextGeq(item.slots[item.lead_slot], target);
    if (d == kNoMoreDocs || d > until) return d;
    if (PhraseLeadBound(item, d) * kBoundMargin <= gate) {
      target = d + 1;
      continue;
    }
    const DocId aligned = item.AlignOtherSlots(d);
    if (aligned == d) return d;
    target = aligned;
  }
}

Status SegmentMatcher::ScanPhraseRange(Item& item, DocId from, DocId until, double ub, RunContext& rc,
                                       DocId* next) {
  const double others = ub - item.range_bound;  // the other items' share of the range's bound
  DocId d = NextPhraseCandidate(item, from, until, rc.threshold() - others);
  while (d != kNoMoreDocs && d <= until) {
    if (rc.Due()) BUSCA_RETURN_IF_ERROR(rc.Check());
    item.doc = d;
    Consider(d, ub, rc);
    d = NextPhraseCandidate(item, d + 1, until, rc.threshold() - others);
  }
  // The slots are not aligned on `d`: the next NextGeq aligns them again.
  item.positioned = false;
  required_[0]->positioned = false;
  *next = d;
  return Status::Ok();
}

Status SegmentMatcher::Run(uint32_t collection_index, uint32_t segment_index, const SegmentFilter& filter,
                           bool prune, TopK* top, MatchState* state, const QueryControl& control) {
  if (empty_ || required_.empty() || !filter.CanMatch()) return Status::Ok();
  RunContext rc;
  rc.collection_index = collection_index;
  rc.segment_index = segment_index;
  rc.filter = &filter;
  rc.has_filters = !filter.empty();
  rc.prune = prune;
  rc.top = top;
  rc.state = state;
  rc.control = &control;
  // When the segment's match count is known up front, it is added at once and no match needs to
  // be visited for counting: pruning may skip from the first full top-k on.
  // A lower bound that already reaches the threshold serves the same way (the total is then
  // reported as a lower bound, as when matches are skipped).
  if (const std::optional<MatchCount> known = KnownMatchCount(rc.has_filters);
      known && (known->exact || state->matched + known->count >= state->total_threshold)) {
    state->matched += known->count;
    state->skipped_matches = state->skipped_matches || !known->exact;
    rc.counting = false;
  }
  // What a candidate must beat: the top k's threshold once it is full, or before that a floor
  // known from the best blocks of a one-word query.
  if (prune && sole_item_ != nullptr && !rc.has_filters && excluded_.empty()) rc.floor = ScoreFloor(top->k());
  bool defer_tried = false;   // DeferPhraseChecks ran (once, when skipping first became allowed)
  Item* gated = nullptr;      // a deferred phrase alone in the query: ScanPhraseRange walks it
  DocId target = 0;
  DocId bound_until = 0;
  bool bound_valid = false;
  double bound_value = std::numeric_limits<double>::infinity();
  // Bound() of the range holding `at`, computed again only once `at` lies past the last range.
  auto bound_range_of = [&](DocId at) {
    if (!bound_valid || at > bound_until) {
      bound_value = Bound(at, &bound_until);
      bound_valid = true;
    }
  };
  while (true) {
    if (rc.Due()) BUSCA_RETURN_IF_ERROR(rc.Check());
    // When skipping is allowed, the bound at `target` is checked before any cursor moves, so a
    // skipped range is never decoded.
    const bool may_skip = prune && rc.bounded() && !rc.must_count();
    if (may_skip && !defer_tried) {
      defer_tried = true;
      if (DeferPhraseChecks()) {
        // From here on the count is no longer exact: the total is the (sufficient) lower bound.
        rc.deferring = true;
        state->skipped_matches = state->skipped_matches || rc.counting;
        rc.counting = false;
        // A phrase alone: its lead's docs that cannot enter are passed before any alignment.
        if (required_.size() == 1 && required_[0]->items.size() == 1) gated = required_[0]->items[0].get();
      }
    }
    if (may_skip && (!bound_valid || target > bound_until)) {
      if (sole_item_ != nullptr) {
        const uint64_t before = state->blocks_skipped;
        target = SkipLowBlocks(target, rc.threshold(), &state->blocks_skipped);
        state->skipped_matches = state->skipped_matches || (rc.counting && state->blocks_skipped != before);
        if (target == kNoMoreDocs) break;
      }
      bound_range_of(target);
      if (bound_value <= rc.threshold()) {
        state->skipped_matches = state->skipped_matches || rc.counting;
        ++state->blocks_skipped;
        if (bound_until == kNoMoreDocs) break;
        target = bound_until + 1;
        continue;
      }
    }
    if (gated != nullptr && may_skip) {
      // The range's bound exceeds the threshold (checked above): its candidates one by one.
      DocId next = kNoMoreDocs;
      BUSCA_RETURN_IF_ERROR(ScanPhraseRange(*gated, target, bound_until, bound_value, rc, &next));
      if (next == kNoMoreDocs || bound_until == kNoMoreDocs) break;
      target = std::max(bound_until + 1, next);  // the lead has nothing before `next`
      continue;
    }
    if (windowed_ && prune && rc.bounded() && !rc.must_count()) {
      // Words with dense enough lists, no more counting: the rest of the segment a window at a
      // time.
      BUSCA_RETURN_IF_ERROR(ScanWindows(target, rc));
      break;
    }
    if (!flat_items_.empty() && prune && rc.bounded()) {
      // Words and prefixes only: the candidates of the whole bound range at once.
      bound_range_of(target);
      BUSCA_RETURN_IF_ERROR(ScanRange(target, bound_until, bound_value, rc));
      if (bound_until == kNoMoreDocs) break;
      // The next range starts at the lead's next doc: a sparse lead jumps over the dense lists'
      // blocks instead of bounding every one of them.
      target = std::max(bound_until + 1, required_[0]->doc);
      if (target == kNoMoreDocs) break;
      continue;
    }
    DocId lead = required_[0]->NextGeq(target);
    if (lead == kNoMoreDocs) break;
    double ub = std::numeric_limits<double>::infinity();
    if (prune && rc.bounded()) {
      bound_range_of(lead);
      ub = bound_value;
      if (ub <= rc.threshold() && !rc.must_count()) {
        state->skipped_matches = state->skipped_matches || rc.counting;
        ++state->blocks_skipped;
        if (bound_until == kNoMoreDocs) break;
        target = bound_until + 1;
        continue;
      }
    }
    DocId d = Align(lead);
    if (d == kNoMoreDocs) break;
    if (d != lead) {
      target = d;
      continue;
    }
    target = d + 1;
    Consider(d, ub, rc);
  }
  return Status::Ok();
}

std::vector<ScorePart> SegmentMatcher::Explain(DocId doc) {
  std::vector<ScorePart> parts;
  if (empty_ || required_.empty()) return parts;
  // One doc: the unions are walked to it, never materialized (that would read all their postings).
  for (auto& clause : required_) {
    for (auto& item : clause->items) item->merge_pending = false;
  }
  if (Align(doc) != doc) return parts;
  const size_t nf = text_fields_.size();
  for (auto& clause : required_) {
    for (auto& item_ptr : clause->items) {
      Item& item = *item_ptr;
      if (item.doc != doc) continue;
      std::vector<double> field_part(nf, 0);
      std::vector<double> field_tf(nf, 0);
      double tf_tilde = 0;
      for (size_t s = 0; s < nf; ++s) {
        const uint32_t tf = ItemFieldTf(item, doc, s);
        field_tf[s] = tf;
        if (tf == 0) continue;
        field_part[s] = weights_[s] * tf * InvNorm(doc, s);
        tf_tilde += field_part[s];
      }
      if (tf_tilde == 0) continue;
      double score = Bm25Score(item.plan->idf, tf_tilde);
      for (size_t s = 0; s < nf; ++s) {
        if (field_tf[s] == 0) continue;
        ScorePart part;
        part.word = item.plan->display;
        part.field = segment_.schema().fields[text_fields_[s]].name;
        part.tf = field_tf[s];
        part.score = score * field_part[s] / tf_tilde;
        parts.push_back(std::move(part));
      }
    }
  }
  return parts;
}

}  // namespace busca::query
