// Internal: writes a SortedTable (see sorted_table.h and engine/FORMAT.md, "Sorted tables").
//
//   u32 num_entries | u32 block size | u32 num_blocks | u32 0 | u64 block offset x num_blocks
//   | entries: varint shared prefix length, varint suffix length, suffix, varint payload length,
//     payload. The first entry of a block shares nothing with its predecessor.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace busca::index {

class SortedTableBuilder {
 public:
  // REQUIRES: key > the previous key (strictly increasing, bytewise).
  void Add(std::string_view key, std::string_view payload);
  uint32_t size() const { return count_; }
  // The finished table bytes. The builder is empty afterwards.
  std::string Finish();

 private:
  std::string data_;
  std::string block_offsets_;
  std::string last_key_;
  uint32_t count_ = 0;
};

}  // namespace busca::index
