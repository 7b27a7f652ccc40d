// Deterministic randomness for seed-data: a SplitMix64 generator and Zipf-weighted choice.
//
// Everything here is specified bit for bit (no std:: distributions, whose results differ between
// standard libraries), so a seed gives the same dataset on every machine and compiler. Each row is
// generated from its own generator, seeded from (dataset seed, table, row index): rows can be made
// in any order or in parallel and stay identical. Rng is a small value type, not thread-safe
// (one per row); ZipfTable is immutable after construction and safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace busca::seed {

// SplitMix64 finaliser: a good 64-bit mixing function.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  Rng(uint64_t a, uint64_t b, uint64_t c) : state_(Mix64(Mix64(Mix64(a) ^ b) ^ c)) {}

  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0); Lemire's multiply-shift, bias < n / 2^64 (negligible here).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi] (lo <= hi).
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

// Picks ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent.
class ZipfTable {
 public:
  ZipfTable() = default;
  ZipfTable(size_t n, double exponent);

  size_t size() const { return cdf_.size(); }
  // REQUIRES: size() > 0.
  size_t Sample(Rng& rng) const;

 private:
  std::vector<double> cdf_;  // cumulative, cdf_.back() == 1
};

}  // namespace busca::seed
