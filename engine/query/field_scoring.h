// FieldScoring: the BM25F parameters of one collection as the query side uses them: per schema
// field the weight, the average length and a table of 1 / norm_f(length) for short lengths
// (scores and bounds both go through InvNorm, so a bound equals the score of a document that
// attains it, bit for bit). Built once per Searcher; immutable and shared across threads.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/query/bm25f.h"

namespace busca::query {

struct FieldScoring {
  static constexpr uint32_t kTableSize = 1024;
  std::vector<double> weights;
  std::vector<double> avg_length;
  std::vector<std::vector<double>> inv_norm;  // text fields: kTableSize entries
  // Text fields: weight / norm(length) for lengths < kTableSize as floats rounded up, an upper
  // estimate of a doc's share of tf~ for quick filters (a longer doc takes the last entry, which
  // is not below its own since norms grow with lengths).
  std::vector<std::vector<float>> weighted_inv_norm_up;
  double InvNorm(size_t field, uint32_t length) const {
    return InvNormFrom(inv_norm[field].data(), avg_length[field], length);
  }
  // The same from one field's table and average length (for loops that keep them in registers).
  static double InvNormFrom(const double* table, double avg_length, uint32_t length) {
    return length < kTableSize ? table[length] : Bm25InverseNorm(length, avg_length);
  }
};

}  // namespace busca::query
