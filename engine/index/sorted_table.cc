#include "engine/index/sorted_table.h"

#include <algorithm>

#include "engine/index/file_format.h"
#include "engine/index/sorted_table_builder.h"

namespace busca::index {

// ---------------------------------------------------------------------------------------------
// Builder

void SortedTableBuilder::Add(std::string_view key, std::string_view payload) {
  size_t shared = 0;
  if (count_ % kSortedTableBlock == 0) {
    PutU64(&block_offsets_, data_.size());
  } else {
    size_t limit = std::min(key.size(), last_key_.size());
    while (shared < limit && key[shared] == last_key_[shared]) ++shared;
  }
  PutVarint(&data_, shared);
  PutVarint(&data_, key.size() - shared);
  data_.append(key.substr(shared));
  PutVarint(&data_, payload.size());
  data_.append(payload);
  last_key_.assign(key);
  ++count_;
}

std::string SortedTableBuilder::Finish() {
  std::string out;
  uint32_t num_blocks = static_cast<uint32_t>(block_offsets_.size() / 8);
  PutU32(&out, count_);
  PutU32(&out, kSortedTableBlock);
  PutU32(&out, num_blocks);
  PutU32(&out, 0);
  out += block_offsets_;
  out += data_;
  data_.clear();
  block_offsets_.clear();
  last_key_.clear();
  count_ = 0;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reader

Result<SortedTable> SortedTable::Open(std::span<const uint8_t> bytes, std::string_view what) {
  auto corrupt = [&](std::string why) { return Status::Corruption(std::string(what) + ": sorted table: " + why); };
  if (bytes.size() < 16) return corrupt("truncated header");
  SortedTable t;
  t.num_entries_ = LoadU32(bytes.data());
  uint32_t block = LoadU32(bytes.data() + 4);
  t.num_blocks_ = LoadU32(bytes.data() + 8);
  if (block != kSortedTableBlock) return corrupt("unexpected block size " + std::to_string(block));
  uint64_t expected_blocks = (uint64_t{t.num_entries_} + kSortedTableBlock - 1) / kSortedTableBlock;
  if (t.num_blocks_ != expected_blocks) return corrupt("block count does not match entry count");
  if (bytes.size() < 16 + uint64_t{t.num_blocks_} * 8) return corrupt("truncated block index");
  t.block_offsets_ = bytes.data() + 16;
  t.data_ = t.block_offsets_ + uint64_t{t.num_blocks_} * 8;
  t.end_ = bytes.data() + bytes.size();
  uint64_t data_size = static_cast<uint64_t>(t.end_ - t.data_);
  uint64_t prev = 0;
  for (uint32_t b = 0; b < t.num_blocks_; ++b) {
    uint64_t off = LoadU64(t.block_offsets_ + uint64_t{b} * 8);
    if (off >= data_size || (b > 0 && off <= prev) || (b == 0 && off != 0)) return corrupt("bad block offset");
    prev = off;
    // The first key of every block must be decodable (binary search reads it).
    const uint8_t* p = t.data_ + off;
    uint64_t shared, len;
    if (!GetVarint(&p, t.end_, &shared) || shared != 0 || !GetVarint(&p, t.end_, &len) ||
        len > static_cast<uint64_t>(t.end_ - p)) {
      return corrupt("bad first entry of block " + std::to_string(b));
    }
  }
  return t;
}

const uint8_t* SortedTable::BlockStart(uint32_t block) const {
  return data_ + LoadU64(block_offsets_ + uint64_t{block} * 8);
}

std::string_view SortedTable::FirstKey(uint32_t block) const {
  const uint8_t* p = BlockStart(block);
  uint64_t shared = 0, len = 0;
  GetVarint(&p, end_, &shared);  // validated at Open
  GetVarint(&p, end_, &len);
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(len)};
}

void SortedTable::Iterator::LoadBlock(uint32_t block) {
  next_ = table_->BlockStart(block);
  key_.clear();
  ordinal_ = block * kSortedTableBlock;
  DecodeEntry();
}

void SortedTable::Iterator::DecodeEntry() {
  if (ordinal_ >= table_size_) return;
  const uint8_t* p = next_;
  const uint8_t* end = table_->end_;
  uint64_t shared, len, plen;
  // Structure was checksummed; still never read outside the table: a bad entry ends iteration.
  if (!GetVarint(&p, end, &shared) || shared > key_.size() || !GetVarint(&p, end, &len) ||
      len > static_cast<uint64_t>(end - p)) {
    ordinal_ = table_size_;
    return;
  }
  key_.resize(shared);
  key_.append(reinterpret_cast<const char*>(p), len);
  p += len;
  if (!GetVarint(&p, end, &plen) || plen > static_cast<uint64_t>(end - p)) {
    ordinal_ = table_size_;
    return;
  }
  payload_ = {p, static_cast<size_t>(plen)};
  next_ = p + plen;
}

void SortedTable::Iterator::Next() {
  if (!Valid()) return;
  ++ordinal_;
  if (ordinal_ >= table_size_) return;
  if (ordinal_ % kSortedTableBlock == 0) {
    LoadBlock(ordinal_ / kSortedTableBlock);
  } else {
    DecodeEntry();
  }
}

SortedTable::Iterator SortedTable::At(uint32_t ordinal) const {
  Iterator it;
  it.table_ = this;
  it.table_size_ = num_entries_;
  if (ordinal >= num_entries_) {
    it.ordinal_ = num_entries_;
    return it;
  }
  it.LoadBlock(ordinal / kSortedTableBlock);
  while (it.Valid() && it.ordinal_ < ordinal) it.Next();
  return it;
}

SortedTable::Iterator SortedTable::Seek(std::string_view target) const {
  Iterator it;
  it.table_ = this;
  it.table_size_ = num_entries_;
  it.ordinal_ = num_entries_;
  if (num_entries_ == 0) return it;
  // Last block whose first key <= target.
  uint32_t lo = 0, hi = num_blocks_;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (FirstKey(mid) <= target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  it.LoadBlock(lo);
  while (it.Valid() && std::string_view(it.key_) < target) it.Next();
  return it;
}

std::optional<SortedTable::Iterator> SortedTable::Find(std::string_view key) const {
  Iterator it = Seek(key);
  if (it.Valid() && it.key() == key) return it;
  return std::nullopt;
}

}  // namespace busca::index
