// SegmentMatcher: evaluates a QueryPlan over one segment, document at a time, feeding a TopK
// (internal to engine/query).
//
// Structure: required clauses are intersected by leapfrogging (cheapest clause leads); a clause
// is the union of its items; a word/prefix item is the union of the posting cursors of its
// expanded terms; a phrase item intersects one union per slot and verifies positions field by
// field. Excluded items are probed at each candidate. Then live docs, then filters.
//
// Dynamic pruning (relevance order only): block-max bounds. At a candidate d every cursor's
// block-max window is moved to d (ShallowAdvance, no decoding) and the BM25F upper bound of the
// whole query over [d, min BlockLastDoc] is computed from the per-block, per-field max tf and min
// field length, and, when the segment stores them for this collection's scoring parameters, from
// the per-block max combined tf~ (exact per doc, so much tighter; the smaller bound is used). When that bound is below the TopK threshold no document in the range can enter,
// so the evaluation jumps past it. While fewer than `total_threshold` matches have been counted no
// match may be skipped (the count must be exact), but scoring is still skipped by the bound.
// The bound at the next target is checked before any cursor moves, so a skipped range is never
// decoded; a one-list word walks its block table directly (SkipLowBlocks) and, without filters,
// starts pruning from a floor taken from its best blocks' exact scores (ScoreFloor). A one-word
// query whose largest list already holds `total_threshold` docs needs no counting. Once counting
// stops, a phrase that is its clause's only item is verified only for candidates that could enter;
// a phrase alone in the query (ScanPhraseRange) first passes the docs of its rarest word whose
// bound from that word's tfs alone cannot enter, before its other words are aligned.
// When every required clause is one word or prefix, a bound range's candidates are found by
// scanning the lists' decoded blocks directly (ScanRange), the lead first passing the docs whose
// exact score cannot enter.
// Because the bound is a true upper bound and a new candidate loses every tie (TopK breaks ties by
// index order, which is the visiting order), a range whose bound is <= the threshold holds no
// document that could enter: the top-k is exactly the one exhaustive evaluation finds.
// Not thread-safe; one per (search, segment).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/index/posting_cursor.h"
#include "engine/index/segment_reader.h"
#include "engine/query/bm25f.h"
#include "engine/query/field_scoring.h"
#include "engine/query/query_plan.h"
#include "engine/query/searcher.h"
#include "engine/query/segment_filter.h"
#include "engine/query/top_k.h"
#include "engine/query/window_conjunction.h"
#include "engine/util/status.h"

namespace busca::query {

// Shared by the matchers of one search.
struct MatchState {
  uint64_t total_threshold = kDefaultTotalHitsThreshold;
  uint64_t matched = 0;           // matches counted
  bool skipped_matches = false;   // some matches were skipped uncounted (total is a lower bound)
  uint64_t docs_scored = 0;
  uint64_t blocks_skipped = 0;
  uint32_t tick = 0;              // deadline check counter
};

class SegmentMatcher {
 public:
  // `scoring`: of the segment's collection; `deleted`: the segment's deleted docs, ascending.
  // Both must outlive the matcher.
  SegmentMatcher(const QueryPlan& plan, const index::SegmentReader& segment, const FieldScoring& scoring,
                 const std::vector<uint32_t>& deleted);
  ~SegmentMatcher();
  SegmentMatcher(const SegmentMatcher&) = delete;
  SegmentMatcher& operator=(const SegmentMatcher&) = delete;

  // Runs the whole segment. `prune`: relevance-descending order (block-max pruning allowed).
  Status Run(uint32_t collection_index, uint32_t segment_index, const SegmentFilter& filter, bool prune,
             TopK* top, MatchState* state, const QueryControl& control);

  // Per (item, field) score parts of `doc` (which must match); used for explanations. Moves the
  // cursors (use a fresh matcher).
  std::vector<ScorePart> Explain(index::DocId doc);

  // Total postings of the cursors opened in this segment per (clause, item), in plan order.
  uint64_t postings() const { return postings_; }

 private:
  struct Item;
  struct Clause;

  struct RunContext;

  double ItemScore(Item& item, index::DocId doc);
  // The exact score of the i-th doc of a block-scored item's decoded block (cached for the block).
  double BlockScoreAt(Item& item, uint32_t i);
  // A match of the required clauses, at `d` (every item on its own match): excluded, deleted and
  // filtered out, counted, bounded by `ub` and its own tfs, scored and offered to the top k.
  void Consider(index::DocId d, double ub, RunContext& rc);
  // Consider's last step: offers the match `d` with its `score` to the top k.
  void Offer(index::DocId d, double score, RunContext& rc);
  // For windowed_, once matches need no longer be counted: every match from `from` to the end of
  // the segment that could enter, a WindowConjunction window at a time (each item's cut from the
  // others' window bounds; the candidates then bounded item by item and scored exactly).
  Status ScanWindows(index::DocId from, RunContext& rc);
  // The exact score of flat item `i` at the window's doc `d` = from + r (a candidate).
  double WindowItemScore(size_t i, uint32_t r, index::DocId d);
  // Consider's first half: false when `d` is deleted, excluded or filtered out; else counts it.
  bool CountMatch(index::DocId d, RunContext& rc);
  // For flat_items_: every match in [from, until] (the range of a Bound() whose value is `ub`),
  // walking the lists without the clause layer; a one-list lead passes its docs that cannot
  // enter before the others are aligned.
  Status ScanRange(index::DocId from, index::DocId until, double ub, RunContext& rc);
  // For a phrase alone in the query whose checks are deferred: every candidate in [from, until]
  // (the range of a Bound() whose value is `ub`) whose lead slot's tfs alone could enter, offered
  // to Consider. *next: the lead slot's first doc past `until` (kNoMoreDocs at the end).
  Status ScanPhraseRange(Item& item, index::DocId from, index::DocId until, double ub, RunContext& rc,
                         index::DocId* next);
  // For ScanPhraseRange: the first doc in [target, until] where every slot of the phrase `item`
  // occurs and whose PhraseLeadBound exceeds `gate` (compared with kBoundMargin), every slot on it;
  // else the lead slot's first doc past `until` (or kNoMoreDocs), the other slots not aligned.
  index::DocId NextPhraseCandidate(Item& item, index::DocId target, index::DocId until, double gate);
  // For NextPhraseCandidate: the first doc >= target of the phrase's lead slot `lead` whose tf~
  // from the lead's tfs reaches `cut` (Bm25TfTildeBelow of the gate), scanning its longest list's
  // decoded blocks up to `until` and to the other lists' next docs; a doc from which to go on one
  // at a time (`target` itself when there is nothing to scan). Every lead doc it passes has a tf~
  // below `cut`.
  index::DocId SkipLeadDocsBelow(std::vector<index::PostingCursor>& lead, index::DocId target, index::DocId until,
                                 double cut);
  // A bound of the phrase `item`'s score at `d` (its lead slot on d) from the lead slot's tfs
  // alone: an occurrence takes one of the lead's positions, so the phrase's tf per field is at
  // most the lead's.
  double PhraseLeadBound(Item& item, index::DocId d);
  // tf~ of `doc` from its per-text-slot tfs tf_of(slot): the sum of w_s * tf * 1/norm_s(doc),
  // in the one order every exact score and per-doc bound uses.
  template <typename TfOf>
  double DocTfTilde(index::DocId doc, TfOf tf_of);
  // tf~ of the i-th doc of `c`'s decoded block (`docs` = c.BlockDocs()) from that list alone.
  double BlockDocTfTilde(const index::PostingCursor& c, const index::DocId* docs, uint32_t i);
  // For a one-list item: an upper estimate of the tf~ of the i-th doc of its cursor's decoded
  // block (from FieldScoring::weighted_inv_norm_up; below it by at most its float rounding, which
  // kEstimateMargin covers), computed a chunk of docs at a time.
  float LeadEstimate(Item& item, uint32_t i);
  void EstimateLeadChunk(Item& item, uint32_t i);
  // Exact score of the i-th doc of `c`'s decoded block (`docs` = c.BlockDocs()) for one word.
  double BlockDocScore(const index::PostingCursor& c, const index::DocId* docs, uint32_t i, double idf);
  // tf of `item` in text slot `slot` of `doc` (the phrase's count, or the sum over its terms).
  uint32_t ItemFieldTf(Item& item, index::DocId doc, size_t slot);
  double InvNorm(index::DocId doc, size_t slot);
  // Upper bound of the whole query over [target, *until].
  double Bound(index::DocId target, index::DocId* until);
  // For a query of one single-list word (sole_item_): the first doc >= target of the first block
  // whose stored bound exceeds `threshold` (kNoMoreDocs when none); counts the blocks passed.
  index::DocId SkipLowBlocks(index::DocId target, double threshold, uint64_t* skipped);
  // For sole_item_ without filters: a score that at least `k` of the segment's live docs beat or
  // tie, from the exact scores of the few blocks with the largest bounds (-inf when unknown).
  // Candidates not above it cannot enter the top k, so pruning starts before the top k is full.
  double ScoreFloor(size_t k);
  // Whether `doc`'s score may exceed `threshold`, from its tfs and the block minimum lengths of
  // the last Bound() (whose total was `range_bound`).
  bool DocBoundAbove(index::DocId doc, double range_bound, double threshold);
  bool Excluded(index::DocId doc);
  // Once matches need no longer be counted: lets every phrase that is its clause's only item
  // return unverified candidates (its words co-occur); returns whether there is one.
  bool DeferPhraseChecks();
  // Whether those phrases occur in `doc`, the current candidate.
  bool DeferredPhrasesHold(index::DocId doc);
  // The segment's number of matches, or a lower bound of it, known without visiting them: one
  // required clause of one word or prefix, no exclusion or filter. Exact for one list or a
  // materialized union without deleted docs; else the largest list less the deleted docs.
  struct MatchCount {
    uint64_t count = 0;
    bool exact = false;
  };
  std::optional<MatchCount> KnownMatchCount(bool has_filters);
  index::DocId Align(index::DocId target);

  const QueryPlan& plan_;
  const index::SegmentReader& segment_;
  std::vector<size_t> text_fields_;   // slot -> schema field
  const FieldScoring& scoring_;
  const std::vector<uint32_t>& deleted_;
  size_t deleted_pos_ = 0;            // Run(): first deleted doc >= the current candidate
  std::vector<double> weights_;       // per slot
  std::vector<double> inv_norm_;      // per slot, cache for inv_doc_
  std::vector<index::DocId> inv_doc_; // per slot
  std::vector<std::unique_ptr<Clause>> required_;
  std::vector<std::unique_ptr<Item>> excluded_;
  std::vector<uint32_t> bound_max_tf_, bound_min_len_, bound_slot_tf_;  // Bound() scratch
  std::vector<std::pair<float, uint32_t>> floor_blocks_;                // ScoreFloor() scratch
  std::vector<double> floor_scores_;
  uint64_t postings_ = 0;
  bool use_block_tf_tilde_ = false;   // the segment's stored tf~ bounds match `scoring_`
  std::vector<Item*> flat_items_;     // every required clause is this one word or prefix
  Item* sole_item_ = nullptr;         // the query is this one word of one list (SkipLowBlocks)
  bool windowed_ = false;             // flat_items_ are two or more words for ScanWindows
  std::unique_ptr<WindowConjunction> window_;
  bool empty_ = false;                // some required clause has no postings here
};

}  // namespace busca::query
