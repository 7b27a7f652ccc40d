// The bp128 integer codec: round trips at every bit width and block length (through the scalar
// and the AVX2 unpackers), exact encoded sizes, and malformed input (bad width, short buffer)
// reported as nullptr, never read past `end`.
#include <gtest/gtest.h>

#include <random>

#include "engine/index/posting_codec.h"

namespace busca::index::codec {
namespace {

TEST(PostingCodecTest, RoundTripsEveryWidthAndLength) {
  std::mt19937_64 rng(3);
  for (uint32_t width = 0; width <= 32; ++width) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{63}, size_t{127}, size_t{128}}) {
      std::vector<uint32_t> in(n);
      for (auto& v : in) v = width == 0 ? 0 : static_cast<uint32_t>(rng() & ((uint64_t{1} << width) - 1));
      if (n > 0 && width > 0) in[rng() % n] = static_cast<uint32_t>((uint64_t{1} << width) - 1);  // max width
      std::string buf;
      EncodeBlock(in.data(), n, &buf);
      ASSERT_EQ(buf.size(), EncodedSize(in.data(), n));
      ASSERT_EQ(static_cast<uint8_t>(buf[0]), n == 0 ? 0 : BitWidth(*std::max_element(in.begin(), in.end())));
      ASSERT_EQ(buf.size(), 1 + (n * static_cast<uint8_t>(buf[0]) + 7) / 8);
      // Fast paths (slack after the block: 8 bytes lets some 8-value groups take the vector
      // path, where the CPU has one, and the last ones the scalar path; 64 lets all of them)
      // and the careful path (block at the very end).
      std::string padded = buf + std::string(8, '\x5a');
      std::string padded_wide = buf + std::string(64, '\x5a');
      for (const std::string* b : {&padded, &padded_wide, &buf}) {
        std::vector<uint32_t> out(n + 1, 0xdeadbeef);
        const uint8_t* begin = reinterpret_cast<const uint8_t*>(b->data());
        const uint8_t* end = begin + b->size();
        const uint8_t* next = DecodeBlock(begin, end, n, out.data());
        ASSERT_EQ(next, begin + buf.size()) << "width " << width << " n " << n;
        ASSERT_EQ(std::vector<uint32_t>(out.begin(), out.begin() + n), in);
        ASSERT_EQ(out[n], 0xdeadbeef) << "wrote past n";
        ASSERT_EQ(SkipBlock(begin, end, n), next);
      }
    }
  }
}

TEST(PostingCodecTest, MalformedInput) {
  std::vector<uint32_t> in(128, 5), out(128);
  std::string buf;
  EncodeBlock(in.data(), in.size(), &buf);
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(buf.data());
  EXPECT_EQ(DecodeBlock(begin, begin + buf.size() - 1, 128, out.data()), nullptr);  // short
  EXPECT_EQ(DecodeBlock(begin, begin, 128, out.data()), nullptr);                   // empty
  buf[0] = 33;                                                                      // width > 32
  EXPECT_EQ(DecodeBlock(begin, begin + buf.size(), 128, out.data()), nullptr);
  EXPECT_EQ(SkipBlock(begin, begin + buf.size(), 128), nullptr);
}

}  // namespace
}  // namespace busca::index::codec
