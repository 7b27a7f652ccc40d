// Unicode normalisation of words: NFKC + case folding (the surface form of a token) and accent
// folding (the accent-insensitive key). Pure functions over UTF-8, thread-safe; ill-formed UTF-8
// is replaced by U+FFFD, never fatal.
//
// Both have an allocation-light fast path: ASCII is lower-cased byte by byte, and folding of
// code points below U+0370 (Latin, IPA, combining diacritics) uses a table computed from ICU at
// first use, so it agrees with the ICU path by construction (checked in normalizer_test).
#pragma once

#include <string>
#include <string_view>

namespace busca::analysis {

// NFKC + Unicode case folding (ICU's "nfkc_cf"): "Pão" -> "pão", "ＰＡＯ" -> "pao", "ﬁ" -> "fi".
std::string NormalizeWord(std::string_view utf8);
void NormalizeWordTo(std::string_view utf8, std::string* out);  // replaces *out

// NormalizeWord, then removes diacritics: decomposes (NFD), drops combining diacritical marks
// (blocks U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) and recomposes (NFC).
// "Açúcar" -> "acucar", "PÃES" -> "paes". Other scripts keep their own marks (Devanagari vowel
// signs are letters, not accents). Letters without a decomposition stay: "ø", "æ", "ł".
std::string FoldWord(std::string_view utf8);
void FoldWordTo(std::string_view utf8, std::string* out);  // replaces *out

// Reference implementations that always go through ICU (used by tests to check the fast paths).
std::string NormalizeWordIcu(std::string_view utf8);
std::string FoldWordIcu(std::string_view utf8);

}  // namespace busca::analysis
