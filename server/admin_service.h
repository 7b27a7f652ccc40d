// AdminServiceImpl: busca.v1.AdminService (Reload, Rollback, Rebuild). Every call must carry
// `authorization: Bearer <token>` equal to the server's admin token (constant-time compare);
// otherwise UNAUTHENTICATED, whatever the peer address. With no token configured the admin API
// is off (every call UNAUTHENTICATED). Rebuild runs indexer::RunRebuild in the calling gRPC
// thread and streams its progress; the indexer's per-collection lock refuses a concurrent
// rebuild (ABORTED). Thread-safe.
#pragma once

#include "busca/v1/search.grpc.pb.h"
#include "server/generation_manager.h"
#include "server/json_log.h"
#include "server/metrics.h"
#include "server/server_config.h"

namespace busca::server {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  AdminServiceImpl(const ServerConfig& config, GenerationManager* manager, Metrics* metrics, JsonLog* log)
      : config_(config), manager_(manager), metrics_(metrics), log_(log) {}

  grpc::Status Reload(grpc::ServerContext* ctx, const v1::ReloadRequest* request,
                      v1::ReloadResponse* response) override;
  grpc::Status Rollback(grpc::ServerContext* ctx, const v1::RollbackRequest* request,
                        v1::RollbackResponse* response) override;
  grpc::Status Rebuild(grpc::ServerContext* ctx, const v1::RebuildRequest* request,
                       grpc::ServerWriter<v1::RebuildProgress>* writer) override;

 private:
  // OK when the call carries the admin token.
  grpc::Status Authenticate(const grpc::ServerContext* ctx) const;

  const ServerConfig& config_;
  GenerationManager* manager_;
  Metrics* metrics_;
  JsonLog* log_;
};

// True when `header` is exactly "Bearer <token>" (case-insensitive scheme), compared in
// constant time over the token bytes.
bool BearerTokenMatches(std::string_view header, std::string_view token);

}  // namespace busca::server
