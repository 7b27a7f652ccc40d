// Query-side accent-insensitive expansion: the index terms one query word must match.
//
// A query word q matches the union of
//   * its own index term fold(stem(q)) -- reaches every word Snowball stems like q (its stem
//     class), accents or not, since index terms are folded stems; and
//   * surface_dict[fold(q)] -- the terms of every indexed spelling that folds like q, so the
//     unaccented "pao" reaches "pão" and with it pão's whole stem class ("pães"), although
//     Snowball stems "pao" to "pao" but "pão" and "pães" to "pã" (term "pa"). Likewise
//     "acaua" -> "acauã" (Snowball: "acau" vs "acauã").
// Neither half alone is enough (see engine/ARCHITECTURE.md, "Accent-insensitive matching"; the
// accent test over the wbrazilian word list measures it). This is the one place the rule lives:
// engine/query calls ExpandQueryTerms with a lookup over its segments' surface dictionaries.
// Thread-safe (pure function); the lookup callback is called once.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analysis/token.h"

namespace busca::analysis {

// Appends to *terms the index terms recorded under `folded_surface` (in any order, duplicates
// allowed), e.g. the union over all segments of SurfaceDictionary::Lookup.
using SurfaceLookup =
    std::function<void(std::string_view folded_surface, std::vector<std::string>* terms)>;

// {query_token.term} ∪ lookup(query_token.folded_surface), sorted and unique.
std::vector<std::string> ExpandQueryTerms(const Token& query_token, const SurfaceLookup& lookup);

}  // namespace busca::analysis
