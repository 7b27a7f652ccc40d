// Implementation of surface_dictionary.h.
#include "engine/analysis/surface_dictionary.h"

#include <algorithm>

namespace busca::analysis {

void SurfaceDictionary::Add(std::string_view folded_surface, std::string_view term) {
  auto it = entries_.find(folded_surface);
  if (it == entries_.end())
    it = entries_.emplace(std::string(folded_surface), std::vector<std::string>()).first;
  std::vector<std::string>& terms = it->second;
  auto pos = std::lower_bound(terms.begin(), terms.end(), term);
  if (pos == terms.end() || *pos != term) terms.insert(pos, std::string(term));
}

std::span<const std::string> SurfaceDictionary::Lookup(std::string_view folded_surface) const {
  auto it = entries_.find(folded_surface);
  if (it == entries_.end()) return {};
  return it->second;
}

}  // namespace busca::analysis
