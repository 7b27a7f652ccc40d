// BlockScoring: the BM25F length normalisation shared by the index writer and the query side, and
// the parameters a segment's per-block score bounds were computed with.
//
// A segment written with BlockScoring stores, per posting block (and per term), the largest
// combined BM25F term frequency of its docs,
//   tf~(d, t) = sum over text slots s of weight_s * tf_s(d, t) * InvNorm(len_s(d), avg_length_s),
// rounded up to a float. The query side uses it only when its own weights and average lengths
// equal the stored ones exactly (a one-segment generation: the writer took the averages over the
// same docs the searcher does); otherwise it falls back to the per-field bounds. Plain values,
// header-only.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace busca::index {

inline constexpr double kBm25K1 = 1.2;
inline constexpr double kBm25B = 0.75;

// 1 / norm_f = 1 / (1 - b + b * length / avg_length); 1 when avg_length == 0.
inline double Bm25InverseNorm(double length, double avg_length) {
  if (avg_length <= 0) return 1.0;
  return 1.0 / (1.0 - kBm25B + kBm25B * length / avg_length);
}

struct BlockScoring {
  std::vector<double> weights;      // per text slot
  std::vector<double> avg_lengths;  // per text slot
  bool enabled() const { return !weights.empty(); }
};

// A float not below `x` (a stored bound must never be below the value it bounds). The relative
// margin covers a different rounding of the same sum on the query side.
inline float RoundUpBound(double x) {
  const double padded = x * (1.0 + 1e-6);
  float f = static_cast<float>(padded);
  if (static_cast<double>(f) < padded) f = std::nextafter(f, INFINITY);
  return f;
}

}  // namespace busca::index
