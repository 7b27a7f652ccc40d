// PostingCursor: iterates the posting list of one term in one segment, in increasing DocId order.
//
// Contract layers (in the spirit of pisa's cursors):
//   cursor           doc(), Next(), kNoMoreDocs once exhausted
//   sorted cursor    NextGeq(target)
//   scored cursor    Tf(field) per text field of the current doc, Positions(field, out)
//   max-score        TermMaxTf(field) / TermMinLength(field): bounds over the whole list
//   block-max        ShallowAdvance(target), BlockLastDoc(), BlockBound(field) (max tf, min
//                    length), BlockTfTilde(): bounds over one block of kPostingBlockSize docs,
//                    readable without decoding the block.
// With per-field max tf and min field length of the docs where the term occurs, the query side
// can compute a BM25F upper bound for any k1/b/weights/average lengths: BM25F grows with tf and
// shrinks with length, and each field is bounded independently.
//
// Deleted docs are NOT filtered out: the cursor reports every doc of the list; the caller checks
// SegmentReader::IsLive(doc) (a roaring bitmap test) for the docs it would score.
//
// Fields are identified by their index in CollectionSchema::fields (only text fields have tfs and
// positions; any other index reads as 0 / no positions). Positions are per field, 0-based word
// positions (stopwords count), ascending.
//
// Lifetime and threads: a cursor points into the memory-mapped files of its segment; the
// Generation (shared_ptr) must outlive it. Move-only; one thread at a time. Opening a cursor is
// cheap (no allocation beyond its small decode buffers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/index/doc_id.h"

namespace busca::index {

class SegmentReader;

// Per text field bound of a block or of a whole list.
struct FieldBound {
  uint32_t max_tf = 0;      // largest tf of the term in this field among the docs covered
  uint32_t min_length = 0;  // smallest field length among those docs with tf > 0 (0 if none)
};

class PostingCursor {
 public:
  PostingCursor() = default;  // an empty list: doc() == kNoMoreDocs
  PostingCursor(PostingCursor&&) noexcept = default;
  PostingCursor& operator=(PostingCursor&&) noexcept = default;
  PostingCursor(const PostingCursor&) = delete;
  PostingCursor& operator=(const PostingCursor&) = delete;

  // Current doc, or kNoMoreDocs. A fresh cursor is on the first doc of the list.
  DocId doc() const { return doc_; }
  // Docs in the list (deleted docs included).
  uint32_t doc_freq() const { return doc_freq_; }
  bool empty() const { return doc_freq_ == 0; }

  // Advances to the next doc; returns it (kNoMoreDocs at the end).
  DocId Next();
  // Advances to the first doc >= target (stays when doc() >= target); returns it.
  DocId NextGeq(DocId target) {
    if (doc_ >= target) return doc_;  // also when exhausted (then the block may be empty)
    if (target <= docs_[block_size_ - 1]) {  // within the decoded block: the hot path
      uint32_t i = index_;
      while (docs_[i] < target) ++i;
      index_ = i;
      return doc_ = docs_[i];
    }
    return NextGeqInLaterBlock(target);
  }

  // tf of the current doc in text field `field` (0 when absent or not a text field).
  // REQUIRES: doc() != kNoMoreDocs.
  uint32_t Tf(size_t field) const {
    int slot = Slot(field);
    if (slot < 0 || doc_ == kNoMoreDocs) return 0;
    return tfs_[size_t(slot) * kPostingBlockSize + index_];
  }
  // The same by text slot (SegmentReader::text_fields() order). REQUIRES: doc() != kNoMoreDocs,
  // slot < the number of text fields.
  uint32_t TfBySlot(uint32_t slot) const { return tfs_[size_t{slot} * kPostingBlockSize + index_]; }

  // The decoded block, for callers that work a block at a time: its ordinal in the list, its docs,
  // each slot's tfs (BlockSize() entries) and the current doc's index in it.
  uint32_t BlockOrdinal() const { return block_; }
  uint32_t BlockSize() const { return block_size_; }
  uint32_t IndexInBlock() const { return index_; }
  const DocId* BlockDocs() const { return docs_.data(); }
  const uint32_t* BlockTfsBySlot(uint32_t slot) const { return tfs_.data() + size_t{slot} * kPostingBlockSize; }
  // Positions of the current doc in `field`, ascending, replacing *out (empty when tf == 0).
  // REQUIRES: doc() != kNoMoreDocs.
  void Positions(size_t field, std::vector<uint32_t>* out);
  // The same by text slot, without copying: valid until the cursor moves. REQUIRES: doc() !=
  // kNoMoreDocs, slot < the number of text fields.
  std::span<const uint32_t> PositionsBySlot(uint32_t slot);

  // Bounds over the whole list.
  FieldBound TermBound(size_t field) const;

  // Moves the block-max window to the first block, at or after the block of doc(), whose last
  // doc is >= target. Does not move doc() and decodes nothing.
  void ShallowAdvance(DocId target);
  // Last doc of the window block; kNoMoreDocs when the window is past the end of the list.
  DocId BlockLastDoc() const;
  // Bounds over the window block (all zero past the end).
  FieldBound BlockBound(size_t field) const;
  // Max combined tf~ of the list / of the window block (0 past the end), valid only when the
  // segment's block_scoring() is enabled (block_scoring.h).
  float TermTfTilde() const;
  float BlockTfTilde() const;

  // Random access to the block table (the same bounds, by block ordinal < NumBlocks()): its last
  // doc and stored max tf~. MoveToBlock decodes block `block` and puts the cursor on its first doc.
  // Only for lists with a skip table (NumBlocks() > 1).
  uint32_t NumBlocks() const { return num_blocks_; }
  DocId BlockLastDocOf(uint32_t block) const;
  float BlockTfTildeOf(uint32_t block) const;
  void MoveToBlock(uint32_t block);

 private:
  friend class SegmentReader;

  DocId NextGeqInLaterBlock(DocId target);
  float OneBlockTfTilde() const;
  // The first block >= `from` whose last doc is >= target (num_blocks_ when none). Needs skip_.
  uint32_t FirstBlockEndingAtOrAfter(uint32_t from, DocId target) const;
  void DecodeBlock(uint32_t block);
  void DecodePositions();
  int Slot(size_t field) const {
    return field < field_slot_.size() ? field_slot_[field] : -1;
  }
  const uint8_t* SkipEntry(uint32_t block) const { return skip_ + size_t{block} * skip_entry_size_; }

  // List layout (see engine/FORMAT.md, "Postings").
  const SegmentReader* segment_ = nullptr;
  const uint8_t* skip_ = nullptr;       // skip table (nullptr when the list has one block)
  const uint8_t* blocks_ = nullptr;     // first block
  const uint8_t* end_ = nullptr;        // end of the postings file body (bounds checks)
  const uint8_t* positions_ = nullptr;  // first positions block of the term
  const uint8_t* positions_end_ = nullptr;
  uint32_t doc_freq_ = 0;
  uint32_t num_blocks_ = 0;
  uint32_t num_text_fields_ = 0;
  std::vector<int8_t> field_slot_;   // schema field index -> text slot or -1
  std::vector<FieldBound> term_bound_;   // per slot
  mutable float one_block_tf_tilde_ = -1;  // OneBlockTfTilde() cache (< 0: not computed)
  uint32_t skip_entry_size_ = 0;

  // Decoded block.
  uint32_t block_ = 0;               // index of the decoded block
  uint32_t block_size_ = 0;          // docs in it
  uint32_t index_ = 0;               // current doc within it
  const uint8_t* next_block_ = nullptr;  // where the following block starts (sequential reads)
  std::vector<uint32_t> docs_;       // kPostingBlockSize
  std::vector<uint32_t> tfs_;        // slot-major: tfs_[slot * kPostingBlockSize + i]
  DocId doc_ = kNoMoreDocs;

  // Positions of the decoded block (decoded lazily on the first Positions() call).
  bool positions_decoded_ = false;
  std::vector<uint32_t> block_positions_;  // doc-major, slot-minor: per run first position, gaps
  std::vector<uint32_t> position_starts_;  // per (doc, slot) run: index into block_positions_
  std::vector<uint8_t> runs_absolute_;     // per run: already turned into absolute positions

  uint32_t window_ = 0;  // block-max window block
};

}  // namespace busca::index
