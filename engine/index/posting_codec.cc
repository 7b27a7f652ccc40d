#include "engine/index/posting_codec.h"

#include <array>
#include <cstring>
#include <utility>

namespace busca::index::codec {
namespace {

inline size_t PackedBytes(size_t n, uint32_t b) { return (n * b + 7) / 8; }

template <uint32_t B>
void UnpackFast(const uint8_t* p, size_t n, uint32_t* out) {
  if constexpr (B == 0) {
    for (size_t i = 0; i < n; ++i) out[i] = 0;
  } else if constexpr (B == 32) {
    std::memcpy(out, p, n * 4);
  } else {
    constexpr uint64_t kMask = (uint64_t{1} << B) - 1;
    // Groups of 8 values occupy exactly B bytes.
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const uint8_t* g = p + (i / 8) * B;
#pragma GCC unroll 8
      for (uint32_t j = 0; j < 8; ++j) {
        uint64_t w;
        std::memcpy(&w, g + (j * B) / 8, 8);
        out[i + j] = static_cast<uint32_t>((w >> ((j * B) % 8)) & kMask);
      }
    }
    for (; i < n; ++i) {
      uint64_t bit = uint64_t{i} * B;
      uint64_t w;
      std::memcpy(&w, p + bit / 8, 8);
      out[i] = static_cast<uint32_t>((w >> (bit % 8)) & kMask);
    }
  }
}

using UnpackFn = void (*)(const uint8_t*, size_t, uint32_t*);

template <uint32_t... Bs>
constexpr auto MakeTable(std::integer_sequence<uint32_t, Bs...>) {
  return std::array<UnpackFn, sizeof...(Bs)>{&UnpackFast<Bs>...};
}
constexpr auto kUnpack = MakeTable(std::make_integer_sequence<uint32_t, 33>{});

void UnpackSlow(const uint8_t* p, size_t n, uint32_t b, uint32_t* out) {
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = 0;
    for (uint32_t k = 0; k < b; ++k) {
      uint64_t bit = uint64_t{i} * b + k;
      v |= static_cast<uint64_t>((p[bit / 8] >> (bit % 8)) & 1) << k;
    }
    out[i] = static_cast<uint32_t>(v);
  }
}

}  // namespace

size_t EncodedSize(const uint32_t* in, size_t n) {
  uint32_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= in[i];
  return 1 + PackedBytes(n, BitWidth(acc));
}

void EncodeBlock(const uint32_t* in, size_t n, std::string* out) {
  uint32_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= in[i];
  uint32_t b = BitWidth(acc);
  out->push_back(static_cast<char>(b));
  size_t start = out->size();
  out->resize(start + PackedBytes(n, b), 0);
  if (b == 0) return;
  auto* p = reinterpret_cast<uint8_t*>(out->data() + start);
  uint64_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += b) {
    uint64_t v = in[i];
    // Spread v over up to 5 bytes starting at bit.
    size_t byte = bit / 8;
    uint32_t shift = bit % 8;
    uint64_t shifted = v << shift;
    uint32_t bits_total = b + shift;
    for (uint32_t k = 0; k * 8 < bits_total; ++k) p[byte + k] |= static_cast<uint8_t>(shifted >> (8 * k));
  }
}

const uint8_t* DecodeBlock(const uint8_t* in, const uint8_t* end, size_t n, uint32_t* out) {
  if (in >= end) return nullptr;
  uint32_t b = *in++;
  if (b > 32 || n > kMaxBlockValues) return nullptr;
  size_t bytes = PackedBytes(n, b);
  if (static_cast<size_t>(end - in) < bytes) return nullptr;
  if (static_cast<size_t>(end - in) >= bytes + 8) {
    kUnpack[b](in, n, out);
  } else {
    UnpackSlow(in, n, b, out);
  }
  return in + bytes;
}

const uint8_t* SkipBlock(const uint8_t* in, const uint8_t* end, size_t n) {
  if (in >= end) return nullptr;
  uint32_t b = *in++;
  if (b > 32) return nullptr;
  size_t bytes = PackedBytes(n, b);
  if (static_cast<size_t>(end - in) < bytes) return nullptr;
  return in + bytes;
}

}  // namespace busca::index::codec
