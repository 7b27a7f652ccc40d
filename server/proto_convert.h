// Conversions between the wire API (busca.v1 protos) and the engine's query API
// (engine/query/searcher.h), used by the server (proto -> engine request, engine -> proto
// response) and by clients such as `search-cli query --server` (the reverse), so a remote
// result prints exactly like a local one. Also the server's request validation: every input
// limit is checked here first so a caller gets INVALID_ARGUMENT naming the field and the limit.
// Stateless functions; thread-safe.
#pragma once

#include <string>

#include "busca/v1/search.pb.h"
#include "engine/query/searcher.h"
#include "engine/util/status.h"

namespace busca::server {

// Validates `in` against the documented limits (engine/query/query_limits.h) and fills `*out`.
// InvalidArgument messages name the field: "limit 5000 exceeds the maximum of 1000".
Status ToEngineRequest(const v1::SearchRequest& in, query::SearchRequest* out);
Status ToEngineRequest(const v1::SuggestRequest& in, query::SuggestRequest* out);

void ToProto(const query::SearchResponse& in, v1::SearchResponse* out);
void ToProto(const query::SuggestResponse& in, v1::SuggestResponse* out);

// Client direction.
void ToProto(const query::SearchRequest& in, v1::SearchRequest* out);
Result<query::SearchResponse> FromProto(const v1::SearchResponse& in);

// A stable text form of an engine request with everything that changes the result and nothing
// that does not (defaults applied, collections sorted, whitespace of the query collapsed).
// Used as the result cache key (together with the generations).
std::string NormalizedKey(const query::SearchRequest& request);

// Proto -> JSON (the same field names as the proto, camelCase off) for the HTTP port.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace busca::server
