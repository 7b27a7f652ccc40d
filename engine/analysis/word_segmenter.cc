// Implementation of word_segmenter.h.
//
// The fast path implements the UAX #29 word-boundary rules that can fire between code points of
// its table (WB3a/3b, WB4, WB5-WB13b), with ICU's tailoring (the colon is not a MidLetter, '@' is
// a letter). Any code point outside the table, or one whose word-break class brings rules the
// fast path does not implement (Hebrew letters, Katakana, regional indicators, emoji), sends the
// whole text to ICU.
#include "engine/analysis/word_segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "engine/analysis/utf8.h"

namespace busca::analysis {
namespace {

enum Cls : uint8_t {
  kOther = 0,
  kALetter,
  kNumeric,
  kMidLetter,
  kMidNum,
  kMidNumLet,  // MidNumLet and Single_Quote (they behave alike outside Hebrew)
  kExtendNumLet,
  kExtend,   // Extend, Format, ZWJ: attach to the preceding code point (WB4)
  kNewline,  // CR, LF, Newline (WB3a/3b: always break around them)
  kUnsupported,
};

struct Entry {
  uint8_t cls = kUnsupported;
  bool alnum = false;
};

constexpr char32_t kLowEnd = 0x370;
constexpr char32_t kPunctBegin = 0x2000;
constexpr char32_t kPunctEnd = 0x2070;

Entry Classify(char32_t c) {
  Entry e;
  e.alnum = u_isalnum(static_cast<UChar32>(c));
  if (u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EXTENDED_PICTOGRAPHIC)) {
    e.cls = kUnsupported;
    return e;
  }
  if (c == '@') {  // ICU tailoring: '@' is ALetter (keeps e-mail addresses together)
    e.cls = kALetter;
    return e;
  }
  switch (u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_WORD_BREAK)) {
    case U_WB_OTHER:
    case U_WB_WSEGSPACE:
    case U_WB_DOUBLE_QUOTE:  // only special next to Hebrew letters, which are unsupported
      e.cls = kOther;
      break;
    case U_WB_ALETTER:
      e.cls = kALetter;
      break;
    case U_WB_NUMERIC:
      e.cls = kNumeric;
      break;
    case U_WB_MIDLETTER:
      // ICU tailoring: the colon (and its compatibility forms) is not a MidLetter.
      e.cls = (c == ':') ? kOther : kMidLetter;
      break;
    case U_WB_MIDNUM:
      e.cls = kMidNum;
      break;
    case U_WB_MIDNUMLET:
    case U_WB_SINGLE_QUOTE:
      e.cls = kMidNumLet;
      break;
    case U_WB_EXTENDNUMLET:
      e.cls = kExtendNumLet;
      break;
    case U_WB_EXTEND:
    case U_WB_FORMAT:
    case U_WB_ZWJ:
      e.cls = kExtend;
      break;
    case U_WB_CR:
    case U_WB_LF:
    case U_WB_NEWLINE:
      e.cls = kNewline;
      break;
    default:
      e.cls = kUnsupported;
      break;
  }
  return e;
}

struct ClassTable {
  ClassTable() {
    for (char32_t c = 0; c < kLowEnd; ++c) low[c] = Classify(c);
    for (char32_t c = kPunctBegin; c < kPunctEnd; ++c) punct[c - kPunctBegin] = Classify(c);
    replacement = Classify(utf8::kReplacement);
  }
  std::array<Entry, kLowEnd> low;
  std::array<Entry, kPunctEnd - kPunctBegin> punct;
  Entry replacement;
};

const ClassTable& Table() {
  static const ClassTable* table = new ClassTable();  // never destroyed: safe at exit
  return *table;
}

}  // namespace

struct WordSegmenter::Unit {
  uint8_t cls;
  bool alnum;
  uint32_t start;
  uint32_t end;
};

struct WordSegmenter::IcuState {
  IcuState() {
    UErrorCode status = U_ZERO_ERROR;
    iterator.reset(icu::BreakIterator::createWordInstance(icu::Locale("pt", "BR"), status));
    if (U_FAILURE(status) || iterator == nullptr) {
      std::fprintf(stderr, "busca: ICU word break iterator unavailable: %s\n", u_errorName(status));
      std::abort();  // ICU data is linked in; this cannot happen in a sane build
    }
  }
  ~IcuState() {
    if (text != nullptr) utext_close(text);
  }
  std::unique_ptr<icu::BreakIterator> iterator;
  UText* text = nullptr;
};

WordSegmenter::WordSegmenter() = default;
WordSegmenter::~WordSegmenter() = default;

void WordSegmenter::Segment(std::string_view text, std::vector<WordSpan>* out, Path path) {
  out->clear();
  if (text.empty()) return;
  if (path == Path::kAuto && SegmentFast(text, out)) return;
  out->clear();
  SegmentIcu(text, out);
}

bool WordSegmenter::SegmentFast(std::string_view text, std::vector<WordSpan>* out) {
  const ClassTable& table = Table();
  units_.clear();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const uint32_t start = static_cast<uint32_t>(i);
    Entry e;
    if (bytes[i] < 0x80) {
      e = table.low[bytes[i]];
      ++i;
    } else {
      const char32_t c = utf8::Decode(text, &i);
      if (c < kLowEnd) {
        e = table.low[c];
      } else if (c >= kPunctBegin && c < kPunctEnd) {
        e = table.punct[c - kPunctBegin];
      } else if (c == utf8::kReplacement) {
        e = table.replacement;
      } else {
        return false;
      }
    }
    if (e.cls == kUnsupported) return false;
    // WB4: Extend/Format/ZWJ attach to the preceding unit unless it is a line break.
    if (e.cls == kExtend && !units_.empty() && units_.back().cls != kNewline) {
      units_.back().end = static_cast<uint32_t>(i);
      continue;
    }
    // Runs of letters (WB5) or of digits (WB8) never break inside, and the rules at their edges
    // only look at the class of the neighbouring code point, which is the same all along the
    // run: one unit per run keeps the second pass short.
    if ((e.cls == kALetter || e.cls == kNumeric) && !units_.empty() && units_.back().cls == e.cls) {
      Unit& run = units_.back();
      run.alnum = run.alnum || e.alnum;
      // ASCII letters or digits that follow extend the run without a table round trip.
      while (i < n && bytes[i] < 0x80 && table.low[bytes[i]].cls == e.cls) {
        run.alnum = run.alnum || table.low[bytes[i]].alnum;
        ++i;
      }
      run.end = static_cast<uint32_t>(i);
      continue;
    }
    units_.push_back(Unit{e.cls, e.alnum, start, static_cast<uint32_t>(i)});
  }

  const size_t m = units_.size();
  auto cls_at = [&](size_t k) -> uint8_t {
    return k < m ? units_[k].cls : static_cast<uint8_t>(kOther);
  };
  auto is_mid_letter = [](uint8_t c) { return c == kMidLetter || c == kMidNumLet; };
  auto is_mid_num = [](uint8_t c) { return c == kMidNum || c == kMidNumLet; };

  size_t seg_begin = 0;
  bool seg_alnum = units_.empty() ? false : units_[0].alnum;
  for (size_t k = 1; k <= m; ++k) {
    bool joined = false;
    if (k < m) {
      const uint8_t a = units_[k - 1].cls;
      const uint8_t b = units_[k].cls;
      const uint8_t before_a = k >= 2 ? units_[k - 2].cls : static_cast<uint8_t>(kOther);
      if (a == kALetter && b == kALetter) {
        joined = true;  // WB5
      } else if (a == kALetter && is_mid_letter(b) && cls_at(k + 1) == kALetter) {
        joined = true;  // WB6
      } else if (before_a == kALetter && is_mid_letter(a) && b == kALetter) {
        joined = true;  // WB7
      } else if ((a == kNumeric || a == kALetter) && (b == kNumeric || b == kALetter) &&
                 (a == kNumeric || b == kNumeric)) {
        joined = true;  // WB8, WB9, WB10
      } else if (before_a == kNumeric && is_mid_num(a) && b == kNumeric) {
        joined = true;  // WB11
      } else if (a == kNumeric && is_mid_num(b) && cls_at(k + 1) == kNumeric) {
        joined = true;  // WB12
      } else if ((a == kALetter || a == kNumeric || a == kExtendNumLet) && b == kExtendNumLet) {
        joined = true;  // WB13a
      } else if (a == kExtendNumLet && (b == kALetter || b == kNumeric)) {
        joined = true;  // WB13b
      }
    }
    if (joined) {
      seg_alnum = seg_alnum || units_[k].alnum;
      continue;
    }
    if (seg_alnum) out->push_back(WordSpan{units_[seg_begin].start, units_[k - 1].end});
    if (k < m) {
      seg_begin = k;
      seg_alnum = units_[k].alnum;
    }
  }
  return true;
}

void WordSegmenter::SegmentIcu(std::string_view text, std::vector<WordSpan>* out) {
  ++icu_calls_;
  if (icu_ == nullptr) icu_ = std::make_unique<IcuState>();
  UErrorCode status = U_ZERO_ERROR;
  icu_->text = utext_openUTF8(icu_->text, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) return;
  icu_->iterator->setText(icu_->text, status);
  if (U_FAILURE(status)) return;
  icu::BreakIterator& it = *icu_->iterator;
  int32_t start = it.first();
  for (int32_t end = it.next(); end != icu::BreakIterator::DONE; start = end, end = it.next()) {
    // A word is a segment holding a letter or digit; ICU's rule status alone is not used
    // because it differs for segments like "___" (status LETTER) that are not words.
    size_t i = static_cast<size_t>(start);
    bool alnum = false;
    while (i < static_cast<size_t>(end)) {
      const char32_t c = utf8::Decode(text, &i);
      if (u_isalnum(static_cast<UChar32>(c))) {
        alnum = true;
        break;
      }
    }
    if (alnum) out->push_back(WordSpan{static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
  }
}

}  // namespace busca::analysis
