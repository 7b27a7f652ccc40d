// WordSegmenter: splits UTF-8 text into words following Unicode word boundaries (UAX #29) as
// implemented by ICU's BreakIterator for pt_BR, and keeps the segments that contain a letter or
// a digit (spaces, punctuation, symbols and emoji are not words).
//
// Two paths give identical results (tests/engine/analysis/word_segmenter_test.cc checks this on
// random text): a table-driven fast path for text made only of code points below U+0370 and
// General Punctuation (U+2000-206F) -- ASCII, Latin-1, Latin Extended, IPA, combining
// diacritics, typographic quotes and dashes, i.e. nearly all Portuguese text -- and ICU's
// BreakIterator over a UTF-8 UText for everything else (emoji, CJK, Thai, ...). Ill-formed
// UTF-8 counts as U+FFFD (a separator). Not thread-safe: one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace busca::analysis {

// A word: bytes [start, end) of the segmented text.
struct WordSpan {
  uint32_t start = 0;
  uint32_t end = 0;
  friend bool operator==(const WordSpan&, const WordSpan&) = default;
};

class WordSegmenter {
 public:
  enum class Path { kAuto, kIcuOnly };

  WordSegmenter();
  ~WordSegmenter();
  WordSegmenter(const WordSegmenter&) = delete;
  WordSegmenter& operator=(const WordSegmenter&) = delete;

  // Replaces *out with the words of `text`, in order.
  // REQUIRES: text.size() < 2^32.
  void Segment(std::string_view text, std::vector<WordSpan>* out, Path path = Path::kAuto);

  // How many Segment calls went through ICU (statistics for benchmarks and tests).
  uint64_t icu_calls() const { return icu_calls_; }

 private:
  struct Unit;
  bool SegmentFast(std::string_view text, std::vector<WordSpan>* out);
  void SegmentIcu(std::string_view text, std::vector<WordSpan>* out);

  struct IcuState;
  std::unique_ptr<IcuState> icu_;  // created on first use
  std::vector<Unit> units_;        // scratch, reused across calls
  uint64_t icu_calls_ = 0;
};

}  // namespace busca::analysis
