#include "server/admin_service.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/index/index_dir.h"
#include "indexer/rebuild.h"
#include "server/grpc_status.h"
#include "server/search_service.h"

namespace busca::server {
namespace {

bool ValidCollectionName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

Status CheckNames(const google::protobuf::RepeatedPtrField<std::string>& names) {
  for (int i = 0; i < names.size(); ++i) {
    if (!ValidCollectionName(names[i])) {
      return Status::InvalidArgument(fmt::format("collections[{}]: '{}' is not a collection name ([a-z0-9_]+)", i,
                                                 names[i]));
    }
  }
  return Status::Ok();
}

Status FromRebuildOutcome(const indexer::RebuildOutcome& outcome) {
  if (outcome.ok()) return Status::Ok();
  std::string msg = fmt::format("{}: {}", indexer::FailureKindName(outcome.failure), outcome.status.message());
  switch (outcome.failure) {
    case indexer::FailureKind::kUsage: return Status::InvalidArgument(msg);
    case indexer::FailureKind::kLockHeld: return Status::AlreadyExists(msg);
    case indexer::FailureKind::kSourceUnreachable:
    case indexer::FailureKind::kSourceFailed: return Status::Unavailable(msg);
    case indexer::FailureKind::kValidationRefused: return Status::FailedPrecondition(msg);
    default: return Status::Internal(msg);
  }
}

// Streams indexer progress into the gRPC writer (the indexer never calls it concurrently).
class StreamSink final : public indexer::ProgressSink {
 public:
  StreamSink(grpc::ServerWriter<v1::RebuildProgress>* writer, std::chrono::steady_clock::time_point started)
      : writer_(writer), started_(started) {}

  void OnPhase(std::string_view collection, indexer::RebuildPhase phase, std::string_view detail) override {
    v1::RebuildProgress p;
    p.set_collection(std::string(collection));
    p.set_phase(std::string(indexer::RebuildPhaseName(phase)));
    p.set_message(std::string(detail));
    if (auto id = index::ParseGenerationDirName(detail)) p.set_generation(*id);
    Send(&p);
  }
  void OnProgress(std::string_view collection, uint64_t rows, uint64_t estimated_rows, double) override {
    v1::RebuildProgress p;
    p.set_collection(std::string(collection));
    p.set_phase("stream");
    p.set_rows(rows);
    p.set_rows_estimate(estimated_rows);
    Send(&p);
  }
  void OnCollectionDone(const indexer::CollectionSummary& s) override {
    v1::RebuildProgress p;
    p.set_collection(s.collection);
    p.set_phase("built");
    p.set_rows(s.documents);
    p.set_rows_estimate(s.estimated_rows);
    p.set_message(fmt::format("Rebuilt {} {} ({})", s.documents, s.collection, s.generation));
    if (auto id = index::ParseGenerationDirName(s.generation)) p.set_generation(*id);
    Send(&p);
  }
  void Send(v1::RebuildProgress* p) {
    p->set_elapsed_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    if (!writer_->Write(*p)) client_gone_ = true;  // keep rebuilding: the index must still finish
  }
  bool client_gone() const { return client_gone_; }

 private:
  grpc::ServerWriter<v1::RebuildProgress>* writer_;
  std::chrono::steady_clock::time_point started_;
  bool client_gone_ = false;
};

}  // namespace

bool BearerTokenMatches(std::string_view header, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || header.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  std::string_view given = header.substr(kScheme.size());
  // Constant time over max(len): no early exit on the first differing byte.
  unsigned diff = given.size() == token.size() ? 0u : 1u;
  for (size_t i = 0; i < std::max(given.size(), token.size()); ++i) {
    unsigned char a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    unsigned char b = i < token.size() ? static_cast<unsigned char>(token[i]) : 0;
    diff |= static_cast<unsigned>(a ^ b);
  }
  return diff == 0;
}

grpc::Status AdminServiceImpl::Authenticate(const grpc::ServerContext* ctx) const {
  if (config_.admin_token.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "admin API disabled: the server has no admin token (--admin-token-file or SEARCH_ADMIN_TOKEN)");
  }
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing 'authorization: Bearer <token>' metadata");
  }
  std::string_view header(it->second.data(), it->second.size());
  if (!BearerTokenMatches(header, config_.admin_token)) {
    log_->Warn("admin_auth_failed", {{"peer_is_local", ctx->peer().find("127.0.0.1") != std::string::npos}});
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid admin token");
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::Reload(grpc::ServerContext* ctx, const v1::ReloadRequest* request,
                                      v1::ReloadResponse* response) {
  auto started = std::chrono::steady_clock::now();
  if (auto auth = Authenticate(ctx); !auth.ok()) {
    metrics_->RecordRequest(Rpc::kReload, auth.error_code(), std::chrono::steady_clock::now() - started);
    return auth;
  }
  Status st = CheckNames(request->collections());
  if (st.ok()) {
    std::vector<std::string> names(request->collections().begin(), request->collections().end());
    for (const auto& o : manager_->Reload(names, /*force=*/true)) {
      auto* r = response->add_collections();
      r->set_collection(o.collection);
      r->set_previous_generation(o.previous_generation);
      r->set_generation(o.generation);
      r->set_changed(o.changed);
      r->set_error(o.error);
    }
    log_->Info("admin_reload", {{"collections", names}});
  }
  return FinishCall(metrics_, log_, Rpc::kReload, started, st);
}

grpc::Status AdminServiceImpl::Rollback(grpc::ServerContext* ctx, const v1::RollbackRequest* request,
                                        v1::RollbackResponse* response) {
  auto started = std::chrono::steady_clock::now();
  if (auto auth = Authenticate(ctx); !auth.ok()) {
    metrics_->RecordRequest(Rpc::kRollback, auth.error_code(), std::chrono::steady_clock::now() - started);
    return auth;
  }
  const std::string& name = request->collection();
  auto run = [&]() -> Status {
    if (!ValidCollectionName(name)) {
      return Status::InvalidArgument(fmt::format("collection: '{}' is not a collection name", name));
    }
    const index::IndexDir& dir = manager_->index_dir();
    BUSCA_ASSIGN_OR_RETURN(uint64_t live, dir.ReadCurrent(name));
    response->set_collection(name);
    response->set_previous_generation(live);
    if (request->to_generation() == 0) {
      indexer::RollbackOptions options;
      options.index_dir = dir.root();
      options.collections = {name};
      indexer::RebuildOutcome outcome = indexer::RunRollback(options);
      BUSCA_RETURN_IF_ERROR(FromRebuildOutcome(outcome));
    } else {
      uint64_t target = request->to_generation();
      // Verify before publishing: never point CURRENT at a generation that does not open.
      auto opened = index::Generation::Open(dir.GenerationPath(name, target));
      if (!opened.ok()) return opened.status().WithContext("rollback target");
      BUSCA_RETURN_IF_ERROR(dir.PublishCurrent(name, target));
    }
    auto outcomes = manager_->Reload({name}, /*force=*/true);
    if (!outcomes.empty() && !outcomes[0].error.empty()) return Status::Internal("swap: " + outcomes[0].error);
    response->set_generation(outcomes.empty() ? 0 : outcomes[0].generation);
    log_->Info("admin_rollback", {{"collection", name},
                                  {"previous_generation", live},
                                  {"generation", response->generation()}});
    return Status::Ok();
  };
  return FinishCall(metrics_, log_, Rpc::kRollback, started, run());
}

grpc::Status AdminServiceImpl::Rebuild(grpc::ServerContext* ctx, const v1::RebuildRequest* request,
                                       grpc::ServerWriter<v1::RebuildProgress>* writer) {
  auto started = std::chrono::steady_clock::now();
  if (auto auth = Authenticate(ctx); !auth.ok()) {
    metrics_->RecordRequest(Rpc::kRebuild, auth.error_code(), std::chrono::steady_clock::now() - started);
    return auth;
  }
  StreamSink sink(writer, started);
  auto run = [&]() -> Status {
    if (config_.database_url.empty()) {
      return Status::FailedPrecondition("no database: start the server with --database-url or DATABASE_URL");
    }
    BUSCA_RETURN_IF_ERROR(CheckNames(request->collections()));
    indexer::RebuildOptions options;
    options.database_url = config_.database_url;
    options.index_dir = manager_->index_dir().root();
    options.schema_dir = config_.schema_dir;
    options.force = request->force();
    if (request->collections_size() > 0) {
      options.collections.assign(request->collections().begin(), request->collections().end());
    } else {
      BUSCA_ASSIGN_OR_RETURN(options.collections,
                             indexer::CollectionsForService(request->service().empty() ? "all" : request->service()));
    }
    log_->Info("rebuild_start", {{"collections", options.collections}, {"force", options.force}});
    indexer::RebuildOutcome outcome = indexer::RunRebuild(options, &sink);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_->RecordRebuild(outcome.summary.seconds > 0 ? outcome.summary.seconds : seconds, outcome.ok());
    log_->Log(outcome.ok() ? spdlog::level::info : spdlog::level::err, "rebuild_done",
              {{"ok", outcome.ok()},
               {"failure", std::string(indexer::FailureKindName(outcome.failure))},
               {"seconds", outcome.summary.seconds},
               {"error", outcome.status.ok() ? "" : outcome.status.message()}});
    BUSCA_RETURN_IF_ERROR(FromRebuildOutcome(outcome));
    // Swap now rather than waiting for the poller.
    for (const auto& o : manager_->Reload(options.collections, /*force=*/true)) {
      v1::RebuildProgress p;
      p.set_collection(o.collection);
      p.set_phase("swap");
      p.set_generation(o.generation);
      p.set_message(o.error.empty() ? "serving" : o.error);
      sink.Send(&p);
      if (!o.error.empty()) return Status::Internal(fmt::format("swap of {}: {}", o.collection, o.error));
    }
    return Status::Ok();
  };
  Status st = run();
  v1::RebuildProgress last;
  last.set_phase(st.ok() ? "done" : "failed");
  last.set_done(true);
  last.set_ok(st.ok());
  last.set_message(st.ok() ? "rebuild complete" : st.ToString());
  sink.Send(&last);
  return FinishCall(metrics_, log_, Rpc::kRebuild, started, st);
}

}  // namespace busca::server
