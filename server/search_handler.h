// SearchHandler: executes Search / Suggest / GetStats for both front ends (gRPC and the HTTP
// ops port), so both return the same results. Owns nothing but references: the generation
// manager (which snapshot answers), the result cache, the search admission (how many engine
// evaluations run at once), metrics and the log.
//
// A request takes the current ServingSnapshot once; every collection it touches is answered by
// that snapshot's generation. The cache key is (serial of each queried generation, normalised
// request), so a swap can never serve a stale result. Only the engine call holds an admission
// permit (a cache hit does no engine work and never queues). Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "busca/v1/search.pb.h"
#include "engine/query/cancellation.h"
#include "engine/util/status.h"
#include "server/generation_manager.h"
#include "server/json_log.h"
#include "server/metrics.h"
#include "server/query_cache.h"
#include "server/search_admission.h"
#include "server/server_config.h"

namespace busca::server {

class SearchHandler {
 public:
  SearchHandler(const ServerConfig& config, GenerationManager* manager, QueryCache* cache,
                SearchAdmission* admission, Metrics* metrics, JsonLog* log);

  // `deadline`: the caller's deadline (the gRPC one), or max() for "none" (the configured
  // default applies). `cancel`: asks whether the caller still wants the answer (the gRPC call's
  // cancellation), asked while queued for admission and during evaluation, at most every
  // config.cancel_check_interval (ThrottledCancellation); may be null.
  // Errors: INVALID_ARGUMENT (limits, syntax, unknown collection/field), UNAVAILABLE (collection
  // not serving), RESOURCE_EXHAUSTED (the admission queue is full), DEADLINE_EXCEEDED, CANCELLED.
  Status Search(const v1::SearchRequest& request, std::chrono::system_clock::time_point deadline,
                v1::SearchResponse* response, const query::CancellationSource* cancel = nullptr);
  Status Suggest(const v1::SuggestRequest& request, std::chrono::system_clock::time_point deadline,
                 v1::SuggestResponse* response, const query::CancellationSource* cancel = nullptr);
  Status GetStats(const v1::GetStatsRequest& request, v1::GetStatsResponse* response);

  const ServerConfig& config() const { return config_; }
  const SearchAdmission& admission() const { return *admission_; }

 private:
  query::QueryControl Control(std::chrono::system_clock::time_point deadline) const;
  // Waits for an engine slot until control.deadline, asking control.cancel (recording the wait or
  // the refusal in metrics); `*waited` = time queued.
  Result<SearchAdmission::Permit> Admit(const query::QueryControl& control,
                                        std::chrono::steady_clock::duration* waited);
  // Runs `call(control)` (an engine search or suggest) holding an admission permit; while queued
  // and while running, the caller is asked (throttled) whether it went away through `cancel`.
  // Engine errors come back as the caller should see them. `*queued` = time queued.
  template <typename Call>
  auto RunAdmitted(query::QueryControl control, const query::CancellationSource* cancel,
                   std::chrono::steady_clock::duration* queued, Call&& call) -> decltype(call(control));
  // Checks the requested collections against the snapshot; fills `*gens_key` with the cache key
  // prefix of the generations that will answer.
  Status ResolveCollections(const ServingSnapshot& snap, const std::vector<std::string>& requested,
                            std::string* gens_key) const;

  const ServerConfig& config_;
  GenerationManager* manager_;
  QueryCache* cache_;
  SearchAdmission* admission_;
  Metrics* metrics_;
  JsonLog* log_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace busca::server
