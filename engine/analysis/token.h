// Token: one word of analysed text, as produced by analysis::Analyzer.
//
// The index term of a word is `term` = fold(stem(surface)); the surface dictionary of a segment
// maps `folded_surface` = fold(surface) to the terms its spellings produced, which is how an
// unaccented query reaches accented documents without splitting Snowball stem classes
// (see engine/ARCHITECTURE.md, "Accent-insensitive matching").
#pragma once

#include <cstdint>
#include <string>

namespace busca::analysis {

struct Token {
  std::string surface;         // NFKC + case-folded word as written: "pães"
  std::string stem;            // Snowball Portuguese stem of `surface`, before folding: "pã"
  std::string term;            // index term: fold(stem): "pa"
  std::string folded_surface;  // fold(surface): "paes" (surface dictionary key)
  uint32_t position = 0;       // 0-based word position; stopwords count
  uint32_t start = 0;          // byte offset of the word in the original (un-normalised) text
  uint32_t end = 0;            // one past the last byte
  bool stopword = false;       // in PostgreSQL's portuguese.stop
};

}  // namespace busca::analysis
