// Implementation of analyzer.h.
//
// The hot path (indexing) is: segment (table-driven fast path, ICU for exotic text), then for
// each word look its raw bytes up in a bounded cache of analysed words; only a miss pays for
// normalisation, the stopword check, Snowball and folding. Real text repeats its words (Zipf),
// so most words are hits and cost one hash lookup plus the copies into the Token.
#include "engine/analysis/analyzer.h"

#include <libstemmer.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "engine/analysis/normalizer.h"
#include "engine/analysis/stopwords.h"
#include "engine/analysis/utf8.h"
#include "engine/analysis/word_segmenter.h"

namespace busca::analysis {
namespace {

// Bound on the cache of analysed words (cleared when full). ~64k distinct words cover the
// vocabulary of a typical catalogue; each entry costs ~200 bytes.
constexpr size_t kCacheMaxEntries = 1 << 16;

struct AnalysedWord {
  std::string surface;
  std::string stem;
  std::string term;
  std::string folded_surface;
  bool stopword = false;
  uint64_t id = 0;  // TokenView::word_id: (cache generation << 32) | (entry index + 1)
};

// Copies a cached word and its occurrence into a Token or a TokenView (same field names).
template <typename T>
void FillToken(const AnalysedWord& word, uint32_t position, const WordSpan& span, T* token) {
  token->surface = word.surface;
  token->stem = word.stem;
  token->term = word.term;
  token->folded_surface = word.folded_surface;
  token->position = position;
  token->start = span.start;
  token->end = span.end;
  token->stopword = word.stopword;
}

// A cheap hash for short keys (words are a few bytes): 8-byte chunks, multiply-xorshift mixing.
uint64_t HashWord(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xC2B2AE3D27D4EB4FULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = (h ^ chunk) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
  }
  if (i < s.size()) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, s.data() + i, s.size() - i);
    h = (h ^ chunk) * 0xFF51AFD7ED558CCDULL;
  }
  h ^= h >> 29;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 32;
  return h;
}

// The cache of analysed words: raw bytes -> AnalysedWord, open addressing with linear probing
// over a power-of-two slot array, entries in a vector. Cleared when it holds kCacheMaxEntries.
class WordCache {
 public:
  WordCache() : slots_(kSlots) { entries_.reserve(1024); }

  const AnalysedWord* Find(std::string_view raw, uint64_t hash) const {
    for (size_t i = hash & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
      const Slot& slot = slots_[i];
      if (slot.index_plus_one == 0) return nullptr;
      if (slot.hash_high == static_cast<uint32_t>(hash >> 32)) {
        const Entry& e = entries_[slot.index_plus_one - 1];
        if (e.key == raw) return &e.word;
      }
    }
  }

  // Prefetch helpers for a caller that knows the next words' hashes: first the slot a probe
  // starts at, a few words later (the slot is then in cache) the entry it will compare against.
  void PrefetchSlot(uint64_t hash) const { __builtin_prefetch(&slots_[hash & (kSlots - 1)]); }
  void PrefetchEntry(uint64_t hash) const {
    const Slot& slot = slots_[hash & (kSlots - 1)];
    if (slot.index_plus_one != 0 && slot.hash_high == static_cast<uint32_t>(hash >> 32)) {
      const char* entry = reinterpret_cast<const char*>(&entries_[slot.index_plus_one - 1]);
      __builtin_prefetch(entry);
      __builtin_prefetch(entry + 64);
      __builtin_prefetch(entry + 128);
    }
  }

  // REQUIRES: raw is not in the cache.
  const AnalysedWord& Insert(std::string_view raw, uint64_t hash, AnalysedWord word) {
    if (entries_.size() >= kCacheMaxEntries) {
      entries_.clear();
      std::fill(slots_.begin(), slots_.end(), Slot{});
      ++generation_;
    }
    word.id = (generation_ << 32) | (entries_.size() + 1);
    entries_.push_back(Entry{std::string(raw), std::move(word)});
    size_t i = hash & (kSlots - 1);
    while (slots_[i].index_plus_one != 0) i = (i + 1) & (kSlots - 1);
    slots_[i] = Slot{static_cast<uint32_t>(entries_.size()), static_cast<uint32_t>(hash >> 32)};
    return entries_.back().word;
  }

 private:
  static constexpr size_t kSlots = 2 * kCacheMaxEntries;  // load factor <= 1/2
  struct Slot {
    uint32_t index_plus_one = 0;  // 0: empty
    uint32_t hash_high = 0;
  };
  struct Entry {
    std::string key;
    AnalysedWord word;
  };
  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
  uint64_t generation_ = 0;  // clears so far: ids are never reused within an Analyzer
};

// True if `word` holds a decimal digit (any script). Such words are not stemmed, as in
// PostgreSQL's 'portuguese' configuration (numword and hword_numpart go to the simple
// dictionary): Snowball's suffix rules are for words, not for "500ml" or "intel2gas".
bool HasDigit(std::string_view word) {
  for (char c : word) {
    if (c >= '0' && c <= '9') return true;
  }
  if (utf8::IsAscii(word)) return false;
  size_t i = 0;
  while (i < word.size()) {
    if (u_isdigit(static_cast<UChar32>(utf8::Decode(word, &i)))) return true;
  }
  return false;
}

}  // namespace

struct Analyzer::Impl {
  Impl() : stemmer(sb_stemmer_new("portuguese", "UTF_8")) {
    if (stemmer == nullptr) {
      std::fprintf(stderr, "busca: libstemmer has no Portuguese UTF-8 stemmer\n");
      std::abort();  // a broken libstemmer install; nothing sensible to do
    }
  }
  ~Impl() { sb_stemmer_delete(stemmer); }

  // Stem of a normalised, valid UTF-8 word into *out.
  void StemTo(std::string_view surface, std::string* out) {
    const sb_symbol* s =
        sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(surface.data()),
                        static_cast<int>(surface.size()));
    if (s == nullptr) {  // out of memory inside libstemmer: keep the word unstemmed
      out->assign(surface);
      return;
    }
    out->assign(reinterpret_cast<const char*>(s), static_cast<size_t>(sb_stemmer_length(stemmer)));
  }

  const AnalysedWord& Lookup(std::string_view raw) { return Lookup(raw, HashWord(raw)); }
  // REQUIRES: hash == HashWord(raw).
  const AnalysedWord& Lookup(std::string_view raw, uint64_t hash) {
    if (const AnalysedWord* hit = cache.Find(raw, hash)) return *hit;
    AnalysedWord word;
    NormalizeWordTo(raw, &word.surface);
    word.stopword = IsPortugueseStopword(word.surface);
    if (HasDigit(word.surface)) {
      word.stem = word.surface;  // codes, models, units: "500ml", "mp3s", "x200s"
    } else {
      StemTo(word.surface, &word.stem);
    }
    FoldWordTo(word.stem, &word.term);
    FoldWordTo(word.surface, &word.folded_surface);
    return cache.Insert(raw, hash, std::move(word));
  }

  // Segments `text` and calls emit(word, position, span) for every token, in order. `word` is
  // valid until the next Lookup.
  template <typename Emit>
  void ForEachToken(std::string_view text, uint32_t first_position, Emit&& emit);

  sb_stemmer* stemmer;
  WordSegmenter segmenter;
  std::vector<WordSpan> spans;
  std::vector<uint64_t> hashes;  // HashWord of each span
  WordCache cache;
};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

template <typename Emit>
void Analyzer::Impl::ForEachToken(std::string_view text, uint32_t first_position, Emit&& emit) {
  constexpr size_t kMaxText = std::numeric_limits<uint32_t>::max() - 1;
  if (text.size() > kMaxText) text = text.substr(0, kMaxText);
  segmenter.Segment(text, &spans);
  // The cache lookups are memory-bound: hash every word first, then prefetch the cache slot
  // kSlotAhead words ahead and the entry it points to kEntryAhead words ahead.
  constexpr size_t kSlotAhead = 8, kEntryAhead = 4;
  const size_t n = spans.size();
  hashes.resize(n);
  for (size_t i = 0; i < n; ++i) hashes[i] = HashWord(text.substr(spans[i].start, spans[i].end - spans[i].start));
  for (size_t i = 0; i < std::min(n, kSlotAhead); ++i) cache.PrefetchSlot(hashes[i]);
  uint32_t position = first_position;
  for (size_t i = 0; i < n; ++i) {
    if (i + kSlotAhead < n) cache.PrefetchSlot(hashes[i + kSlotAhead]);
    if (i + kEntryAhead < n) cache.PrefetchEntry(hashes[i + kEntryAhead]);
    const WordSpan& span = spans[i];
    const uint32_t this_position = position++;
    if (span.end - span.start > kMaxWordBytes) continue;
    emit(Lookup(text.substr(span.start, span.end - span.start), hashes[i]), this_position, span);
  }
}

void Analyzer::Analyze(std::string_view text, std::vector<Token>* out, uint32_t first_position) {
  bool reserved = false;
  impl_->ForEachToken(text, first_position,
                      [&](const AnalysedWord& word, uint32_t position, const WordSpan& span) {
                        if (!reserved) {
                          out->reserve(out->size() + impl_->spans.size());
                          reserved = true;
                        }
                        FillToken(word, position, span, &out->emplace_back());
                      });
}

void Analyzer::Analyze(std::string_view text, TokenSink& sink, uint32_t first_position) {
  impl_->ForEachToken(text, first_position,
                      [&](const AnalysedWord& word, uint32_t position, const WordSpan& span) {
                        TokenView token;
                        token.word_id = word.id;
                        FillToken(word, position, span, &token);
                        sink.OnToken(token);
                      });
}

std::vector<Token> Analyzer::Analyze(std::string_view text) {
  std::vector<Token> tokens;
  Analyze(text, &tokens);
  return tokens;
}

std::string Analyzer::Stem(std::string_view surface) {
  std::string out;
  if (utf8::IsValid(surface)) {
    impl_->StemTo(surface, &out);
  } else {
    impl_->StemTo(utf8::Sanitize(surface), &out);
  }
  return out;
}

std::string Analyzer::Fold(std::string_view utf8) { return FoldWord(utf8); }

std::string Analyzer::Normalize(std::string_view utf8) { return NormalizeWord(utf8); }

bool Analyzer::IsStopword(std::string_view surface) { return IsPortugueseStopword(surface); }

}  // namespace busca::analysis
