#include "server/search_service.h"

#include "server/grpc_call_cancellation.h"
#include "server/grpc_status.h"

namespace busca::server {
namespace {

// RAII in-flight gauge.
class Inflight {
 public:
  explicit Inflight(Metrics* m) : m_(m) { m_->InflightAdd(1); }
  ~Inflight() { m_->InflightAdd(-1); }

 private:
  Metrics* m_;
};

std::chrono::system_clock::time_point DeadlineOf(const grpc::ServerContext* ctx) {
  auto d = ctx->deadline();
  // gRPC reports "no deadline" as a time point far in the future.
  if (d > std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    return std::chrono::system_clock::time_point::max();
  }
  return d;
}

}  // namespace

grpc::Status FinishCall(Metrics* metrics, JsonLog* log, Rpc rpc, std::chrono::steady_clock::time_point started,
                        const Status& status) {
  auto latency = std::chrono::steady_clock::now() - started;
  grpc::Status g = ToGrpcStatus(status);
  metrics->RecordRequest(rpc, static_cast<int>(g.error_code()),
                         std::chrono::duration_cast<std::chrono::nanoseconds>(latency));
  bool caller_error = status.code() == StatusCode::kInvalidArgument ||
                      status.code() == StatusCode::kDeadlineExceeded || status.code() == StatusCode::kCancelled;
  auto level = status.ok() || caller_error ? spdlog::level::debug : spdlog::level::warn;
  if (log->Enabled(level)) {
    nlohmann::json fields = {{"rpc", RpcName(rpc)},
                             {"code", std::string(StatusCodeName(status.code()))},
                             {"latency_ms", std::chrono::duration<double, std::milli>(latency).count()}};
    if (!status.ok()) fields["error"] = status.message();
    log->Log(level, "request", std::move(fields));
  }
  return g;
}

grpc::Status SearchServiceImpl::Search(grpc::ServerContext* ctx, const v1::SearchRequest* request,
                                       v1::SearchResponse* response) {
  auto started = std::chrono::steady_clock::now();
  Inflight inflight(metrics_);
  GrpcCallCancellation cancel(ctx);
  Status st = handler_->Search(*request, DeadlineOf(ctx), response, &cancel);
  return FinishCall(metrics_, log_, Rpc::kSearch, started, st);
}

grpc::Status SearchServiceImpl::Suggest(grpc::ServerContext* ctx, const v1::SuggestRequest* request,
                                        v1::SuggestResponse* response) {
  auto started = std::chrono::steady_clock::now();
  Inflight inflight(metrics_);
  GrpcCallCancellation cancel(ctx);
  Status st = handler_->Suggest(*request, DeadlineOf(ctx), response, &cancel);
  return FinishCall(metrics_, log_, Rpc::kSuggest, started, st);
}

grpc::Status SearchServiceImpl::GetStats(grpc::ServerContext* ctx, const v1::GetStatsRequest* request,
                                         v1::GetStatsResponse* response) {
  auto started = std::chrono::steady_clock::now();
  Inflight inflight(metrics_);
  Status st = handler_->GetStats(*request, response);
  return FinishCall(metrics_, log_, Rpc::kGetStats, started, st);
}

}  // namespace busca::server
