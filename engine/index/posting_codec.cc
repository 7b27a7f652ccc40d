#include "engine/index/posting_codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__)
// Widths 1..25 eight values at a time with AVX2, where the CPU has it: a group of 8 values is b
// bytes; each 128-bit half of a register is loaded from where its 4 values start, a byte shuffle
// puts each value's 4 bytes in its 32-bit lane, and a per-lane shift and a mask finish it (a value
// and its bit offset in its first byte, b + 7 bits, fit 32 bits up to b = 25).
constexpr uint32_t kMaxAvx2Width = 25;

// The byte of a group of 8 values of width b where its second half (values 4..7) is loaded from.
constexpr size_t SecondHalfByte(uint32_t b) { return (4 * b) / 8; }

struct Avx2Tables {
  alignas(32) uint8_t shuffle[kMaxAvx2Width + 1][32];
  alignas(32) uint32_t shift[kMaxAvx2Width + 1][8];
};

const Avx2Tables& Tables() {
  static const Avx2Tables tables = [] {
    Avx2Tables t{};
    for (uint32_t b = 1; b <= kMaxAvx2Width; ++b) {
      const auto half = static_cast<uint32_t>(SecondHalfByte(b));
      for (uint32_t v = 0; v < 8; ++v) {
        const uint32_t bit = v * b - (v < 4 ? 0 : 8 * half);  // within its half's load
        for (uint32_t k = 0; k < 4; ++k) t.shuffle[b][4 * v + k] = static_cast<uint8_t>(bit / 8 + k);
        t.shift[b][v] = bit % 8;
      }
    }
    return t;
  }();
  return tables;
}

// Unpacks `groups` groups of 8 values of width b (1..kMaxAvx2Width); the caller has checked that
// every load (16 bytes from a group's start, and from its second half's) lies in the buffer.
__attribute__((target("avx2"))) void UnpackGroupsAvx2(const uint8_t* p, size_t groups, uint32_t b,
                                                       uint32_t* out) {
  const Avx2Tables& t = Tables();
  const __m256i shuffle = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.shuffle[b]));
  const __m256i shift = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.shift[b]));
  const __m256i mask = _mm256_set1_epi32(static_cast<int>((uint32_t{1} << b) - 1));
  const size_t half = SecondHalfByte(b);
  for (size_t g = 0; g < groups; ++g) {
    const uint8_t* q = p + g * b;
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + half));
    __m256i x = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    x = _mm256_shuffle_epi8(x, shuffle);
    x = _mm256_and_si256(_mm256_srlv_epi32(x, shift), mask);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * g), x);
  }
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

// Unpacks n values of width b from p, with `avail` readable bytes from p (at least the packed
// bytes + 8, which the scalar groups read past the last value).
void Unpack(const uint8_t* p, size_t avail, size_t n, uint32_t b, uint32_t* out) {
#if defined(__x86_64__)
  if (kHasAvx2 && b >= 1 && b <= kMaxAvx2Width && n >= 8) {
    // Groups whose two 16-byte loads stay in the buffer (the last few may not): the rest below.
    const size_t reach = SecondHalfByte(b) + 16;
    const size_t groups = avail < reach ? 0 : std::min(n / 8, (avail - reach) / b + 1);
    UnpackGroupsAvx2(p, groups, b, out);
    p += groups * b;
    n -= groups * 8;
    out += groups * 8;
  }
#endif
  kUnpack[b](p, n, out);
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
    Unpack(in, static_cast<size_t>(end - in), n, b, out);
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
