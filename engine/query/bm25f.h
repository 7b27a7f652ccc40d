// BM25F: the scoring formula of the engine, in one place (header-only, pure functions).
//
// For a document d of collection c and a scoring item w (a query word with its expanded index
// terms E(w), a prefix with its expansions, or a phrase):
//
//   tf_f(d, w)  = sum over t in E(w) of tf_f(d, t)            (word / prefix)
//               = occurrences of the phrase in field f         (phrase)
//   norm_f(d)   = 1 - b + b * len_f(d) / avglen_f(c)           (1 when avglen_f(c) == 0)
//   tf~(d, w)   = sum over text fields f of weight_f(c) * tf_f(d, w) / norm_f(d)
//   score(d, w) = idf(w) * tf~ * (k1 + 1) / (tf~ + k1)          k1 = 1.2, b = 0.75
//   idf(w)      = ln(1 + (N - df(w) + 0.5) / (df(w) + 0.5))
//   df(w)       = min(N, sum over t in E(w) of df(t))          (word / prefix)
//   idf(phrase) = sum of idf(w) over the words of the phrase (stopwords included)
//   score(d)    = sum of score(d, w) over the scoring items of the required clauses that d
//                 matches (every matching alternative of an OR counts; exclusions score nothing)
//
// Statistics are taken over the collections queried: N = sum of max_doc (deleted docs included,
// as the per-term doc frequencies include them until a merge), df(t) summed over every segment of
// every queried collection. len_f(d) is the number of tokens of field f (stopwords included);
// avglen_f(c) = total tokens of field f in collection c / max_doc(c) (length normalisation is per
// collection, since fields and their weights belong to a collection's schema).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "engine/index/block_scoring.h"

namespace busca::query {

using index::Bm25InverseNorm;  // 1 / norm_f, precomputable per (field, length)
using index::kBm25B;
using index::kBm25K1;

inline double Bm25Idf(uint64_t df, uint64_t n) {
  double dfd = static_cast<double>(std::min(df, n));
  double nd = static_cast<double>(n);
  return std::log(1.0 + (nd - dfd + 0.5) / (dfd + 0.5));
}

inline double Bm25Saturate(double tf_tilde) { return tf_tilde * (kBm25K1 + 1.0) / (tf_tilde + kBm25K1); }

// score(d, w) from idf(w) and tf~(d, w); 0 when tf~ is 0. Exact scores and every bound of them go
// through here, so a bound multiplies in the same order as the score it bounds.
inline double Bm25Score(double idf, double tf_tilde) { return idf * Bm25Saturate(tf_tilde); }

// A cut on tf~ for a filter: every tf~ below it scores below `score` (Bm25Score(idf, tf~) <
// score), with a relative margin of 1e-9 for the rounding of the score's own computation; 0 when
// no tf~ surely does. REQUIRES: idf > 0.
inline double Bm25TfTildeBelow(double idf, double score) {
  const double y = score / idf;  // the saturated value to stay under
  const double top = kBm25K1 + 1.0;  // Bm25Saturate's supremum
  if (!(y > 0) || y >= top) return y >= top * (1 + 1e-9) ? std::numeric_limits<double>::infinity() : 0.0;
  return y * kBm25K1 / (top - y) * (1 - 1e-9);
}

}  // namespace busca::query
