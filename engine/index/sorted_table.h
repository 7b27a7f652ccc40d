// SortedTable: the read side of the one sorted-string structure of a segment: an immutable,
// front-coded table of (key, payload) entries sorted by key (bytewise), used for the term
// dictionary, the surface dictionary, keyword value dictionaries and nothing else.
//
// Supports exact lookup (binary search over block first keys, then a scan of at most
// kSortedTableBlock entries), ordered iteration from any key (Seek = first key >= target; a
// prefix range is Seek(prefix) while key().starts_with(prefix)), and access by ordinal (the
// rank of the key). That is all a Levenshtein automaton needs to walk the dictionary later:
// intersecting the automaton with the sorted keys is a loop of Seek(next accepted string).
//
// The table borrows the bytes (a memory-mapped file body); the mapping must outlive it and its
// iterators. Immutable and safe to share between threads; an Iterator is one thread's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace busca::index {

inline constexpr uint32_t kSortedTableBlock = 16;  // entries per front-coding block

class SortedTable {
 public:
  SortedTable() = default;  // empty table
  // Parses the table header and block index of `bytes` (checked against its size). `what` names
  // the file in error messages.
  static Result<SortedTable> Open(std::span<const uint8_t> bytes, std::string_view what);

  uint32_t size() const { return num_entries_; }

  class Iterator {
   public:
    Iterator() = default;
    bool Valid() const { return ordinal_ < table_size_; }
    // REQUIRES: Valid(). Views are valid until the next Next()/Seek() of this iterator.
    std::string_view key() const { return key_; }
    std::span<const uint8_t> payload() const { return payload_; }
    uint32_t ordinal() const { return ordinal_; }
    void Next();

   private:
    friend class SortedTable;
    void LoadBlock(uint32_t block);
    void DecodeEntry();
    const SortedTable* table_ = nullptr;
    uint32_t table_size_ = 0;
    uint32_t ordinal_ = 0;
    const uint8_t* next_ = nullptr;  // next entry's bytes within the current block
    std::string key_;
    std::span<const uint8_t> payload_;
  };

  Iterator Begin() const { return At(0); }
  // First entry with key >= target (invalid iterator when none).
  Iterator Seek(std::string_view target) const;
  // Entry of rank `ordinal` (invalid iterator when ordinal >= size()).
  Iterator At(uint32_t ordinal) const;
  // Entry whose key equals `key` exactly.
  std::optional<Iterator> Find(std::string_view key) const;

 private:
  std::string_view FirstKey(uint32_t block) const;
  const uint8_t* BlockStart(uint32_t block) const;

  uint32_t num_entries_ = 0;
  uint32_t num_blocks_ = 0;
  const uint8_t* block_offsets_ = nullptr;  // num_blocks_ x u64, relative to data_
  const uint8_t* data_ = nullptr;
  const uint8_t* end_ = nullptr;
};

}  // namespace busca::index
