// Analyzer: Portuguese text -> Tokens (ICU segmentation, NFKC + case folding, PostgreSQL's
// portuguese.stop stopwords, Snowball Portuguese stemming, accent folding).
//
// Tokenisation rules (engine/ARCHITECTURE.md, "Analysis", has the full story):
//  * Words are the segments of Unicode word segmentation (UAX #29, ICU's pt_BR rules) over the
//    original text that contain a letter or a digit. Letters and digits stick together
//    ("500ml", "4k", "mp3"), as do words joined by '.', '\'' or '’' between letters ("foo.com",
//    "d'água") and numbers with ',' or '.' between digits ("3,14", "1.000,50"). A hyphen always
//    separates: "x-tudo" is "x" then "tudo" at consecutive positions, so the phrase "x tudo"
//    matches it. '@' is a letter ("ana@loja.com" is one word); ':' and '/' separate ("http",
//    "loja.com", "promo" from a URL). Emoji, symbols, punctuation and control characters are
//    not words. Ill-formed UTF-8 is read as U+FFFD (a separator), never fatal.
//  * Each word's surface is NFKC + case-folded (ICU "nfkc_cf"): "PÃES" -> "pães", "ﬁm" -> "fim".
//  * Positions count every word, stopwords included. Words longer than kMaxWordBytes bytes
//    (base64 blobs, hashes) are skipped but still take a position.
//  * stem = Snowball Portuguese (libstemmer, same as PostgreSQL's portuguese_stem) of the surface,
//    except that words holding a digit ("500ml", "mp3s", "x200s") are not stemmed (stem =
//    surface), as PostgreSQL's 'portuguese' configuration does for its numword tokens;
//    term = Fold(stem) is the index term; folded_surface = Fold(surface) keys the surface
//    dictionary (see query_terms.h for how a query word uses both).
//
// Not thread-safe (it owns a Snowball stemmer, an ICU break iterator and a cache of analysed
// words): use one Analyzer per thread. Construction is cheap; reuse it across documents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analysis/token.h"

namespace busca::analysis {

// A token as views into the Analyzer's cache of analysed words: the same values as the Token
// Analyze() would append, without copying the strings. The views are valid only during the
// TokenSink::OnToken call that receives them.
struct TokenView {
  std::string_view surface;
  std::string_view stem;
  std::string_view term;
  std::string_view folded_surface;
  uint32_t position = 0;
  uint32_t start = 0;
  uint32_t end = 0;
  bool stopword = false;
  // Names the analysed word within this Analyzer (never reused by it): tokens with equal
  // non-zero ids have equal surface, stem, term and folded_surface (the converse need not hold:
  // "Pão" and "pão" are different words with the same analysis). 0 = unknown.
  uint64_t word_id = 0;
};

// Receives the tokens of Analyzer::Analyze(text, sink), in order.
class TokenSink {
 public:
  virtual ~TokenSink() = default;
  virtual void OnToken(const TokenView& token) = 0;
};

class Analyzer {
 public:
  // Words longer than this many bytes (in the original text) are not tokens.
  static constexpr size_t kMaxWordBytes = 256;

  Analyzer();
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Appends the tokens of `text` (UTF-8; invalid bytes are replaced, never fatal) to *out.
  // Positions start at `first_position`; byte offsets refer to `text`. Text beyond the first
  // 4 GiB - 1 bytes is ignored (offsets are 32-bit).
  void Analyze(std::string_view text, std::vector<Token>* out, uint32_t first_position = 0);

  // The same tokens as Analyze(text, out, first_position), handed to `sink` one at a time as
  // views (no string copies): the indexer aggregates them per document on the fly.
  void Analyze(std::string_view text, TokenSink& sink, uint32_t first_position = 0);

  // Analyses a single query word or any text and returns its tokens (convenience wrapper).
  std::vector<Token> Analyze(std::string_view text);

  // Snowball Portuguese stem of an already normalised (NFKC, case-folded) word. (Analyze does
  // not stem words holding a digit; this function stems whatever it is given.)
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
