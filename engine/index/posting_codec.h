// Internal: the integer codec of posting lists and positions, "bp128": blocks of up to 128
// uint32 values bit-packed at the smallest width that fits the block's largest value.
//
//   block = u8 bit width b (0..32) | ceil(n * b / 8) bytes, value i at bits [i*b, i*b + b), LSB first
// n is not stored: the caller knows it (block sizes follow from doc_freq / tf sums).
// Decoding reads 8-byte words; it takes a fast path when at least 8 bytes follow the block inside
// [in, end) (always true inside a file, whose 24-byte footer follows the body) and a careful
// byte-by-byte path otherwise. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace busca::index::codec {

inline constexpr size_t kMaxBlockValues = 128;

// Bits needed for v (0 for 0).
inline uint32_t BitWidth(uint32_t v) { return v == 0 ? 0 : 32 - __builtin_clz(v); }

// Appends the block encoding of in[0..n) to *out. REQUIRES: n <= kMaxBlockValues.
void EncodeBlock(const uint32_t* in, size_t n, std::string* out);
// Bytes EncodeBlock would append.
size_t EncodedSize(const uint32_t* in, size_t n);

// Decodes n values into out; returns the byte after the block, or nullptr when the block is
// malformed (width > 32) or runs past `end`.
const uint8_t* DecodeBlock(const uint8_t* in, const uint8_t* end, size_t n, uint32_t* out);
// Skips a block of n values without decoding; nullptr when malformed.
const uint8_t* SkipBlock(const uint8_t* in, const uint8_t* end, size_t n);

}  // namespace busca::index::codec
