// ZipfTable: cumulative weights 1/(r+1)^s, sampled by binary search.
#include "tools/seed_data/random.h"

#include <algorithm>
#include <cmath>

namespace busca::seed {

ZipfTable::ZipfTable(size_t n, double exponent) : cdf_(n) {
  double sum = 0;
  for (size_t r = 0; r < n; ++r) {
    sum += 1.0 / std::pow(static_cast<double>(r + 1), exponent);
    cdf_[r] = sum;
  }
  for (double& c : cdf_) c /= sum;
  if (n > 0) cdf_.back() = 1.0;
}

size_t ZipfTable::Sample(Rng& rng) const {
  const double u = rng.Unit();
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  return it == cdf_.end() ? cdf_.size() - 1 : static_cast<size_t>(it - cdf_.begin());
}

}  // namespace busca::seed
