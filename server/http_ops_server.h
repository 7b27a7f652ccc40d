// HttpOpsServer: the small HTTP port beside gRPC for on-call engineers and load balancers
// (cpp-httplib, its own thread pool):
//   GET /health    {"status":"ok|degraded|unavailable|draining","timestamp":...,"collections":{...}}
//                  200 while anything serves; 503 only when nothing can serve or draining.
//   GET /metrics   Prometheus text format (server/metrics.h).
//   GET /search?q=&collections=a,b&limit=&offset=&sort=price:asc&filter=price:10..20
//                  &fields=name,price&highlight=1&explain=1   -> the SearchResponse as JSON
//   GET /suggest?q=&collections=&limit=                       -> the SuggestResponse as JSON
//   GET /stats                                                -> the GetStatsResponse as JSON
// Errors are JSON {"error": {"code": "INVALID_ARGUMENT", "message": ...}} with 400/404/503/504.
// Start() binds and serves on a background thread; Stop() joins it. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/util/status.h"
#include "server/generation_manager.h"
#include "server/json_log.h"
#include "server/metrics.h"
#include "server/query_cache.h"
#include "server/search_handler.h"

namespace busca::server {

// The /health document and its HTTP status (also used by tests and the gRPC health state).
std::string HealthJson(const ServingSnapshot& snapshot, bool draining, int* http_status);

class HttpOpsServer {
 public:
  HttpOpsServer(SearchHandler* handler, GenerationManager* manager, QueryCache* cache, Metrics* metrics,
                JsonLog* log, const std::atomic<bool>* draining);
  ~HttpOpsServer();
  HttpOpsServer(const HttpOpsServer&) = delete;
  HttpOpsServer& operator=(const HttpOpsServer&) = delete;

  // Binds `address` (HOST:PORT; port 0 = any free port) and starts serving.
  Status Start(const std::string& address);
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
};

// Splits "HOST:PORT" ("[::1]:80" too). InvalidArgument naming the text when malformed.
Status SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace busca::server
