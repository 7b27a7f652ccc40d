// DocId and the sentinels shared by every read-side structure of engine/index.
//
// A DocId is a segment-local document number, dense from 0 to max_doc - 1 in the order the
// documents were added. It is only meaningful together with its segment (see DocAddress in
// generation.h for the generation-wide address).
#pragma once

#include <cstdint>
#include <limits>

namespace busca::index {

using DocId = uint32_t;

// Returned by PostingCursor::doc() once the cursor is exhausted; larger than every real DocId.
inline constexpr DocId kNoMoreDocs = std::numeric_limits<DocId>::max();

// Documents per posting block (doc-id deltas, tfs, skip entry, block-max bounds).
inline constexpr uint32_t kPostingBlockSize = 128;

}  // namespace busca::index
