#include "server/search_server.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "server/admin_service.h"
#include "server/http_ops_server.h"
#include "server/search_handler.h"
#include "server/search_service.h"

namespace busca::server {
namespace {

Result<std::string> ReadFile(const std::string& path, std::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(fmt::format("{}: cannot read {}", flag, path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kSearchServiceName = "busca.v1.SearchService";

// Idle gRPC sync-server threads kept for new calls (see Start): 4 per engine slot, 16..256.
int SyncServerMaxPollers(size_t search_threads) {
  return static_cast<int>(std::clamp<size_t>(4 * search_threads, 16, 256));
}

}  // namespace

SearchServer::SearchServer(ServerConfig config) : config_(std::move(config)) {}

Result<std::unique_ptr<SearchServer>> SearchServer::Start(ServerConfig config) {
  std::unique_ptr<SearchServer> s(new SearchServer(std::move(config)));
  const ServerConfig& c = s->config_;
  s->log_ = std::make_unique<JsonLog>("search-server", c.log_level, c.log_file);
  s->cache_ = std::make_unique<QueryCache>(c.cache_bytes);
  SearchAdmission::Options ao;
  ao.max_running = c.search_threads;
  ao.max_waiting = c.search_queue;
  s->admission_ = std::make_unique<SearchAdmission>(ao);

  GenerationManager::Options mo;
  mo.index_dir = c.index_dir;
  mo.poll_interval = c.poll_interval;
  mo.expected_collections = c.expected_collections;
  mo.verify_checksums = c.verify_checksums;
  JsonLog* log = s->log_.get();
  auto manager = GenerationManager::Create(mo, [log](const std::string& collection, uint64_t old_gen,
                                                     uint64_t new_gen, double seconds, const std::string& error) {
    if (error.empty()) {
      log->Info("generation_swap", {{"collection", collection},
                                    {"previous_generation", old_gen},
                                    {"generation", new_gen},
                                    {"latency_ms", seconds * 1000}});
    } else {
      log->Error("generation_load_failed", {{"collection", collection},
                                            {"serving_generation", old_gen},
                                            {"generation", new_gen},
                                            {"latency_ms", seconds * 1000},
                                            {"error", error}});
    }
  });
  if (!manager.ok()) return manager.status().WithContext("--index-dir");
  s->manager_ = std::move(manager).value();

  s->handler_ = std::make_unique<SearchHandler>(c, s->manager_.get(), s->cache_.get(), s->admission_.get(),
                                                &s->metrics_, log);
  s->search_service_ = std::make_unique<SearchServiceImpl>(s->handler_.get(), &s->metrics_, log);
  s->admin_service_ = std::make_unique<AdminServiceImpl>(c, s->manager_.get(), &s->metrics_, log);

  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!c.tls_cert_file.empty()) {
    BUSCA_ASSIGN_OR_RETURN(std::string cert, ReadFile(c.tls_cert_file, "--tls-cert"));
    BUSCA_ASSIGN_OR_RETURN(std::string key, ReadFile(c.tls_key_file, "--tls-key"));
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({key, cert});
    creds = grpc::SslServerCredentials(ssl);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(c.listen, creds, &s->grpc_port_);
  builder.RegisterService(s->search_service_.get());
  builder.RegisterService(s->admin_service_.get());
  builder.SetMaxReceiveMessageSize(c.max_message_bytes);
  builder.SetMaxSendMessageSize(c.max_message_bytes);
  // Keepalive pings from clients are fine (load balancers); refuse nothing else by default.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  // No SO_REUSEPORT: a second server on the same port must fail, not share the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // The sync server lets a thread that finished a call exit when max_pollers (default 2) threads
  // already poll, and starts a new one for the next call. With calls waiting in the search
  // queue that churn is constant (measured: 0.44 thread starts per request at 64 clients against
  // 0.08 without the queue), and every new thread pays for the engine's thread_local Analyzer
  // and a cold word cache. Keeping more idle pollers keeps the threads.
  builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS, SyncServerMaxPollers(s->admission_->max_running()));
  s->grpc_ = builder.BuildAndStart();
  if (s->grpc_ == nullptr || s->grpc_port_ == 0) {
    return Status::IOError(fmt::format("--listen: cannot listen on {} (in use or bad address)", c.listen));
  }
  auto* health = s->grpc_->GetHealthCheckService();
  bool serving = s->manager_->snapshot()->serving_count() > 0;
  health->SetServingStatus(serving);
  health->SetServingStatus(kSearchServiceName, serving);

  if (!c.http.empty()) {
    s->http_ = std::make_unique<HttpOpsServer>(s->handler_.get(), s->manager_.get(), s->cache_.get(), &s->metrics_,
                                               log, &s->draining_);
    if (Status st = s->http_->Start(c.http); !st.ok()) {
      s->grpc_->Shutdown();
      return st.WithContext("--http");
    }
  }
  s->manager_->Start();
  s->health_thread_ = std::thread([raw = s.get()] { raw->HealthLoop(); });

  nlohmann::json collections = nlohmann::json::object();
  for (const auto& col : s->manager_->snapshot()->collections) {
    collections[col.name] = col.serving() ? fmt::format("{}@{}", CollectionStateName(col.state), col.generation->id())
                                          : std::string(CollectionStateName(col.state));
  }
  log->Info("server_started", {{"grpc_port", s->grpc_port_},
                               {"http_port", s->http_port()},
                               {"tls", !c.tls_cert_file.empty()},
                               {"admin_api", !c.admin_token.empty()},
                               {"rebuild_rpc", !c.database_url.empty()},
                               {"cache_bytes", c.cache_bytes},
                               {"search_threads", s->admission_->max_running()},
                               {"search_queue", s->admission_->max_waiting()},
                               {"collections", collections}});
  return s;
}

int SearchServer::http_port() const { return http_ ? http_->port() : 0; }

void SearchServer::HealthLoop() {
  int last = -1;
  std::unique_lock lock(mu_);
  while (!shutdown_started_) {
    lock.unlock();
    int serving = manager_->snapshot()->serving_count() > 0 ? 1 : 0;
    if (serving != last && !draining_.load()) {
      auto* health = grpc_->GetHealthCheckService();
      health->SetServingStatus(serving == 1);
      health->SetServingStatus(kSearchServiceName, serving == 1);
      last = serving;
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return shutdown_started_; });
  }
}

void SearchServer::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_started_) return;
    shutdown_started_ = true;
  }
  cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
  auto started = std::chrono::steady_clock::now();
  log_->Info("server_draining", {{"drain_timeout_ms", config_.drain_timeout.count()}});
  draining_.store(true);
  if (grpc_) {
    auto* health = grpc_->GetHealthCheckService();
    health->SetServingStatus(kSearchServiceName, false);
    health->SetServingStatus(false);
    // Refuses new calls; waits for in-flight ones until the deadline, then cancels the rest.
    grpc_->Shutdown(std::chrono::system_clock::now() + config_.drain_timeout);
    grpc_->Wait();
  }
  if (http_) http_->Stop();
  manager_->Stop();
  log_->Info("server_stopped",
             {{"latency_ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()}});
  log_->Flush();
  {
    std::lock_guard lock(mu_);
    shutdown_done_ = true;
  }
  cv_.notify_all();
}

void SearchServer::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return shutdown_done_; });
}

SearchServer::~SearchServer() {
  if (grpc_ != nullptr) Shutdown();
}

}  // namespace busca::server
