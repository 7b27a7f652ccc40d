// KeyHash: the hash of a term, surface-dictionary key or spelling on the write path (internal to
// engine/index). DocumentPreparer computes it in parallel; the writer's tables only compare and
// place. Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/hash/hash.h"

namespace busca::index {

inline uint64_t KeyHash(std::string_view key) { return absl::Hash<std::string_view>()(key); }

}  // namespace busca::index
