// Analyzer: Portuguese text -> Tokens (ICU segmentation, NFKC + case folding, PostgreSQL's
// portuguese.stop stopwords, Snowball Portuguese stemming, accent folding).
//
// Not thread-safe (it owns a Snowball stemmer and ICU break iterator): use one Analyzer per
// thread. Construction is cheap enough to do once per worker. Tokenisation rules (numbers,
// alphanumerics like 500ml, hyphenated words like x-tudo) are documented in
// engine/ARCHITECTURE.md and tested in tests/engine/analysis/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analysis/token.h"

namespace busca::analysis {

class Analyzer {
 public:
  Analyzer();
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Appends the tokens of `text` (UTF-8; invalid bytes are replaced, never fatal) to *out.
  // Positions start at `first_position`; byte offsets refer to `text`.
  void Analyze(std::string_view text, std::vector<Token>* out, uint32_t first_position = 0);

  // Snowball Portuguese stem of an already normalised (NFKC, case-folded) word.
  std::string Stem(std::string_view surface);

  // Removes diacritics (NFD, drop combining marks, recompose) and case-folds: "Açúcar" -> "acucar".
  static std::string Fold(std::string_view utf8);
  // NFKC + case folding, as applied to every token's surface form.
  static std::string Normalize(std::string_view utf8);
  // True for the words of PostgreSQL's portuguese.stop (normalised surface form).
  static bool IsStopword(std::string_view surface);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace busca::analysis
