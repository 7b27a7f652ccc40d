#include "bench/harness/latency_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace busca::bench {

double PercentileOfSorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

LatencySummary LatencySummary::FromLatencies(std::vector<double> latencies_us, int64_t errors,
                                             double wall_seconds) {
  LatencySummary s;
  std::sort(latencies_us.begin(), latencies_us.end());
  s.queries = static_cast<int64_t>(latencies_us.size());
  s.errors = errors;
  s.wall_seconds = wall_seconds;
  s.qps = wall_seconds > 0 ? static_cast<double>(s.queries) / wall_seconds : 0;
  if (!latencies_us.empty()) {
    s.mean_us = std::accumulate(latencies_us.begin(), latencies_us.end(), 0.0) /
                static_cast<double>(latencies_us.size());
    s.p50_us = PercentileOfSorted(latencies_us, 50);
    s.p95_us = PercentileOfSorted(latencies_us, 95);
    s.p99_us = PercentileOfSorted(latencies_us, 99);
    s.max_us = latencies_us.back();
  }
  return s;
}

nlohmann::json LatencySummary::ToJson() const {
  return {{"queries", queries}, {"errors", errors}, {"wall_seconds", wall_seconds},
          {"qps", qps},         {"mean_us", mean_us}, {"p50_us", p50_us},
          {"p95_us", p95_us},   {"p99_us", p99_us},   {"max_us", max_us}};
}

}  // namespace busca::bench
