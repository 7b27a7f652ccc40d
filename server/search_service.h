// SearchServiceImpl: the gRPC busca.v1.SearchService (Search, Suggest, GetStats) over a
// SearchHandler; records per-RPC metrics and passes the call's deadline and cancellation
// (GrpcCallCancellation) into the admission queue and the engine.
// Thread-safe (gRPC calls it from its thread pool).
#pragma once

#include "busca/v1/search.grpc.pb.h"
#include "server/metrics.h"
#include "server/search_handler.h"

namespace busca::server {

class SearchServiceImpl final : public v1::SearchService::Service {
 public:
  SearchServiceImpl(SearchHandler* handler, Metrics* metrics, JsonLog* log)
      : handler_(handler), metrics_(metrics), log_(log) {}

  grpc::Status Search(grpc::ServerContext* ctx, const v1::SearchRequest* request,
                      v1::SearchResponse* response) override;
  grpc::Status Suggest(grpc::ServerContext* ctx, const v1::SuggestRequest* request,
                       v1::SuggestResponse* response) override;
  grpc::Status GetStats(grpc::ServerContext* ctx, const v1::GetStatsRequest* request,
                        v1::GetStatsResponse* response) override;

 private:
  SearchHandler* handler_;
  Metrics* metrics_;
  JsonLog* log_;
};

// Records one finished call (metrics + a debug log line; errors other than the caller's own
// mistakes at warn). Shared by the gRPC and HTTP front ends.
grpc::Status FinishCall(Metrics* metrics, JsonLog* log, Rpc rpc, std::chrono::steady_clock::time_point started,
                        const Status& status);

}  // namespace busca::server
