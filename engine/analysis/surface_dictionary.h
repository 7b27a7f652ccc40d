// SurfaceDictionary: the in-memory form of a segment's surface dictionary, fold(surface) -> the
// sorted set of index terms (fold(stem(surface))) that the spellings with that folded form
// produced at index time. "pao" -> {"pa"} once "pão"/"pães" were indexed, which is how the
// unaccented query "pao" reaches them without splitting Snowball stem classes.
//
// Writers add tokens while indexing; the index serialises ForEach() (sorted by key) into the
// segment. Not thread-safe for writes; concurrent const reads are fine.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analysis/token.h"

namespace busca::analysis {

class SurfaceDictionary {
 public:
  // Records that a word whose folded surface is `folded_surface` has index term `term`.
  void Add(std::string_view folded_surface, std::string_view term);
  void Add(const Token& token) { Add(token.folded_surface, token.term); }

  // The terms recorded for `folded_surface`, sorted and unique (empty if none). The span is
  // valid until the next Add.
  std::span<const std::string> Lookup(std::string_view folded_surface) const;

  size_t size() const { return entries_.size(); }  // number of keys

  // Calls fn(key, terms) for every key in byte order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [key, terms] : entries_)
      fn(std::string_view(key), std::span<const std::string>(terms));
  }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> entries_;
};

}  // namespace busca::analysis
