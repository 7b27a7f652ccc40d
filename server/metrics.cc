#include "server/metrics.h"

#include <algorithm>

#include <fmt/format.h>

namespace busca::server {
namespace {

constexpr std::array<std::string_view, Metrics::kCodes> kCodeNames = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

double ToSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Label values are collection names ([a-z0-9_]) and fixed strings; escape anyway.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') { out += "\\n"; continue; }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kSearch: return "Search";
    case Rpc::kSuggest: return "Suggest";
    case Rpc::kGetStats: return "GetStats";
    case Rpc::kReload: return "Reload";
    case Rpc::kRollback: return "Rollback";
    case Rpc::kRebuild: return "Rebuild";
    case Rpc::kHttpSearch: return "HttpSearch";
    case Rpc::kCount: break;
  }
  return "unknown";
}

Metrics::Metrics() : started_(std::chrono::system_clock::now()) {}

void Metrics::Histogram::Record(std::chrono::nanoseconds value) {
  double seconds = std::chrono::duration<double>(value).count();
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets[b].fetch_add(1, std::memory_order_relaxed);
  sum_nanos.fetch_add(static_cast<uint64_t>(std::max<int64_t>(value.count(), 0)), std::memory_order_relaxed);
}

void Metrics::RecordRequest(Rpc rpc, int code, std::chrono::nanoseconds latency) {
  PerRpc& r = rpcs_[static_cast<size_t>(rpc)];
  if (code < 0 || code >= static_cast<int>(kCodes)) code = 2;  // UNKNOWN
  r.count[code].fetch_add(1, std::memory_order_relaxed);
  r.latency.Record(latency);
}

void Metrics::RecordSearchQueueWait(std::chrono::nanoseconds wait) { search_queue_wait_.Record(wait); }

uint64_t Metrics::search_queue_waits() const {
  uint64_t n = 0;
  for (const auto& b : search_queue_wait_.buckets) n += b.load(std::memory_order_relaxed);
  return n;
}

void Metrics::RecordCache(bool hit) {
  (hit ? cache_hits_ : cache_misses_).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::RecordRebuild(double seconds, bool ok) {
  std::lock_guard lock(rebuild_mu_);
  rebuild_seen_ = true;
  rebuild_seconds_ = seconds;
  rebuild_ok_ = ok;
  rebuild_at_ = ToSeconds(std::chrono::system_clock::now());
  (ok ? rebuilds_ok_ : rebuilds_failed_)++;
}

uint64_t Metrics::requests(Rpc rpc, int code) const {
  return rpcs_[static_cast<size_t>(rpc)].count[code].load(std::memory_order_relaxed);
}

std::string Metrics::Render(const std::vector<CollectionGauge>& collections, uint64_t cache_entries,
                            uint64_t cache_bytes, uint64_t cache_capacity, const AdmissionGauge& admission,
                            bool draining) const {
  std::string out;
  out.reserve(16384);
  auto header = [&out](std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };

  header("busca_requests_total", "counter", "Finished requests by RPC and gRPC status code.");
  for (size_t i = 0; i < rpcs_.size(); ++i) {
    for (size_t c = 0; c < kCodes; ++c) {
      uint64_t n = rpcs_[i].count[c].load(std::memory_order_relaxed);
      // OK and the common error codes are always present so rate() has a series from the start.
      bool always = c == 0 || c == 3 || c == 4 || c == 13 || c == 14;
      if (n == 0 && !always) continue;
      out += fmt::format("busca_requests_total{{rpc=\"{}\",code=\"{}\"}} {}\n", RpcName(static_cast<Rpc>(i)),
                         kCodeNames[c], n);
    }
  }
  header("busca_request_errors_total", "counter", "Finished requests whose status was not OK, by RPC.");
  for (size_t i = 0; i < rpcs_.size(); ++i) {
    uint64_t errors = 0;
    for (size_t c = 1; c < kCodes; ++c) errors += rpcs_[i].count[c].load(std::memory_order_relaxed);
    out += fmt::format("busca_request_errors_total{{rpc=\"{}\"}} {}\n", RpcName(static_cast<Rpc>(i)), errors);
  }
  // One histogram's buckets (cumulative, +Inf = count), sum and count; `labels` without braces.
  auto histogram = [&out](std::string_view name, std::string_view labels, const Histogram& h) {
    std::string_view sep = labels.empty() ? "" : ",";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += h.buckets[b].load(std::memory_order_relaxed);
      out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBuckets[b], cumulative);
    }
    cumulative += h.buckets[kBuckets.size()].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
    std::string braced = labels.empty() ? std::string() : fmt::format("{{{}}}", labels);
    out += fmt::format("{}_sum{} {:.9f}\n", name, braced, h.sum_nanos.load(std::memory_order_relaxed) / 1e9);
    out += fmt::format("{}_count{} {}\n", name, braced, cumulative);
  };
  header("busca_request_duration_seconds", "histogram", "Server-side request latency by RPC.");
  for (size_t i = 0; i < rpcs_.size(); ++i) {
    histogram("busca_request_duration_seconds", fmt::format("rpc=\"{}\"", RpcName(static_cast<Rpc>(i))),
              rpcs_[i].latency);
  }
  header("busca_requests_inflight", "gauge", "Requests being processed.");
  out += fmt::format("busca_requests_inflight {}\n", inflight_.load(std::memory_order_relaxed));
  header("busca_slow_queries_total", "counter", "Searches slower than --slow-query-ms.");
  out += fmt::format("busca_slow_queries_total {}\n", slow_queries_.load(std::memory_order_relaxed));

  header("busca_search_queue_wait_seconds", "histogram",
         "Time searches and suggests waited for an engine slot (admitted or given up while queued).");
  histogram("busca_search_queue_wait_seconds", "", search_queue_wait_);
  header("busca_search_queue_waiting", "gauge", "Searches and suggests queued for an engine slot.");
  out += fmt::format("busca_search_queue_waiting {}\n", admission.waiting);
  header("busca_search_running", "gauge", "Searches and suggests running in the engine.");
  out += fmt::format("busca_search_running {}\n", admission.running);
  header("busca_search_threads", "gauge", "Engine evaluations allowed at once (--search-threads).");
  out += fmt::format("busca_search_threads {}\n", admission.max_running);
  header("busca_search_queue_capacity", "gauge", "Searches allowed to wait for a slot (--search-queue).");
  out += fmt::format("busca_search_queue_capacity {}\n", admission.max_waiting);
  header("busca_search_queue_rejected_total", "counter",
         "Searches and suggests refused with RESOURCE_EXHAUSTED because the queue was full.");
  out += fmt::format("busca_search_queue_rejected_total {}\n", search_rejected());

  header("busca_cache_hits_total", "counter", "Search result cache hits.");
  out += fmt::format("busca_cache_hits_total {}\n", cache_hits());
  header("busca_cache_misses_total", "counter", "Search result cache misses (cacheable requests only).");
  out += fmt::format("busca_cache_misses_total {}\n", cache_misses());
  header("busca_cache_entries", "gauge", "Entries in the search result cache.");
  out += fmt::format("busca_cache_entries {}\n", cache_entries);
  header("busca_cache_bytes", "gauge", "Bytes held by the search result cache.");
  out += fmt::format("busca_cache_bytes {}\n", cache_bytes);
  header("busca_cache_capacity_bytes", "gauge", "Configured cache bound (--cache-bytes).");
  out += fmt::format("busca_cache_capacity_bytes {}\n", cache_capacity);

  header("busca_collection_up", "gauge", "1 when a generation of the collection is serving.");
  for (const auto& c : collections)
    out += fmt::format("busca_collection_up{{collection=\"{}\"}} {}\n", Escape(c.collection), c.serving ? 1 : 0);
  header("busca_collection_generation", "gauge", "Serving generation number (N of gen-N).");
  for (const auto& c : collections)
    out += fmt::format("busca_collection_generation{{collection=\"{}\"}} {}\n", Escape(c.collection), c.generation);
  header("busca_collection_documents", "gauge", "Live documents in the serving generation.");
  for (const auto& c : collections)
    out += fmt::format("busca_collection_documents{{collection=\"{}\"}} {}\n", Escape(c.collection), c.documents);
  header("busca_collection_index_bytes", "gauge", "Bytes of the serving generation's files.");
  for (const auto& c : collections)
    out += fmt::format("busca_collection_index_bytes{{collection=\"{}\"}} {}\n", Escape(c.collection), c.index_bytes);
  header("busca_collection_built_timestamp_seconds", "gauge", "When the serving generation was built (Unix time).");
  for (const auto& c : collections)
    out += fmt::format("busca_collection_built_timestamp_seconds{{collection=\"{}\"}} {:.3f}\n", Escape(c.collection),
                       c.built_at_seconds);
  header("busca_collection_loaded_timestamp_seconds", "gauge", "When the serving generation was swapped in.");
  for (const auto& c : collections)
    out += fmt::format("busca_collection_loaded_timestamp_seconds{{collection=\"{}\"}} {:.3f}\n",
                       Escape(c.collection), c.loaded_at_seconds);
  header("busca_generation_swaps_total", "counter", "Generations swapped in (startup load included).");
  for (const auto& c : collections)
    out += fmt::format("busca_generation_swaps_total{{collection=\"{}\"}} {}\n", Escape(c.collection), c.swaps);
  header("busca_generation_load_failures_total", "counter", "Generations that failed to open or verify.");
  for (const auto& c : collections)
    out += fmt::format("busca_generation_load_failures_total{{collection=\"{}\"}} {}\n", Escape(c.collection),
                       c.load_failures);

  {
    std::lock_guard lock(rebuild_mu_);
    header("busca_rebuild_last_duration_seconds", "gauge", "Duration of the last Rebuild run by this server.");
    out += fmt::format("busca_rebuild_last_duration_seconds {:.3f}\n", rebuild_seconds_);
    header("busca_rebuild_last_success", "gauge",
           "1 when the last Rebuild succeeded, 0 when it failed, -1 when none ran since start.");
    out += fmt::format("busca_rebuild_last_success {}\n", rebuild_seen_ ? (rebuild_ok_ ? 1 : 0) : -1);
    header("busca_rebuild_last_timestamp_seconds", "gauge", "When the last Rebuild finished (Unix time).");
    out += fmt::format("busca_rebuild_last_timestamp_seconds {:.3f}\n", rebuild_at_);
    header("busca_rebuilds_total", "counter", "Rebuilds run by this server, by result.");
    out += fmt::format("busca_rebuilds_total{{result=\"ok\"}} {}\n", rebuilds_ok_);
    out += fmt::format("busca_rebuilds_total{{result=\"failed\"}} {}\n", rebuilds_failed_);
  }
  header("busca_draining", "gauge", "1 while the server drains for shutdown.");
  out += fmt::format("busca_draining {}\n", draining ? 1 : 0);
  header("busca_start_time_seconds", "gauge", "Process start (Unix time).");
  out += fmt::format("busca_start_time_seconds {:.3f}\n", ToSeconds(started_));
  return out;
}

}  // namespace busca::server
