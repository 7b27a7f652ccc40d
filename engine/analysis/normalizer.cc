// Implementation of normalizer.h. ICU's Normalizer2 instances are process-wide singletons owned
// by ICU; the fold table is built once (thread-safe static initialisation) and never freed.
#include "engine/analysis/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "engine/analysis/utf8.h"

namespace busca::analysis {
namespace {

const icu::Normalizer2& Nfkc_Cf() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* instance = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || instance == nullptr) {
      std::fprintf(stderr, "busca: ICU nfkc_cf normaliser unavailable: %s\n", u_errorName(status));
      std::abort();  // the ICU data library is linked in; this cannot happen in a sane build
    }
    return instance;
  }();
  return *n;
}

const icu::Normalizer2& Nfd() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* instance = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status) || instance == nullptr) std::abort();
    return instance;
  }();
  return *n;
}

const icu::Normalizer2& Nfc() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* instance = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || instance == nullptr) std::abort();
    return instance;
  }();
  return *n;
}

bool IsDiacriticMark(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

void IcuNormalize(const icu::Normalizer2& n, std::string_view valid_utf8, std::string* out) {
  out->clear();
  icu::StringByteSink<std::string> sink(out);
  UErrorCode status = U_ZERO_ERROR;
  n.normalizeUTF8(0, icu::StringPiece(valid_utf8.data(), static_cast<int32_t>(valid_utf8.size())),
                  sink, nullptr, status);
  if (U_FAILURE(status)) out->assign(valid_utf8);  // cannot happen for valid UTF-8
}

// Strips diacritics from an already nfkc_cf-normalised, valid UTF-8 string through ICU.
void IcuStripDiacritics(std::string_view normalized, std::string* out) {
  std::string nfd;
  IcuNormalize(Nfd(), normalized, &nfd);
  std::string stripped;
  stripped.reserve(nfd.size());
  size_t i = 0;
  while (i < nfd.size()) {
    const size_t before = i;
    const char32_t c = utf8::Decode(nfd, &i);
    if (!IsDiacriticMark(c)) stripped.append(nfd, before, i - before);
  }
  IcuNormalize(Nfc(), stripped, out);
}

// Fold of each code point below kFoldTableSize, as UTF-8 (computed with the ICU path).
constexpr char32_t kFoldTableSize = 0x370;

struct FoldTable {
  FoldTable() {
    for (char32_t c = 0x80; c < kFoldTableSize; ++c) {
      std::string one;
      utf8::Append(c, &one);
      std::string normalized;
      IcuNormalize(Nfkc_Cf(), one, &normalized);
      if (normalized != one) {
        // Not nfkc_cf-stable on its own (upper case, compatibility char): never reaches the table
        // lookup because FoldWord normalises first; mark it so a bug would show in tests.
        entries[c] = std::string();
        stable[c] = false;
        continue;
      }
      stable[c] = true;
      IcuStripDiacritics(one, &entries[c]);
    }
  }
  std::array<std::string, kFoldTableSize> entries;
  std::array<bool, kFoldTableSize> stable{};
};

const FoldTable& Table() {
  static const FoldTable* table = new FoldTable();  // never destroyed: safe at exit
  return *table;
}

void AsciiLower(std::string_view ascii, std::string* out) {
  out->resize(ascii.size());
  char* dst = out->data();
  for (size_t i = 0; i < ascii.size(); ++i) {
    const char c = ascii[i];
    dst[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
  }
}

}  // namespace

void NormalizeWordTo(std::string_view text, std::string* out) {
  if (utf8::IsAscii(text)) {
    AsciiLower(text, out);
    return;
  }
  if (!utf8::IsValid(text)) {
    const std::string clean = utf8::Sanitize(text);
    IcuNormalize(Nfkc_Cf(), clean, out);
    return;
  }
  IcuNormalize(Nfkc_Cf(), text, out);
}

std::string NormalizeWord(std::string_view text) {
  std::string out;
  NormalizeWordTo(text, &out);
  return out;
}

void FoldWordTo(std::string_view text, std::string* out) {
  std::string normalized;
  NormalizeWordTo(text, &normalized);
  if (utf8::IsAscii(normalized)) {
    *out = std::move(normalized);
    return;
  }
  const FoldTable& table = Table();
  out->clear();
  out->reserve(normalized.size());
  size_t i = 0;
  while (i < normalized.size()) {
    const char32_t c = utf8::Decode(normalized, &i);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < kFoldTableSize && table.stable[c]) {
      out->append(table.entries[c]);
    } else {
      // Outside the table (other scripts, Latin Extended Additional, ...): whole word via ICU.
      IcuStripDiacritics(normalized, out);
      return;
    }
  }
}

std::string FoldWord(std::string_view text) {
  std::string out;
  FoldWordTo(text, &out);
  return out;
}

std::string NormalizeWordIcu(std::string_view text) {
  std::string out;
  IcuNormalize(Nfkc_Cf(), utf8::Sanitize(text), &out);
  return out;
}

std::string FoldWordIcu(std::string_view text) {
  std::string out;
  IcuStripDiacritics(NormalizeWordIcu(text), &out);
  return out;
}

}  // namespace busca::analysis
