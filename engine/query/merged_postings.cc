#include "engine/query/merged_postings.h"

#include <algorithm>
#include <array>
#include <bit>
#include <mutex>
#include <type_traits>

namespace busca::query {

using index::DocId;
using index::kNoMoreDocs;
using index::kPostingBlockSize;

// Docs per window of the materialization: its tf accumulator (kWindowDocs * text fields * 4
// bytes) and bitmap stay in the cache.
constexpr uint32_t kWindowDocs = 1u << 14;
// A union whose lists' lengths sum to at least 1/kDenseUnionFraction of the segment's docs is
// accumulated as dense.
constexpr uint64_t kDenseUnionFraction = 4;

namespace {

// Process-wide free lists of buffers, bounded in total bytes: a fresh multi-megabyte allocation
// per search would cost a page fault per 4 KiB, and per-thread caches would grow with the number
// of server threads. Each buffer keeps its size; a buffer that does not fit is freed.
constexpr size_t kMaxPooledBytes = size_t{64} << 20;

struct Pool {
  std::mutex mu;
  size_t bytes = 0;
  std::vector<std::vector<uint32_t>> u32;
  std::vector<std::vector<uint64_t>> u64;
  std::vector<std::vector<double>> f64;
};

Pool& ThePool() {
  static Pool* pool = new Pool();  // never destroyed: used until the process ends
  return *pool;
}

template <typename T>
std::vector<std::vector<T>>& FreeList(Pool& p) {
  if constexpr (std::is_same_v<T, uint32_t>) return p.u32;
  if constexpr (std::is_same_v<T, uint64_t>) return p.u64;
  if constexpr (std::is_same_v<T, double>) return p.f64;
}

// A buffer of at least `min_size` elements; its content is unspecified.
template <typename T>
std::vector<T> TakeBuffer(size_t min_size) {
  std::vector<T> buffer;
  {
    Pool& p = ThePool();
    std::lock_guard<std::mutex> lock(p.mu);
    auto& free = FreeList<T>(p);
    // The smallest pooled buffer that is large enough, else the largest one (to be grown).
    size_t best = free.size();
    for (size_t i = 0; i < free.size(); ++i) {
      const bool fits = free[i].size() >= min_size;
      if (best == free.size() || (fits && (free[best].size() < min_size || free[i].size() < free[best].size())) ||
          (!fits && free[best].size() < min_size && free[i].size() > free[best].size())) {
        best = i;
      }
    }
    if (best < free.size()) {
      buffer = std::move(free[best]);
      free.erase(free.begin() + static_cast<std::ptrdiff_t>(best));
      p.bytes -= buffer.size() * sizeof(T);
    }
  }
  if (buffer.size() < min_size) buffer.resize(min_size);
  return buffer;
}

template <typename T>
void ReturnBuffer(std::vector<T>&& buffer) {
  const size_t bytes = buffer.size() * sizeof(T);
  Pool& p = ThePool();
  std::lock_guard<std::mutex> lock(p.mu);
  if (bytes == 0 || p.bytes + bytes > kMaxPooledBytes) return;  // freed on return
  p.bytes += bytes;
  FreeList<T>(p).push_back(std::move(buffer));
}

}  // namespace

MergedPostings::MergedPostings(std::vector<index::PostingCursor>& cursors, const index::SegmentReader& segment,
                               const FieldScoring& scoring) {
  const std::vector<size_t>& text_fields = segment.text_fields();
  const uint32_t T = static_cast<uint32_t>(text_fields.size());
  const DocId max_doc = segment.max_doc();
  uint64_t most = 0;  // the union's size is at most the lists' summed lengths
  for (const index::PostingCursor& c : cursors) most += c.doc_freq();
  most = std::min<uint64_t>(most, max_doc);
  docs_ = TakeBuffer<uint32_t>(most);
  tf_tilde_ = TakeBuffer<double>(most);
  chunk_tf_tilde_.reserve((most + kPostingBlockSize - 1) / kPostingBlockSize);
  // One window of docs at a time: the tf accumulator and the bitmap of the docs seen stay in the
  // cache while every cursor adds its postings of the window. Only entries of seen docs are read,
  // so a sparse union never clears the accumulator (a dense one zeroes each window: see below).
  std::vector<uint64_t> seen = TakeBuffer<uint64_t>(kWindowDocs / 64);
  std::vector<uint32_t> acc = TakeBuffer<uint32_t>(size_t{kWindowDocs} * T);
  size_t n = 0;
  // The union likely covers a good part of each window (see the window loop).
  const bool dense = most * kDenseUnionFraction >= max_doc;
  // The window loops with the number of text slots a constant (title + body: 2) or not (kT = 0).
  auto windows = [&](auto slots) {
    constexpr uint32_t kT = decltype(slots)::value;
    const uint32_t t = kT != 0 ? kT : T;
    // Per slot, in local arrays: the loops' stores could alias the containers' elements, which
    // would then be reloaded for every doc.
    constexpr size_t kSlots = kT != 0 ? kT : index::kMaxTextFields;
    std::array<const uint32_t*, kSlots> block_tfs{};
    struct SlotScoring {
      double weight;
      const double* inv_norm;  // FieldScoring::kTableSize entries
      double avg_length;
      index::SegmentReader::LengthView lengths;
    };
    std::array<SlotScoring, kSlots> slot{};
    for (uint32_t s = 0; s < t; ++s) {
      const size_t f = text_fields[s];
      slot[s] = {scoring.weights[f], scoring.inv_norm[f].data(), scoring.avg_length[f], segment.LengthsOfSlot(s)};
    }
    // The running chunk's bound, stored when it is full (and after the last window).
    double chunk_max = 0;
    auto close_chunk = [&] {
      chunk_tf_tilde_.push_back(chunk_max);
      chunk_max = 0;
    };
    DocId* out_docs = docs_.data();
    double* out_tf_tilde = tf_tilde_.data();
    while (true) {
      // The window starts at the first doc any cursor is on (a doc past max_doc is a malformed
      // list's rest: never read).
      DocId from = kNoMoreDocs;
      for (const index::PostingCursor& c : cursors) from = std::min(from, c.doc());
      if (from >= max_doc) break;
      const DocId to = static_cast<DocId>(std::min<uint64_t>(uint64_t{from} + kWindowDocs, max_doc));
      const size_t words = (size_t{to - from} + 63) / 64;
      std::fill(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(words), 0);
      // A dense union zeroes the window's accumulator and adds without testing the bitmap (a
      // test that mispredicts where the lists overlap); a sparse one tests it and zeroes nothing.
      if (dense) std::fill(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(size_t{to - from} * t), 0);
      // A block at a time from the cursors' decoded arrays (no per-doc call).
      for (index::PostingCursor& c : cursors) {
        while (c.doc() < to) {
          const DocId* docs = c.BlockDocs();
          const uint32_t size = c.BlockSize();
          for (uint32_t s = 0; s < t; ++s) block_tfs[s] = c.BlockTfsBySlot(s);
          uint32_t i = c.IndexInBlock();
          if (dense) {  // the window's accumulator is zeroed
            for (; i < size && docs[i] < to; ++i) {
              const uint32_t r = docs[i] - from;
              seen[r >> 6] |= uint64_t{1} << (r & 63);
              uint32_t* tf = acc.data() + size_t{r} * t;
              for (uint32_t s = 0; s < t; ++s) tf[s] += block_tfs[s][i];
            }
          } else {  // a doc's first list sets its tfs
            for (; i < size && docs[i] < to; ++i) {
              const uint32_t r = docs[i] - from;
              uint64_t& word = seen[r >> 6];
              const uint64_t bit = uint64_t{1} << (r & 63);
              uint32_t* tf = acc.data() + size_t{r} * t;
              if ((word & bit) == 0) {
                word |= bit;
                for (uint32_t s = 0; s < t; ++s) tf[s] = block_tfs[s][i];
              } else {
                for (uint32_t s = 0; s < t; ++s) tf[s] += block_tfs[s][i];
              }
            }
          }
          if (i < size) {  // the rest of the block lies past the window
            c.NextGeq(docs[i]);
            break;
          }
          c.NextGeq(docs[size - 1] + 1);  // the next block, or the end
        }
      }
      // The window's docs in order: their tf~ (summed in slot order exactly as SegmentMatcher
      // scores) and the chunk bounds.
      const uint32_t* window_tfs = acc.data();
      for (size_t w = 0; w < words; ++w) {
        for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
          const uint32_t r = static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
          const DocId d = from + r;
          // No test for tf == 0 (it mispredicts): adding the +0.0 of an absent field leaves the
          // sum's bits as they are.
          double tf_tilde = 0;
          for (uint32_t s = 0; s < t; ++s) {
            const uint32_t tf = window_tfs[size_t{r} * t + s];
            const SlotScoring& ss = slot[s];
            const uint32_t len = ss.lengths.At(d);
            tf_tilde += ss.weight * tf * FieldScoring::InvNormFrom(ss.inv_norm, ss.avg_length, len);
          }
          out_docs[n] = d;
          out_tf_tilde[n] = tf_tilde;
          chunk_max = std::max(chunk_max, tf_tilde);
          if (++n % kPostingBlockSize == 0) close_chunk();
        }
      }
    }
    if (n % kPostingBlockSize != 0) close_chunk();
  };
  if (T == 2) {
    windows(std::integral_constant<uint32_t, 2>());
  } else {
    windows(std::integral_constant<uint32_t, 0>());
  }
  size_ = n;
  ReturnBuffer(std::move(seen));
  ReturnBuffer(std::move(acc));
}

MergedPostings::~MergedPostings() {
  ReturnBuffer(std::move(docs_));
  ReturnBuffer(std::move(tf_tilde_));
}

DocId MergedPostings::NextGeq(DocId target) {
  if (pos_ >= size_ || docs_[pos_] >= target) return doc();
  // Gallop, then binary search.
  size_t step = 1, lo = pos_, hi = pos_ + 1;
  while (hi < size_ && docs_[hi] < target) {
    lo = hi;
    step *= 2;
    hi = std::min(size_, hi + step);
  }
  pos_ = static_cast<size_t>(std::lower_bound(docs_.begin() + static_cast<std::ptrdiff_t>(lo),
                                              docs_.begin() + static_cast<std::ptrdiff_t>(hi), target) -
                             docs_.begin());
  return doc();
}

DocId MergedPostings::SkipTfTildeBelow(double cut, DocId until, uint64_t* passed) {
  size_t i = pos_;
  while (i < size_ && tf_tilde_[i] < cut && docs_[i] <= until) ++i;
  *passed += i - pos_;
  pos_ = i;
  return doc();
}

void MergedPostings::ShallowAdvance(DocId target) {
  size_t chunk = std::max(window_, pos_ / kPostingBlockSize);
  const size_t chunks = chunk_tf_tilde_.size();
  while (chunk < chunks && docs_[std::min(size_, (chunk + 1) * kPostingBlockSize) - 1] < target) ++chunk;
  window_ = chunk;
}

DocId MergedPostings::BlockLastDoc() const {
  if (window_ >= chunk_tf_tilde_.size()) return kNoMoreDocs;
  return docs_[std::min(size_, (window_ + 1) * kPostingBlockSize) - 1];
}

}  // namespace busca::query
