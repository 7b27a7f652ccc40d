// Metrics: the server's Prometheus counters and histograms, rendered as text exposition format
// for GET /metrics. Request counts and latencies are lock-free atomics indexed by (RPC, code);
// per-collection gauges are passed in at render time from the GenerationManager's snapshot, the
// search admission's gauges (running, waiting, limits) from the SearchAdmission.
// One instance per server; every method is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace busca::server {

enum class Rpc { kSearch, kSuggest, kGetStats, kReload, kRollback, kRebuild, kHttpSearch, kCount };
std::string_view RpcName(Rpc rpc);  // "Search", ..., "HttpSearch"

// What the manager knows about one collection (rendered as busca_collection_* gauges).
struct CollectionGauge {
  std::string collection;
  bool serving = false;
  uint64_t generation = 0;
  uint64_t documents = 0;
  uint64_t index_bytes = 0;
  double built_at_seconds = 0;    // Unix time the serving generation was built
  double loaded_at_seconds = 0;   // Unix time it was swapped in here
  uint64_t swaps = 0;
  uint64_t load_failures = 0;
};

// What the search admission (server/search_admission.h) holds right now.
struct AdmissionGauge {
  uint64_t running = 0;      // searches holding an engine slot
  uint64_t waiting = 0;      // searches queued for one
  uint64_t max_running = 0;  // --search-threads (resolved)
  uint64_t max_waiting = 0;  // --search-queue
};

class Metrics {
 public:
  static constexpr size_t kCodes = 17;  // grpc::StatusCode 0..16
  // Latency buckets (seconds) of busca_request_duration_seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,  2.5};

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished request: `code` is the grpc::StatusCode number.
  void RecordRequest(Rpc rpc, int code, std::chrono::nanoseconds latency);
  void RecordCache(bool hit);
  void RecordSlowQuery() { slow_queries_.fetch_add(1, std::memory_order_relaxed); }
  void InflightAdd(int delta) { inflight_.fetch_add(delta, std::memory_order_relaxed); }
  // A finished Rebuild (RPC or observed): duration and result.
  void RecordRebuild(double seconds, bool ok);
  // Time a search or suggest spent queued for an engine slot (admitted or given up; not refused).
  void RecordSearchQueueWait(std::chrono::nanoseconds wait);
  // A search or suggest refused because the admission queue was full.
  void RecordSearchRejected() { search_rejected_.fetch_add(1, std::memory_order_relaxed); }

  uint64_t cache_hits() const { return cache_hits_.load(std::memory_order_relaxed); }
  uint64_t cache_misses() const { return cache_misses_.load(std::memory_order_relaxed); }
  uint64_t requests(Rpc rpc, int code) const;
  uint64_t search_rejected() const { return search_rejected_.load(std::memory_order_relaxed); }
  uint64_t search_queue_waits() const;  // observations of the queue-wait histogram

  // Prometheus text format (version 0.0.4).
  std::string Render(const std::vector<CollectionGauge>& collections, uint64_t cache_entries,
                     uint64_t cache_bytes, uint64_t cache_capacity, const AdmissionGauge& admission,
                     bool draining) const;

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last = +Inf only
    std::atomic<uint64_t> sum_nanos{0};
    void Record(std::chrono::nanoseconds value);
  };
  struct PerRpc {
    std::array<std::atomic<uint64_t>, kCodes> count{};
    Histogram latency;
  };
  std::array<PerRpc, static_cast<size_t>(Rpc::kCount)> rpcs_;
  Histogram search_queue_wait_;
  std::atomic<uint64_t> search_rejected_{0};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> cache_misses_{0};
  std::atomic<uint64_t> slow_queries_{0};
  std::atomic<int64_t> inflight_{0};
  std::chrono::system_clock::time_point started_;

  mutable std::mutex rebuild_mu_;
  bool rebuild_seen_ = false;
  double rebuild_seconds_ = 0;
  bool rebuild_ok_ = false;
  double rebuild_at_ = 0;
  uint64_t rebuilds_ok_ = 0;
  uint64_t rebuilds_failed_ = 0;
};

}  // namespace busca::server
