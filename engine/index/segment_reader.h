// SegmentReader: read access to one immutable segment of a generation (all its files are
// memory-mapped read-only; nothing is copied at open except the small deleted-docs bitmap).
//
// A segment holds, for max_doc() documents with DocIds 0..max_doc()-1:
//   - term dictionary (term -> doc_freq, postings) and posting lists with positions;
//   - surface dictionary: fold(surface) -> the terms its spellings produced, the most frequent
//     spelling seen and a doc frequency (accent-insensitive matching, prefix queries,
//     search-as-you-type);
//   - exact per-doc lengths (tokens, stopwords included) of every text field, and their sums;
//   - columns for keyword / number / boolean / timestamp fields (filters, sort, facets);
//   - stored fields (zstd-compressed blocks) with the external id of every doc;
//   - external id -> DocId lookup;
//   - the set of deleted docs (roaring bitmap).
// Statistics (doc_freq, max_doc, FieldLengthSum) count deleted docs, as Lucene's do, until a merge
// drops them; live_doc_count() and LiveFieldLengthSum() are exact for live docs.
//
// Fields are identified by their index in schema().fields. Accessors for a field of the wrong
// type return 0 / nullptr / empty, never crash.
//
// Thread-safety: immutable after Open; every const method may be called concurrently. Cursors and
// iterators are per thread. Everything returned by reference or view lives as long as the
// segment, i.e. as long as the owning Generation.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <roaring/roaring.hh>

#include "engine/index/block_scoring.h"
#include "engine/index/doc_id.h"
#include "engine/index/document.h"
#include "engine/index/posting_cursor.h"
#include "engine/index/schema.h"
#include "engine/index/sorted_table.h"
#include "engine/util/status.h"

namespace busca::index {

// The deleted-docs set (CRoaring's C++ class; global namespace in Debian bookworm's 0.2.66).
using RoaringBitmap = ::Roaring;

class MappedFile;

// Term dictionary of a segment. Keys are index terms (fold(stem(word))), sorted bytewise.
class TermDictionary {
 public:
  class Iterator {
   public:
    Iterator() = default;
    bool Valid() const { return it_.Valid(); }
    std::string_view term() const { return it_.key(); }
    uint32_t ordinal() const { return it_.ordinal(); }  // rank of the term in the dictionary
    uint32_t doc_freq() const;                           // docs of this segment containing it
    void Next() { it_.Next(); }

   private:
    friend class TermDictionary;
    friend class SegmentReader;
    explicit Iterator(SortedTable::Iterator it) : it_(std::move(it)) {}
    SortedTable::Iterator it_;
  };

  uint32_t size() const { return table_.size(); }
  Iterator Begin() const { return Iterator(table_.Begin()); }
  Iterator Seek(std::string_view target) const { return Iterator(table_.Seek(target)); }  // >=
  Iterator At(uint32_t ordinal) const { return Iterator(table_.At(ordinal)); }
  // Exact lookup; nullopt when the segment does not contain the term.
  std::optional<Iterator> Find(std::string_view term) const;

 private:
  friend class SegmentReader;
  SortedTable table_;
};

// One entry of the surface dictionary.
struct SurfaceEntry {
  std::string_view folded;    // fold(surface): "paes"
  std::string_view spelling;  // its most frequent spelling at index time: "pães"
  uint32_t doc_freq = 0;      // docs of this segment containing one of its spellings
  std::vector<uint32_t> term_ordinals;  // terms (ordinals in the TermDictionary) it produced
};

// Surface dictionary of a segment: fold(surface) -> SurfaceEntry, sorted by the folded key.
class SurfaceDictionary {
 public:
  class Iterator {
   public:
    Iterator() = default;
    bool Valid() const { return it_.Valid(); }
    std::string_view folded() const { return it_.key(); }
    uint32_t ordinal() const { return it_.ordinal(); }
    SurfaceEntry entry() const;  // decodes the payload (views into the mapping)
    void Next() { it_.Next(); }

   private:
    friend class SurfaceDictionary;
    explicit Iterator(SortedTable::Iterator it) : it_(std::move(it)) {}
    SortedTable::Iterator it_;
  };

  uint32_t size() const { return table_.size(); }
  Iterator Begin() const { return Iterator(table_.Begin()); }
  Iterator Seek(std::string_view target) const { return Iterator(table_.Seek(target)); }
  std::optional<SurfaceEntry> Find(std::string_view folded) const;

 private:
  friend class SegmentReader;
  SortedTable table_;
};

// Values of one keyword field: a sorted per-segment dictionary of distinct values and, per doc,
// the ordinals of its values (ascending, distinct). NULL / empty arrays have no ordinals.
class KeywordColumn {
 public:
  bool multi() const { return multi_; }
  uint32_t dictionary_size() const { return dictionary_.size(); }
  // REQUIRES: ordinal < dictionary_size().
  std::string Value(uint32_t ordinal) const;
  std::optional<uint32_t> FindOrdinal(std::string_view value) const;
  // Ordered iteration over the distinct values (facet value search, prefix filters).
  SortedTable::Iterator SeekValue(std::string_view target) const { return dictionary_.Seek(target); }
  // Ordinals of doc's values; empty span when NULL. REQUIRES: doc < max_doc.
  std::span<const uint32_t> Ordinals(DocId doc) const;

 private:
  friend class SegmentReader;
  bool multi_ = false;
  SortedTable dictionary_;
  const uint32_t* offsets_ = nullptr;   // max_doc + 1 entries into ordinals_
  const uint32_t* ordinals_ = nullptr;
};

// Values of one number (scaled int64), timestamp (micros UTC) or boolean (0/1) field.
class NumericColumn {
 public:
  // nullopt when NULL. REQUIRES: doc < max_doc.
  std::optional<int64_t> Get(DocId doc) const {
    if (!(present_[doc >> 3] & (1u << (doc & 7)))) return std::nullopt;
    return values_[doc];
  }
  bool has_values() const { return non_null_ > 0; }
  uint32_t non_null_count() const { return non_null_; }
  // Smallest / largest non-NULL value (0 when all NULL): lets range filters skip a segment.
  int64_t min_value() const { return min_; }
  int64_t max_value() const { return max_; }

 private:
  friend class SegmentReader;
  const uint8_t* present_ = nullptr;  // bitmap, bit doc set when non-NULL
  const int64_t* values_ = nullptr;   // max_doc entries (0 where NULL)
  uint32_t non_null_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

class SegmentReader {
 public:
  // Opens seg-<id>.* in `generation_dir`. Used by Generation::Open (which verifies checksums
  // first); structural checks (offsets within files, counts) are always done and reported as
  // Corruption naming the file.
  static Result<std::unique_ptr<SegmentReader>> Open(const std::filesystem::path& generation_dir,
                                                     const CollectionSchema& schema,
                                                     uint32_t segment_id);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  uint32_t id() const { return id_; }
  const CollectionSchema& schema() const { return *schema_; }
  DocId max_doc() const { return max_doc_; }
  uint32_t live_doc_count() const { return max_doc_ - static_cast<uint32_t>(deleted_.cardinality()); }
  bool IsLive(DocId doc) const { return doc < max_doc_ && !deleted_.contains(doc); }
  const RoaringBitmap& deleted_docs() const { return deleted_; }

  // Text fields in slot order (schema field indices); slots are how files store per-field data.
  const std::vector<size_t>& text_fields() const { return text_fields_; }

  // --- inverted index
  const TermDictionary& terms() const { return terms_; }
  const SurfaceDictionary& surfaces() const { return surfaces_; }
  uint32_t DocFreq(std::string_view term) const;  // 0 when absent
  // Postings of a term; an empty cursor when the term is absent.
  PostingCursor OpenPostings(std::string_view term) const;
  PostingCursor OpenPostings(uint32_t term_ordinal) const;
  PostingCursor OpenPostings(const TermDictionary::Iterator& it) const;

  // --- text field lengths (tokens, stopwords included); 0 for non-text fields
  uint32_t FieldLength(DocId doc, size_t field) const;
  uint64_t FieldLengthSum(size_t field) const;      // over all docs, deleted included
  uint64_t LiveFieldLengthSum(size_t field) const;  // over live docs

  // --- columns (nullptr when `field` is not of that kind)
  const KeywordColumn* keyword_column(size_t field) const;
  const NumericColumn* numeric_column(size_t field) const;  // number, timestamp, boolean

  // --- ids and stored fields
  std::string_view ExternalId(DocId doc) const;  // REQUIRES: doc < max_doc()
  // DocId of an external id in this segment (deleted docs included; check IsLive).
  std::optional<DocId> FindExternalId(std::string_view id) const;
  // The stored fields of a doc: Document{id, values} with non-stored fields std::monostate.
  Result<Document> StoredDocument(DocId doc) const;

  // Parameters the per-block tf~ bounds were computed with (disabled when the segment has none);
  // see block_scoring.h and PostingCursor::BlockTfTilde().
  const BlockScoring& block_scoring() const { return block_scoring_; }

  // The length column of one text slot: `width` bytes per doc, read without a branch on the
  // width: four bytes masked (the file's footer follows the column, so they are always mapped).
  struct LengthView {
    uint32_t width = 0;  // 1, 2 or 4
    uint32_t mask = 0;   // the low `width` bytes
    const uint8_t* data = nullptr;
    uint32_t At(DocId doc) const {
      uint32_t v;
      std::memcpy(&v, data + size_t{doc} * width, 4);
      return v & mask;
    }
  };
  // Of text slot `slot` (text_fields() order), for loops over many docs: a copy they can keep in
  // registers.
  LengthView LengthsOfSlot(uint32_t slot) const {
    const uint32_t width = lengths_[slot].width;
    return {width, width == 4 ? ~0u : (1u << (8 * width)) - 1, lengths_[slot].data};
  }
  // Length of text slot `slot` of `doc`. REQUIRES: doc < max_doc().
  uint32_t LengthBySlot(DocId doc, uint32_t slot) const { return LengthsOfSlot(slot).At(doc); }

 private:
  SegmentReader() = default;
  friend class PostingCursor;
  PostingCursor MakeCursor(std::span<const uint8_t> payload) const;
  Status LoadTerms();
  Status LoadLengths();
  Status LoadColumns();
  Status LoadIds();
  Status LoadStored();
  Status LoadDeletes();

  struct Files;
  std::unique_ptr<Files> files_;
  const CollectionSchema* schema_ = nullptr;
  uint32_t id_ = 0;
  DocId max_doc_ = 0;
  RoaringBitmap deleted_;
  std::vector<size_t> text_fields_;
  std::vector<int8_t> field_slot_;  // schema field -> text slot or -1

  TermDictionary terms_;
  SurfaceDictionary surfaces_;
  std::span<const uint8_t> postings_;
  std::span<const uint8_t> positions_;
  BlockScoring block_scoring_;

  struct LengthColumn {
    uint32_t width = 0;  // 1, 2 or 4 bytes per doc
    const uint8_t* data = nullptr;
    uint64_t sum = 0;
    uint64_t live_sum = 0;
  };
  std::vector<LengthColumn> lengths_;  // per slot

  std::vector<std::unique_ptr<KeywordColumn>> keyword_columns_;  // per schema field (or null)
  std::vector<std::unique_ptr<NumericColumn>> numeric_columns_;  // per schema field (or null)

  const uint32_t* id_offsets_ = nullptr;  // max_doc + 1
  const char* id_bytes_ = nullptr;
  const uint32_t* id_sorted_ = nullptr;   // DocIds sorted by external id

  std::span<const uint8_t> stored_;
  const uint8_t* stored_index_ = nullptr;  // per block: first doc u32, offset u64, raw size u32
  uint32_t stored_blocks_ = 0;
};

}  // namespace busca::index
