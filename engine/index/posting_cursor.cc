#include "engine/index/posting_cursor.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>

#include "engine/index/file_format.h"
#include "engine/index/posting_codec.h"
#include "engine/index/segment_reader.h"

namespace busca::index {

PostingCursor SegmentReader::MakeCursor(std::span<const uint8_t> payload) const {
  PostingCursor c;
  const uint8_t* p = payload.data();
  const uint8_t* end = p + payload.size();
  uint64_t df = 0, post_off = 0, pos_off = 0;
  if (!GetVarint(&p, end, &df) || !GetVarint(&p, end, &post_off) || !GetVarint(&p, end, &pos_off) || df == 0 ||
      df > max_doc_ || post_off >= postings_.size() || pos_off > positions_.size()) {
    return c;  // unreadable entry: an empty list (the files were checksummed at open)
  }
  const uint32_t T = static_cast<uint32_t>(text_fields_.size());
  c.term_bound_.resize(T);
  for (uint32_t s = 0; s < T; ++s) {
    uint64_t max_tf = 0, min_len = 0;
    if (!GetVarint(&p, end, &max_tf) || !GetVarint(&p, end, &min_len)) return PostingCursor();
    c.term_bound_[s] = {static_cast<uint32_t>(max_tf), static_cast<uint32_t>(min_len)};
  }

  c.segment_ = this;
  c.doc_freq_ = static_cast<uint32_t>(df);
  c.num_blocks_ = (c.doc_freq_ + kPostingBlockSize - 1) / kPostingBlockSize;
  c.num_text_fields_ = T;
  c.field_slot_ = field_slot_;
  // The file footer (24 bytes) follows every body inside the mapping: the codec may use it as
  // read-ahead slack.
  c.end_ = postings_.data() + postings_.size() + kFileFooterSize;
  c.positions_end_ = positions_.data() + positions_.size() + kFileFooterSize;
  const uint8_t* base = postings_.data() + post_off;
  if (c.num_blocks_ > 1) {
    c.skip_entry_size_ = 16 + 8 * T;
    uint64_t skip_bytes = uint64_t{c.num_blocks_} * c.skip_entry_size_;
    if (skip_bytes > postings_.size() - post_off) return PostingCursor();
    c.skip_ = base;
    c.blocks_ = base + skip_bytes;
  } else {
    c.blocks_ = base;
  }
  c.positions_ = positions_.data() + pos_off;
  c.docs_.resize(kPostingBlockSize);
  c.tfs_.resize(size_t{T} * kPostingBlockSize);
  c.DecodeBlock(0);
  return c;
}

namespace {

#if defined(__SSE2__)
// The inclusive prefix sum of four 32-bit lanes.
inline __m128i InclusiveSum4(__m128i x) {
  x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
  return _mm_add_epi32(x, _mm_slli_si128(x, 8));
}
// The last lane in all four: the carry into the next four.
inline __m128i LastLane(__m128i x) { return _mm_shuffle_epi32(x, _MM_SHUFFLE(3, 3, 3, 3)); }
#endif

// gaps[i] = doc[i] - doc[i - 1] - 1 (doc[-1] = `before`, -1 as 0xffffffff for a list's first
// block) -> the docs, in place: a prefix sum, four lanes at a time where SSE2 is there.
void DocGapsToDocs(uint32_t before, uint32_t count, uint32_t* gaps) {
  uint32_t i = 0;
#if defined(__SSE2__)
  __m128i carry = _mm_set1_epi32(static_cast<int>(before));
  const __m128i ones = _mm_set1_epi32(1);
  for (; i + 4 <= count; i += 4) {
    const __m128i x = _mm_add_epi32(
        InclusiveSum4(_mm_add_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(gaps + i)), ones)), carry);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(gaps + i), x);
    carry = LastLane(x);
  }
  before = static_cast<uint32_t>(_mm_cvtsi128_si32(carry));
#endif
  for (; i < count; ++i) {
    before += gaps[i] + 1;
    gaps[i] = before;
  }
}

// The run starts of a two-slot block: starts[2i] = the sum of every tf before doc i's slot 0,
// starts[2i + 1] = that plus tf0[i] (an exclusive prefix sum over tf0[0], tf1[0], tf0[1], ...).
// Returns the sum of all. Four docs at a time where SSE2 is there.
uint32_t TwoSlotRunStarts(const uint32_t* tf0, const uint32_t* tf1, uint32_t count, uint32_t* starts) {
  uint32_t i = 0;
  uint32_t total = 0;
#if defined(__SSE2__)
  __m128i carry = _mm_setzero_si128();  // the running sum in every lane
  for (; i + 4 <= count; i += 4) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tf0 + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tf1 + i));
    const __m128i lo = _mm_unpacklo_epi32(a, b);  // tf0[i], tf1[i], tf0[i+1], tf1[i+1]
    const __m128i hi = _mm_unpackhi_epi32(a, b);
    const __m128i sum_lo = _mm_add_epi32(InclusiveSum4(lo), carry);
    const __m128i sum_hi = _mm_add_epi32(InclusiveSum4(hi), LastLane(sum_lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(starts + 2 * i), _mm_sub_epi32(sum_lo, lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(starts + 2 * i + 4), _mm_sub_epi32(sum_hi, hi));
    carry = LastLane(sum_hi);
  }
  total = static_cast<uint32_t>(_mm_cvtsi128_si32(carry));
#endif
  for (; i < count; ++i) {
    starts[2 * i] = total;
    total += tf0[i];
    starts[2 * i + 1] = total;
    total += tf1[i];
  }
  return total;
}

}  // namespace

void PostingCursor::DecodeBlock(uint32_t block) {
  const uint8_t* p;
  int64_t prev;
  if (skip_ != nullptr) {
    p = blocks_ + LoadU32(SkipEntry(block) + 4);
    prev = block == 0 ? -1 : static_cast<int64_t>(LoadU32(SkipEntry(block - 1)));
  } else {
    p = blocks_;
    prev = -1;
  }
  const uint32_t count = std::min(kPostingBlockSize, doc_freq_ - block * kPostingBlockSize);
  block_ = block;
  block_size_ = count;
  index_ = 0;
  positions_decoded_ = false;
  window_ = std::max(window_, block);
  p = codec::DecodeBlock(p, end_, count, docs_.data());
  for (uint32_t s = 0; p != nullptr && s < num_text_fields_; ++s) {
    p = codec::DecodeBlock(p, end_, count, tfs_.data() + size_t{s} * kPostingBlockSize);
  }
  if (p == nullptr) {  // malformed (cannot happen on a checksummed file): end the list
    doc_ = kNoMoreDocs;
    block_size_ = 0;
    return;
  }
  next_block_ = p;
  DocGapsToDocs(static_cast<uint32_t>(prev), count, docs_.data());
  if (num_text_fields_ == 1) {
    for (uint32_t i = 0; i < count; ++i) ++tfs_[i];
  }
  doc_ = docs_[0];
}

DocId PostingCursor::Next() {
  if (doc_ == kNoMoreDocs) return doc_;
  if (++index_ < block_size_) {
    doc_ = docs_[index_];
  } else if (block_ + 1 < num_blocks_) {
    DecodeBlock(block_ + 1);
  } else {
    doc_ = kNoMoreDocs;
  }
  return doc_;
}

DocId PostingCursor::NextGeqInLaterBlock(DocId target) {
  // REQUIRES: target > the last doc of the decoded block.
  if (skip_ == nullptr) {
    doc_ = kNoMoreDocs;
    return doc_;
  }
  const uint32_t lo = FirstBlockEndingAtOrAfter(block_ + 1, target);
  if (lo >= num_blocks_) {
    doc_ = kNoMoreDocs;
    index_ = block_size_;
    return doc_;
  }
  DecodeBlock(lo);
  if (doc_ == kNoMoreDocs) return doc_;
  // The new block holds a doc >= target.
  uint32_t i = 0;
  while (docs_[i] < target) ++i;
  index_ = i;
  doc_ = docs_[i];
  return doc_;
}

void PostingCursor::DecodePositions() {
  // Decodes the block's raw values (per doc, per slot: first position, then gaps) and where each
  // (doc, slot) run starts; a run is turned into absolute positions only when asked for.
  positions_decoded_ = true;
  const uint32_t T = num_text_fields_;
  position_starts_.resize(size_t{block_size_} * T + 1);
  uint32_t total = 0;
  uint32_t* starts = position_starts_.data();
  if (T == 2) {  // title + body, the common schema: the same prefix sum, vectorised
    total = TwoSlotRunStarts(tfs_.data(), tfs_.data() + kPostingBlockSize, block_size_, starts);
  } else {
    for (uint32_t i = 0; i < block_size_; ++i) {
      for (uint32_t s = 0; s < T; ++s) {
        starts[size_t{i} * T + s] = total;
        total += tfs_[size_t{s} * kPostingBlockSize + i];
      }
    }
  }
  position_starts_[size_t{block_size_} * T] = static_cast<uint32_t>(total);
  block_positions_.resize(total);
  runs_absolute_.assign(size_t{block_size_} * T, 0);
  const uint8_t* p = skip_ != nullptr ? positions_ + LoadU32(SkipEntry(block_) + 8) : positions_;
  for (size_t k = 0; k < total && p != nullptr; k += codec::kMaxBlockValues) {
    p = codec::DecodeBlock(p, positions_end_, std::min(codec::kMaxBlockValues, total - k), block_positions_.data() + k);
  }
  if (p == nullptr) {  // malformed: report no positions rather than garbage
    block_positions_.clear();
    std::fill(position_starts_.begin(), position_starts_.end(), 0);
  }
}

void PostingCursor::Positions(size_t field, std::vector<uint32_t>* out) {
  out->clear();
  int slot = Slot(field);
  if (slot < 0 || doc_ == kNoMoreDocs) return;
  std::span<const uint32_t> p = PositionsBySlot(static_cast<uint32_t>(slot));
  out->assign(p.begin(), p.end());
}

std::span<const uint32_t> PostingCursor::PositionsBySlot(uint32_t slot) {
  const uint32_t tf = tfs_[size_t{slot} * kPostingBlockSize + index_];
  if (tf == 0) return {};
  if (!positions_decoded_) DecodePositions();
  const size_t run = size_t{index_} * num_text_fields_ + slot;
  const size_t start = position_starts_[run];
  if (start + tf > block_positions_.size()) return {};
  uint32_t* values = block_positions_.data() + start;
  if (!runs_absolute_[run]) {  // first position, then gaps -> absolute positions
    for (uint32_t k = 1; k < tf; ++k) values[k] += values[k - 1];
    runs_absolute_[run] = 1;
  }
  return {values, tf};
}

FieldBound PostingCursor::TermBound(size_t field) const {
  int slot = Slot(field);
  if (slot < 0 || term_bound_.empty()) return {};
  return term_bound_[slot];
}

void PostingCursor::ShallowAdvance(DocId target) {
  if (num_blocks_ == 0) return;
  if (block_size_ == 0) {  // malformed list, already ended
    window_ = num_blocks_;
    return;
  }
  uint32_t start = std::max(window_, block_);
  if (skip_ == nullptr) {
    window_ = (start == 0 && target <= docs_[block_size_ - 1]) ? 0 : 1;
    return;
  }
  window_ = FirstBlockEndingAtOrAfter(start, target);
}

uint32_t PostingCursor::FirstBlockEndingAtOrAfter(uint32_t from, DocId target) const {
  // Most moves are to the same or the next block; else binary search over the skip table's
  // last docs (ascending).
  if (from < num_blocks_ && LoadU32(SkipEntry(from)) >= target) return from;
  if (from + 1 < num_blocks_ && LoadU32(SkipEntry(from + 1)) >= target) return from + 1;
  uint32_t lo = from, hi = num_blocks_;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (LoadU32(SkipEntry(mid)) < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

DocId PostingCursor::BlockLastDoc() const {
  if (window_ >= num_blocks_) return kNoMoreDocs;
  if (skip_ == nullptr) return block_size_ > 0 ? docs_[block_size_ - 1] : kNoMoreDocs;
  return LoadU32(SkipEntry(window_));
}

FieldBound PostingCursor::BlockBound(size_t field) const {
  int slot = Slot(field);
  if (slot < 0 || window_ >= num_blocks_) return {};
  if (skip_ == nullptr) return term_bound_[slot];
  const uint8_t* e = SkipEntry(window_) + 12 + size_t(slot) * 8;
  return {LoadU32(e), LoadU32(e + 4)};
}

float PostingCursor::BlockTfTilde() const {
  if (window_ >= num_blocks_) return 0;
  if (skip_ == nullptr) return OneBlockTfTilde();
  return std::bit_cast<float>(LoadU32(SkipEntry(window_) + 12 + size_t{num_text_fields_} * 8));
}

DocId PostingCursor::BlockLastDocOf(uint32_t block) const { return LoadU32(SkipEntry(block)); }

float PostingCursor::BlockTfTildeOf(uint32_t block) const {
  return std::bit_cast<float>(LoadU32(SkipEntry(block) + 12 + size_t{num_text_fields_} * 8));
}

void PostingCursor::MoveToBlock(uint32_t block) {
  DecodeBlock(block);
}

float PostingCursor::TermTfTilde() const {
  if (skip_ == nullptr) return OneBlockTfTilde();
  float max = 0;
  for (uint32_t b = 0; b < num_blocks_; ++b) {
    max = std::max(max, std::bit_cast<float>(LoadU32(SkipEntry(b) + 12 + size_t{num_text_fields_} * 8)));
  }
  return max;
}

float PostingCursor::OneBlockTfTilde() const {
  // The writer stores no bound for a one-block list (most terms: it would cost the dictionary a
  // few bytes each); the block is always decoded, so compute it the writer's way on first use.
  if (one_block_tf_tilde_ >= 0) return one_block_tf_tilde_;
  if (segment_ == nullptr) return 0;  // an empty list
  const BlockScoring& bs = segment_->block_scoring();
  float bound = 0;
  if (bs.enabled()) {
    for (uint32_t i = 0; i < block_size_; ++i) {
      double tf_tilde = 0;
      for (uint32_t s = 0; s < num_text_fields_; ++s) {
        const uint32_t tf = tfs_[size_t{s} * kPostingBlockSize + i];
        if (tf == 0) continue;
        tf_tilde += bs.weights[s] * tf * Bm25InverseNorm(segment_->LengthBySlot(docs_[i], s), bs.avg_lengths[s]);
      }
      bound = std::max(bound, RoundUpBound(tf_tilde));
    }
  }
  one_block_tf_tilde_ = bound;
  return bound;
}

}  // namespace busca::index
