#include "engine/query/segment_matcher.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "engine/query/bm25f.h"

namespace busca::query {

using index::DocId;
using index::kNoMoreDocs;
using index::PostingCursor;

namespace {

DocId UnionNextGeq(std::vector<PostingCursor>& cursors, DocId target) {
  DocId m = kNoMoreDocs;
  for (PostingCursor& c : cursors) {
    DocId d = c.doc();
    if (d < target) d = c.NextGeq(target);
    m = std::min(m, d);
  }
  return m;
}

// Positions of `field` in `doc` over every cursor of `cursors` positioned on `doc`, merged,
// sorted and distinct.
void GatherPositions(std::vector<PostingCursor>& cursors, DocId doc, size_t field, std::vector<uint32_t>* out,
                     std::vector<uint32_t>* scratch) {
  out->clear();
  int found = 0;
  for (PostingCursor& c : cursors) {
    if (c.doc() != doc || c.Tf(field) == 0) continue;
    if (found == 0) {
      c.Positions(field, out);
    } else {
      c.Positions(field, scratch);
      out->insert(out->end(), scratch->begin(), scratch->end());
    }
    ++found;
  }
  if (found > 1) {
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
  }
}

}  // namespace

// A word / prefix / phrase item over this segment.
struct SegmentMatcher::Item {
  const PlannedItem* plan = nullptr;
  bool phrase = false;
  const std::vector<size_t>* text_fields = nullptr;
  std::vector<std::vector<PostingCursor>> slots;  // cursors of the expanded terms, per slot
  DocId doc = 0;                                  // current match (valid once positioned)
  bool positioned = false;
  std::vector<uint32_t> phrase_tf;                // per text slot, for `doc` (phrase only)
  std::vector<std::vector<uint32_t>> positions;   // scratch per phrase slot
  std::vector<uint32_t> scratch;
  std::vector<uint32_t> phrase_best;
  std::vector<double> doc_bound_coef;             // per text slot: w_s / norm_s(block min length)

  // Verifies the phrase on `d` (all slots positioned on d); fills phrase_tf.
  bool VerifyPhrase(DocId d) {
    bool any = false;
    const size_t n = slots.size();
    for (size_t s = 0; s < text_fields->size(); ++s) {
      size_t field = (*text_fields)[s];
      uint32_t count = 0;
      bool possible = true;
      for (size_t i = 0; i < n && possible; ++i) {
        GatherPositions(slots[i], d, field, &positions[i], &scratch);
        possible = !positions[i].empty();
      }
      if (possible) {
        for (uint32_t p : positions[0]) {
          bool all = true;
          for (size_t i = 1; i < n && all; ++i) {
            all = std::binary_search(positions[i].begin(), positions[i].end(), p + plan->offsets[i]);
          }
          count += all;
        }
      }
      phrase_tf[s] = count;
      any = any || count > 0;
    }
    return any;
  }

  // Moves to the first match >= target; returns it.
  DocId NextGeq(DocId target) {
    if (positioned && doc >= target) return doc;
    positioned = true;
    if (!phrase) {
      doc = UnionNextGeq(slots[0], target);
      return doc;
    }
    while (true) {
      DocId d = UnionNextGeq(slots[0], target);
      if (d == kNoMoreDocs) return doc = kNoMoreDocs;
      bool aligned = true;
      for (size_t i = 1; i < slots.size(); ++i) {
        DocId di = UnionNextGeq(slots[i], d);
        if (di != d) {
          target = di;
          aligned = false;
          break;
        }
      }
      if (!aligned) {
        if (target == kNoMoreDocs) return doc = kNoMoreDocs;
        continue;
      }
      if (VerifyPhrase(d)) return doc = d;
      target = d + 1;
    }
  }

  // Moves every cursor's block window to `target` without decoding; adds each block's max tf per
  // text slot to *tf, lowers *min_len to the blocks' min lengths and narrows *until to the first
  // block end.
  template <typename Cursors>
  void AccumulateBlockBounds(Cursors& cursors, DocId target, DocId* until, std::vector<uint32_t>* tf,
                             std::vector<uint32_t>* min_len) {
    const size_t nf = text_fields->size();
    for (PostingCursor& c : cursors) {
      c.ShallowAdvance(target);
      DocId last = c.BlockLastDoc();
      if (last == kNoMoreDocs) continue;
      *until = std::min(*until, last);
      for (size_t s = 0; s < nf; ++s) {
        index::FieldBound fb = c.BlockBound((*text_fields)[s]);
        if (fb.max_tf == 0) continue;
        (*tf)[s] += fb.max_tf;
        (*min_len)[s] = std::min((*min_len)[s], fb.min_length);
      }
    }
  }

  // Per text slot: sum of block max tf, min of block min length; narrows *until.
  void AddBound(DocId target, DocId* until, std::vector<uint32_t>* max_tf, std::vector<uint32_t>* min_len,
                std::vector<uint32_t>* slot_tf) {
    const size_t nf = text_fields->size();
    if (!phrase) {
      AccumulateBlockBounds(slots[0], target, until, max_tf, min_len);
      return;
    }
    // Phrase: tf of the phrase <= tf of any one slot's union.
    std::vector<uint32_t>& best = phrase_best;
    best.assign(nf, std::numeric_limits<uint32_t>::max());
    for (auto& cursors : slots) {
      slot_tf->assign(nf, 0);
      AccumulateBlockBounds(cursors, target, until, slot_tf, min_len);
      for (size_t s = 0; s < nf; ++s) best[s] = std::min(best[s], (*slot_tf)[s]);
    }
    for (size_t s = 0; s < nf; ++s) (*max_tf)[s] += best[s];
  }
};

struct SegmentMatcher::Clause {
  std::vector<std::unique_ptr<Item>> items;
  DocId doc = 0;
  bool positioned = false;

  DocId NextGeq(DocId target) {
    if (positioned && doc >= target) return doc;
    positioned = true;
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

  auto open_item = [&](const PlannedItem& pi) {
    auto item = std::make_unique<Item>();
    item->plan = &pi;
    item->phrase = pi.kind == PlannedItem::Kind::kPhrase;
    item->text_fields = &text_fields_;
    for (const PlannedSlot& slot : pi.slots) {
      std::vector<PostingCursor> cursors;
      for (const std::string& term : slot.terms) {
        PostingCursor c = segment_.OpenPostings(term);
        if (c.empty()) continue;
        postings_ += c.doc_freq();
        cursors.push_back(std::move(c));
      }
      item->slots.push_back(std::move(cursors));
    }
    item->phrase_tf.assign(text_fields_.size(), 0);
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
}

SegmentMatcher::~SegmentMatcher() = default;

double SegmentMatcher::InvNorm(DocId doc, size_t slot) {
  if (inv_doc_[slot] != doc) {
    inv_doc_[slot] = doc;
    inv_norm_[slot] = scoring_.InvNorm(text_fields_[slot], segment_.FieldLength(doc, text_fields_[slot]));
  }
  return inv_norm_[slot];
}

uint32_t SegmentMatcher::ItemFieldTf(Item& item, DocId doc, size_t slot) {
  if (item.phrase) return item.phrase_tf[slot];
  uint32_t tf = 0;
  for (PostingCursor& c : item.slots[0]) {
    if (c.doc() == doc) tf += c.Tf(text_fields_[slot]);
  }
  return tf;
}

double SegmentMatcher::ItemScore(Item& item, DocId doc) {
  double tf_tilde = 0;
  const size_t nf = text_fields_.size();
  for (size_t s = 0; s < nf; ++s) {
    const uint32_t tf = ItemFieldTf(item, doc, s);
    if (tf == 0) continue;
    tf_tilde += weights_[s] * tf * InvNorm(doc, s);
  }
  if (tf_tilde == 0) return 0;
  return item.plan->idf * Bm25Saturate(tf_tilde);
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
      std::fill(max_tf.begin(), max_tf.end(), 0);
      std::fill(min_len.begin(), min_len.end(), std::numeric_limits<uint32_t>::max());
      item->AddBound(target, until, &max_tf, &min_len, &slot_tf);
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
      if (tf_tilde > 0) total += item->plan->idf * Bm25Saturate(tf_tilde);
    }
  }
  return total;
}

double SegmentMatcher::DocBound(DocId doc) {
  // Like ItemScore, but with the block's minimum lengths instead of the document's: no length
  // lookups, and never below the real score (norms shrink as lengths grow). Valid while `doc` is
  // within the range of the last Bound().
  const size_t nf = text_fields_.size();
  double total = 0;
  for (auto& clause : required_) {
    for (auto& item_ptr : clause->items) {
      Item& item = *item_ptr;
      if (item.doc != doc) continue;
      double tf_tilde = 0;
      for (size_t s = 0; s < nf; ++s) {
        const uint32_t tf = ItemFieldTf(item, doc, s);
        tf_tilde += tf * item.doc_bound_coef[s];
      }
      if (tf_tilde > 0) total += item.plan->idf * Bm25Saturate(tf_tilde);
    }
  }
  // Computed in a different order than ItemScore: a relative margin covers the rounding.
  return total * (1 + 1e-12);
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

Status SegmentMatcher::Run(uint32_t collection_index, uint32_t segment_index, const SegmentFilter& filter,
                           bool prune, TopK* top, MatchState* state, const QueryControl& control) {
  if (empty_ || required_.empty() || !filter.CanMatch()) return Status::Ok();
  const bool has_filters = !filter.empty();
  DocId target = 0;
  DocId bound_until = 0;
  bool bound_valid = false;
  double bound_value = std::numeric_limits<double>::infinity();
  while (true) {
    if ((++state->tick & 255) == 0) {
      if (control.cancel != nullptr && control.cancel->cancelled()) return Status::Cancelled("search cancelled");
      if (control.deadline != std::chrono::steady_clock::time_point::max() &&
          std::chrono::steady_clock::now() > control.deadline) {
        return Status::DeadlineExceeded("search deadline exceeded during evaluation");
      }
    }
    DocId lead = required_[0]->NextGeq(target);
    if (lead == kNoMoreDocs) break;
    double ub = std::numeric_limits<double>::infinity();
    if (prune && top->full()) {
      if (!bound_valid || lead > bound_until) {
        bound_value = Bound(lead, &bound_until);
        bound_valid = true;
      }
      ub = bound_value;
      if (ub <= top->threshold() && state->matched >= state->total_threshold) {
        state->skipped_matches = true;
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
    while (deleted_pos_ < deleted_.size() && deleted_[deleted_pos_] < d) ++deleted_pos_;
    if (deleted_pos_ < deleted_.size() && deleted_[deleted_pos_] == d) continue;
    if (!excluded_.empty() && Excluded(d)) continue;
    if (has_filters && !filter.Accept(d)) continue;
    ++state->matched;
    if (prune && top->full() && (ub <= top->threshold() || DocBound(d) <= top->threshold())) continue;
    Candidate c;
    double score = 0;
    for (auto& clause : required_) {
      for (auto& item : clause->items) {
        if (item->doc == d) score += ItemScore(*item, d);
      }
    }
    ++state->docs_scored;
    c.score = score;
    c.collection = collection_index;
    c.segment = segment_index;
    c.doc = d;
    if (!prune) c.key = filter.Key(d);
    top->Push(std::move(c));
  }
  return Status::Ok();
}

std::vector<ScorePart> SegmentMatcher::Explain(DocId doc) {
  std::vector<ScorePart> parts;
  if (empty_ || required_.empty()) return parts;
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
      double score = item.plan->idf * Bm25Saturate(tf_tilde);
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
