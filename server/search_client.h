// Client side of SearchService for `search-cli query --server HOST:PORT`: sends an engine
// SearchRequest to a running search-server and returns the engine SearchResponse, so remote and
// local results print the same way. Stateless; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "engine/query/searcher.h"
#include "engine/util/status.h"

namespace busca::server {

// Plaintext channel to `target` (HOST:PORT). Server errors come back with their code and message
// (INVALID_ARGUMENT with the reason, UNAVAILABLE when unreachable, DEADLINE_EXCEEDED...).
Result<query::SearchResponse> RemoteSearch(const std::string& target, const query::SearchRequest& request,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace busca::server
