// SearchServer: one running search-server: the generation manager (with its CURRENT poller),
// the result cache, the search admission (--search-threads / --search-queue), metrics, the gRPC server (SearchService, AdminService, grpc.health.v1.Health,
// reflection v1alpha) and the HTTP ops port. tools/search_server/main.cc is a thin main over it;
// integration tests run it in-process on loopback ports (port 0 = pick a free one).
//
// Lifecycle: Start() loads what is live and serves immediately. Shutdown() drains: health turns
// NOT_SERVING / HTTP 503 "draining", new calls are refused, in-flight calls get up to
// config.drain_timeout to finish, then everything stops. Shutdown is idempotent and may be called
// from any thread (the main's signal watcher); Wait() blocks until it has completed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/util/status.h"
#include "server/generation_manager.h"
#include "server/json_log.h"
#include "server/metrics.h"
#include "server/query_cache.h"
#include "server/search_admission.h"
#include "server/server_config.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace busca::server {

class SearchHandler;
class SearchServiceImpl;
class AdminServiceImpl;
class HttpOpsServer;

class SearchServer {
 public:
  // Fails (with a message naming the flag/file) when the index dir does not exist, a port cannot
  // be bound, or the TLS files cannot be read.
  static Result<std::unique_ptr<SearchServer>> Start(ServerConfig config);
  ~SearchServer();
  SearchServer(const SearchServer&) = delete;
  SearchServer& operator=(const SearchServer&) = delete;

  int grpc_port() const { return grpc_port_; }
  int http_port() const;
  void Shutdown();
  void Wait();

  GenerationManager& manager() { return *manager_; }
  Metrics& metrics() { return metrics_; }
  QueryCache& cache() { return *cache_; }
  SearchAdmission& admission() { return *admission_; }
  JsonLog& log() { return *log_; }

 private:
  explicit SearchServer(ServerConfig config);
  void HealthLoop();

  ServerConfig config_;
  std::unique_ptr<JsonLog> log_;
  Metrics metrics_;
  std::unique_ptr<QueryCache> cache_;
  std::unique_ptr<SearchAdmission> admission_;
  std::unique_ptr<GenerationManager> manager_;
  std::unique_ptr<SearchHandler> handler_;
  std::unique_ptr<SearchServiceImpl> search_service_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<HttpOpsServer> http_;
  int grpc_port_ = 0;
  std::atomic<bool> draining_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_started_ = false;
  bool shutdown_done_ = false;
  std::thread health_thread_;
};

}  // namespace busca::server
