// LatencySummary: percentiles and throughput of one measured run in the side-by-side benchmark.
//
// Every system (our engine, PostgreSQL FTS, Xapian) is summarised by the same code, so a p99 means
// the same thing in every column of the result table: nearest-rank percentiles over the
// per-query latencies in microseconds. A plain value type; no shared state.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace busca::bench {

struct LatencySummary {
  int64_t queries = 0;      // queries answered (errors included)
  int64_t errors = 0;       // queries the system refused or failed
  double wall_seconds = 0;  // elapsed time of the whole run
  double qps = 0;           // queries / wall_seconds
  double mean_us = 0;
  double p50_us = 0;
  double p95_us = 0;
  double p99_us = 0;
  double max_us = 0;

  // REQUIRES: wall_seconds > 0 when latencies_us is not empty.
  static LatencySummary FromLatencies(std::vector<double> latencies_us, int64_t errors,
                                      double wall_seconds);
  nlohmann::json ToJson() const;
};

// Nearest-rank percentile (p in [0, 100]) of an ascending-sorted vector; 0 when empty.
double PercentileOfSorted(const std::vector<double>& sorted, double p);

}  // namespace busca::bench
