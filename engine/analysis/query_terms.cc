// Implementation of query_terms.h.
#include "engine/analysis/query_terms.h"

#include <algorithm>

namespace busca::analysis {

std::vector<std::string> ExpandQueryTerms(const Token& query_token, const SurfaceLookup& lookup) {
  std::vector<std::string> terms;
  terms.push_back(query_token.term);
  if (lookup) lookup(query_token.folded_surface, &terms);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

}  // namespace busca::analysis
