// Small UTF-8 helpers shared by the analysis code: validation, decoding with a replacement
// character for ill-formed input, and encoding. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace busca::analysis::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point starting at text[*pos] and advances *pos past it. Ill-formed input
// (a stray continuation byte, a truncated or overlong sequence, a surrogate, > U+10FFFF) yields
// kReplacement for one maximal ill-formed subpart, as ICU and the WHATWG decoder do.
// REQUIRES: *pos < text.size().
inline char32_t Decode(std::string_view text, size_t* pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = *pos;
  const unsigned char b0 = s[i];
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    *pos = i + 1;
    return kReplacement;
  }
  ++i;
  for (int k = 1; k < len; ++k, ++i) {
    if (i >= n) {
      *pos = i;
      return kReplacement;
    }
    const unsigned char b = s[i];
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      *pos = i;  // the offending byte starts the next sequence
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  *pos = i;
  return cp;
}

inline void Append(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline bool IsAscii(std::string_view text) {
  // Eight bytes at a time: any byte with its top bit set makes the text non-ASCII.
  size_t i = 0;
  uint64_t acc = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    __builtin_memcpy(&word, text.data() + i, 8);
    acc |= word;
  }
  for (; i < text.size(); ++i) acc |= static_cast<unsigned char>(text[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// True if `text` is well-formed UTF-8.
inline bool IsValid(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t before = i;
    const char32_t cp = Decode(text, &i);
    if (cp == kReplacement &&
        text.substr(before, i - before) != std::string_view("\xEF\xBF\xBD", 3)) {
      return false;
    }
  }
  return true;
}

// Returns `text` with every ill-formed subpart replaced by U+FFFD.
inline std::string Sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t before = i;
    const char32_t cp = Decode(text, &i);
    if (cp == kReplacement) {
      Append(cp, &out);
    } else {
      out.append(text.data() + before, i - before);
    }
  }
  return out;
}

}  // namespace busca::analysis::utf8
