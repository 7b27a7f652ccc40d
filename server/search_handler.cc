#include "server/search_handler.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/index/document.h"
#include "server/proto_convert.h"
#include "server/throttled_cancellation.h"

namespace busca::server {
namespace {

// gRPC marks a call cancelled when its deadline passes too: report that as the deadline.
Status DeadlineOverCancel(Status st, const query::QueryControl& control) {
  if (st.code() == StatusCode::kCancelled && std::chrono::steady_clock::now() >= control.deadline) {
    return Status::DeadlineExceeded(st.message());
  }
  return st;
}

// An engine error as the caller should see it.
Status EngineError(const Status& st, const query::QueryControl& control) {
  // Limits hit while expanding the query (prefix expansions, expanded terms) are the caller's
  // to fix: INVALID_ARGUMENT, with the engine's message naming the limit. (Only the engine's:
  // a full admission queue stays RESOURCE_EXHAUSTED, see Admit.)
  if (st.code() == StatusCode::kResourceExhausted) return Status::InvalidArgument(st.message());
  return DeadlineOverCancel(st, control);
}

}  // namespace

SearchHandler::SearchHandler(const ServerConfig& config, GenerationManager* manager, QueryCache* cache,
                             SearchAdmission* admission, Metrics* metrics, JsonLog* log)
    : config_(config),
      manager_(manager),
      cache_(cache),
      admission_(admission),
      metrics_(metrics),
      log_(log),
      started_(std::chrono::steady_clock::now()) {}

query::QueryControl SearchHandler::Control(std::chrono::system_clock::time_point deadline) const {
  query::QueryControl control;
  auto now_sys = std::chrono::system_clock::now();
  auto now = std::chrono::steady_clock::now();
  auto budget = std::chrono::duration_cast<std::chrono::steady_clock::duration>(config_.default_deadline);
  if (deadline != std::chrono::system_clock::time_point::max()) {
    auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline - now_sys);
    budget = std::min(budget, std::max(left, std::chrono::steady_clock::duration::zero()));
  }
  control.deadline = now + budget;
  return control;
}

Result<SearchAdmission::Permit> SearchHandler::Admit(const query::QueryControl& control,
                                                     std::chrono::steady_clock::duration* waited) {
  auto started = std::chrono::steady_clock::now();
  auto permit = admission_->Acquire(control.deadline, control.cancel);
  *waited = std::chrono::steady_clock::now() - started;
  if (!permit.ok() && permit.status().code() == StatusCode::kResourceExhausted) {
    metrics_->RecordSearchRejected();
  } else {
    metrics_->RecordSearchQueueWait(std::chrono::duration_cast<std::chrono::nanoseconds>(*waited));
  }
  if (!permit.ok()) return DeadlineOverCancel(permit.status(), control);  // RESOURCE_EXHAUSTED stays
  return permit;
}

template <typename Call>
auto SearchHandler::RunAdmitted(query::QueryControl control, const query::CancellationSource* cancel,
                                std::chrono::steady_clock::duration* queued, Call&& call)
    -> decltype(call(control)) {
  ThrottledCancellation queued_cancel(cancel, config_.cancel_check_interval);
  query::CancellationToken queued_token(&queued_cancel);
  BUSCA_ASSIGN_OR_RETURN(SearchAdmission::Permit permit,
                         Admit(query::QueryControl{control.deadline, &queued_token}, queued));
  ThrottledCancellation running_cancel(cancel, config_.cancel_check_interval);
  query::CancellationToken running_token(&running_cancel);
  control.cancel = &running_token;
  auto result = call(control);
  permit.Release();
  if (!result.ok()) return EngineError(result.status(), control);
  return result;
}

Status SearchHandler::ResolveCollections(const ServingSnapshot& snap, const std::vector<std::string>& requested,
                                         std::string* gens_key) const {
  gens_key->clear();
  auto add_key = [gens_key](const CollectionStatus& c) {
    *gens_key += fmt::format("{}#{}@{};", c.name, c.serial, c.generation->id());
  };
  if (requested.empty()) {
    if (snap.searcher == nullptr) return Status::Unavailable("no collection is serving");
    for (const auto& c : snap.collections) {
      if (c.serving()) add_key(c);
    }
    return Status::Ok();
  }
  std::vector<std::string> sorted = requested;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const auto& name : sorted) {
    const CollectionStatus* c = snap.Find(name);
    if (c == nullptr) {
      std::string known;
      for (const auto& k : snap.collections) known += (known.empty() ? "" : ", ") + k.name;
      return Status::InvalidArgument(fmt::format("collections: unknown collection '{}' (known: {})", name,
                                                 known.empty() ? "none" : known));
    }
    if (!c->serving()) {
      return Status::Unavailable(fmt::format("collection '{}' is not serving ({}): {}", name,
                                             CollectionStateName(c->state), c->error));
    }
    add_key(*c);
  }
  return Status::Ok();
}

Status SearchHandler::Search(const v1::SearchRequest& request, std::chrono::system_clock::time_point deadline,
                             v1::SearchResponse* response, const query::CancellationSource* cancel) {
  auto started = std::chrono::steady_clock::now();
  query::QueryControl control = Control(deadline);
  query::SearchRequest engine_request;
  BUSCA_RETURN_IF_ERROR(ToEngineRequest(request, &engine_request));
  std::shared_ptr<const ServingSnapshot> snap = manager_->snapshot();
  std::string key;
  BUSCA_RETURN_IF_ERROR(ResolveCollections(*snap, engine_request.collections, &key));

  const bool cacheable = cache_->capacity_bytes() > 0 && !request.bypass_cache() && !request.explain();
  std::shared_ptr<const query::SearchResponse> result;
  bool hit = false;
  std::chrono::steady_clock::duration queued{0};
  if (cacheable) {
    key += '|';
    key += NormalizedKey(engine_request);
    result = cache_->Get(key);
    hit = result != nullptr;
    metrics_->RecordCache(hit);
  }
  if (!hit) {
    BUSCA_ASSIGN_OR_RETURN(query::SearchResponse searched,
                           RunAdmitted(control, cancel, &queued, [&](const query::QueryControl& c) {
                             return snap->searcher->Search(engine_request, c);
                           }));
    result = std::make_shared<const query::SearchResponse>(std::move(searched));
    if (cacheable) cache_->Put(key, result);
  }
  ToProto(*result, response);
  response->set_cached(hit);
  double took = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count();
  response->set_took_micros(took);

  if (config_.slow_query.count() > 0 && took >= config_.slow_query.count() * 1000.0) {
    metrics_->RecordSlowQuery();
    nlohmann::json fields = {{"latency_ms", took / 1000.0},
                             {"queued_ms", std::chrono::duration<double, std::milli>(queued).count()},
                             {"total_hits", result->total_hits},
                             {"hits", result->hits.size()},
                             {"filters", engine_request.filters.size()},
                             {"sort", engine_request.sort.field.empty() ? "_score" : engine_request.sort.field},
                             {"offset", engine_request.offset},
                             {"limit", engine_request.limit},
                             {"cached", hit}};
    nlohmann::json gens = nlohmann::json::array();
    for (const auto& g : result->generations) gens.push_back(fmt::format("{}@{}", g.collection, g.generation));
    fields["generations"] = std::move(gens);
    if (config_.log_query_text) {
      fields["query"] = request.query();
    } else {
      fields["query_hash"] = QueryHash(request.query());
    }
    log_->Warn("slow_query", std::move(fields));
  }
  return Status::Ok();
}

Status SearchHandler::Suggest(const v1::SuggestRequest& request, std::chrono::system_clock::time_point deadline,
                              v1::SuggestResponse* response, const query::CancellationSource* cancel) {
  auto started = std::chrono::steady_clock::now();
  query::QueryControl control = Control(deadline);
  query::SuggestRequest engine_request;
  BUSCA_RETURN_IF_ERROR(ToEngineRequest(request, &engine_request));
  std::shared_ptr<const ServingSnapshot> snap = manager_->snapshot();
  std::string key;
  BUSCA_RETURN_IF_ERROR(ResolveCollections(*snap, engine_request.collections, &key));
  std::chrono::steady_clock::duration queued{0};
  BUSCA_ASSIGN_OR_RETURN(query::SuggestResponse suggested,
                         RunAdmitted(control, cancel, &queued, [&](const query::QueryControl& c) {
                           return snap->searcher->Suggest(engine_request, c);
                         }));
  ToProto(suggested, response);
  response->set_took_micros(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count());
  return Status::Ok();
}

Status SearchHandler::GetStats(const v1::GetStatsRequest& request, v1::GetStatsResponse* response) {
  std::shared_ptr<const ServingSnapshot> snap = manager_->snapshot();
  for (const auto& name : request.collections()) {
    if (snap->Find(name) == nullptr) {
      return Status::InvalidArgument(fmt::format("collections: unknown collection '{}'", name));
    }
  }
  for (const auto& c : snap->collections) {
    if (request.collections_size() > 0 &&
        std::find(request.collections().begin(), request.collections().end(), c.name) ==
            request.collections().end()) {
      continue;
    }
    auto* s = response->add_collections();
    s->set_collection(c.name);
    switch (c.state) {
      case CollectionState::kServing: s->set_state(v1::COLLECTION_STATE_SERVING); break;
      case CollectionState::kMissing: s->set_state(v1::COLLECTION_STATE_MISSING); break;
      case CollectionState::kCorrupt: s->set_state(v1::COLLECTION_STATE_CORRUPT); break;
      case CollectionState::kStale: s->set_state(v1::COLLECTION_STATE_STALE); break;
    }
    s->set_error(c.error);
    if (c.serving()) {
      const index::GenerationInfo& info = c.generation->info();
      s->set_generation(info.id);
      s->set_documents(info.live_docs);
      s->set_deleted_documents(info.deleted_docs);
      s->set_terms(info.terms);
      s->set_index_bytes(info.TotalBytes());
      s->set_built_at(index::FormatTimestampMicros(info.built_at_micros));
      s->set_build_duration_seconds(info.build_seconds);
      s->set_segments(static_cast<uint32_t>(info.segments.size()));
      int64_t loaded =
          std::chrono::duration_cast<std::chrono::microseconds>(c.loaded_at.time_since_epoch()).count();
      s->set_loaded_at(index::FormatTimestampMicros(loaded));
    }
  }
  response->set_version(BUSCA_VERSION_STRING);
  response->set_uptime_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  response->set_cache_entries(cache_->entries());
  response->set_cache_bytes(cache_->bytes());
  response->set_cache_hits(metrics_->cache_hits());
  response->set_cache_misses(metrics_->cache_misses());
  return Status::Ok();
}

}  // namespace busca::server
