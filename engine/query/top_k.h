// TopK: keeps the best k candidates of a search under a total order (internal to engine/query).
//
// Candidates are (collection, segment, doc) with a score and, for field sorts, a sort key. The
// order is: sort key (when sorting by a field; NULL last), then score descending, then collection
// name, then index order (segment, then doc id: the order documents were added to the
// generation) — total and deterministic for a generation. Because a search visits collections,
// segments and docs in exactly that order, a new candidate never wins a tie against a kept one,
// which lets pruning skip documents whose upper bound merely equals threshold().
// threshold() is the score a new candidate must beat (relevance sorting).
// Not thread-safe; one per search.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "engine/index/doc_id.h"

namespace busca::query {

struct SortKey {
  bool has_value = false;  // NULL / missing -> false (sorts last in both directions)
  int64_t number = 0;      // number, timestamp, boolean
  std::string text;        // keyword
};

struct Candidate {
  double score = 0;
  uint32_t collection = 0;  // index into the searcher's name-ordered collections
  uint32_t segment = 0;
  index::DocId doc = 0;
  SortKey key;
};

class TopK {
 public:
  // `field_sort`: order by key first; `ascending` applies to the key (score order is always desc
  // when sorting by a field; otherwise `ascending` reverses score order).
  TopK(size_t k, bool field_sort, bool keyword_key, bool ascending)
      : k_(k), field_sort_(field_sort), keyword_key_(keyword_key), ascending_(ascending) {
    heap_.reserve(k + 1);
  }

  size_t k() const { return k_; }
  bool full() const { return heap_.size() >= k_; }

  // Minimum score needed to enter (relevance sort, descending only): -inf until full.
  double threshold() const {
    if (k_ == 0) return std::numeric_limits<double>::infinity();
    return full() ? heap_.front().score : -std::numeric_limits<double>::infinity();
  }

  // True if `a` ranks before `b`.
  bool Better(const Candidate& a, const Candidate& b) const {
    if (field_sort_) {
      if (a.key.has_value != b.key.has_value) return a.key.has_value;
      if (a.key.has_value) {
        int c = 0;
        if (keyword_key_) {
          c = a.key.text.compare(b.key.text);
          c = c < 0 ? -1 : (c > 0 ? 1 : 0);
        } else {
          c = a.key.number < b.key.number ? -1 : (a.key.number > b.key.number ? 1 : 0);
        }
        if (c != 0) return ascending_ ? c < 0 : c > 0;
      }
      if (a.score != b.score) return a.score > b.score;
    } else if (a.score != b.score) {
      return ascending_ ? a.score < b.score : a.score > b.score;
    }
    if (a.collection != b.collection) return a.collection < b.collection;
    if (a.segment != b.segment) return a.segment < b.segment;
    return a.doc < b.doc;
  }

  // Offers a candidate; keeps it if it ranks among the best k so far.
  void Push(Candidate c) {
    if (k_ == 0) return;
    auto worse_first = [this](const Candidate& x, const Candidate& y) { return Better(x, y); };
    if (heap_.size() < k_) {
      heap_.push_back(std::move(c));
      std::push_heap(heap_.begin(), heap_.end(), worse_first);
      return;
    }
    if (!Better(c, heap_.front())) return;
    std::pop_heap(heap_.begin(), heap_.end(), worse_first);
    heap_.back() = std::move(c);
    std::push_heap(heap_.begin(), heap_.end(), worse_first);
  }

  // The kept candidates, best first. Leaves the collector empty.
  std::vector<Candidate> TakeSorted() {
    std::vector<Candidate> out = std::move(heap_);
    heap_.clear();
    std::sort(out.begin(), out.end(), [this](const Candidate& x, const Candidate& y) { return Better(x, y); });
    return out;
  }

 private:
  size_t k_;
  bool field_sort_;
  bool keyword_key_;
  bool ascending_;
  std::vector<Candidate> heap_;  // max-heap under "worse first": front() is the worst kept
};

}  // namespace busca::query
