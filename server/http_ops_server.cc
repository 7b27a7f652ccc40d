#include "server/http_ops_server.h"

#include <httplib.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/index/document.h"
#include "server/grpc_status.h"
#include "server/proto_convert.h"
#include "server/search_service.h"

namespace busca::server {
namespace {

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kResourceExhausted: return 429;  // the search queue is full
    case StatusCode::kNotFound: return 404;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

void SendError(httplib::Response& res, const Status& st) {
  nlohmann::json j = {{"error", {{"code", std::string(StatusCodeName(st.code()))}, {"message", st.message()}}}};
  res.status = HttpStatusFor(st);
  res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<uint32_t> ParseUint(const std::string& name, const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(fmt::format("{}: '{}' is not a non-negative integer", name, text));
  }
  return static_cast<uint32_t>(std::stoul(text));
}

bool Truthy(const std::string& v) { return v == "1" || v == "true" || v == "yes"; }

// /search query parameters -> v1::SearchRequest (filters use query::ParseFilter's syntax).
Status ParseSearchParams(const httplib::Request& req, v1::SearchRequest* out) {
  out->set_query(req.get_param_value("q"));
  if (req.has_param("collections")) {
    for (auto& c : SplitComma(req.get_param_value("collections"))) out->add_collections(c);
  }
  if (req.has_param("limit")) {
    BUSCA_ASSIGN_OR_RETURN(uint32_t limit, ParseUint("limit", req.get_param_value("limit")));
    if (limit == 0) out->set_count_only(true);
    out->set_limit(limit);
  }
  if (req.has_param("offset")) {
    BUSCA_ASSIGN_OR_RETURN(uint32_t offset, ParseUint("offset", req.get_param_value("offset")));
    out->set_offset(offset);
  }
  if (req.has_param("sort")) {
    BUSCA_ASSIGN_OR_RETURN(query::SortSpec sort, query::ParseSort(req.get_param_value("sort")));
    out->mutable_sort()->set_field(sort.field);
    out->mutable_sort()->set_order(sort.ascending ? v1::SORT_ORDER_ASC : v1::SORT_ORDER_DESC);
  }
  size_t n = req.get_param_value_count("filter");
  for (size_t i = 0; i < n; ++i) {
    auto parsed = query::ParseFilter(req.get_param_value("filter", i));
    if (!parsed.ok()) return parsed.status().WithContext(fmt::format("filter[{}]", i));
    query::SearchRequest tmp;
    tmp.query = "x";
    tmp.filters.push_back(std::move(parsed).value());
    v1::SearchRequest wire;
    ToProto(tmp, &wire);
    *out->add_filters() = wire.filters(0);
  }
  if (req.has_param("fields")) {
    out->set_return_stored(true);
    for (auto& f : SplitComma(req.get_param_value("fields"))) {
      if (f != "*") out->add_stored_fields(f);
    }
  }
  if (req.has_param("stored")) out->set_return_stored(Truthy(req.get_param_value("stored")));
  out->set_highlight(Truthy(req.get_param_value("highlight")));
  out->set_explain(Truthy(req.get_param_value("explain")));
  return Status::Ok();
}

}  // namespace

std::string HealthJson(const ServingSnapshot& snap, bool draining, int* http_status) {
  nlohmann::json collections = nlohmann::json::object();
  size_t serving = 0;
  bool all_ok = true;
  std::string reason;
  for (const auto& c : snap.collections) {
    nlohmann::json j = {{"state", std::string(CollectionStateName(c.state))}};
    if (c.serving()) {
      ++serving;
      const auto& info = c.generation->info();
      j["generation"] = info.id;
      j["documents"] = info.live_docs;
      j["built_at"] = index::FormatTimestampMicros(info.built_at_micros);
    }
    if (c.state != CollectionState::kServing) {
      all_ok = false;
      if (reason.empty()) reason = fmt::format("{} is {}", c.name, CollectionStateName(c.state));
    }
    if (!c.error.empty()) j["error"] = c.error;
    collections[c.name] = std::move(j);
  }
  std::string status;
  if (draining) {
    status = "draining";
    reason = "the server is shutting down";
    *http_status = 503;
  } else if (serving == 0) {
    status = "unavailable";
    if (snap.collections.empty()) reason = "no collection found in the index directory";
    else reason = "no collection can serve";
    *http_status = 503;
  } else if (!all_ok) {
    status = "degraded";
    *http_status = 200;
  } else {
    status = "ok";
    *http_status = 200;
  }
  nlohmann::json doc = {{"status", status}, {"timestamp", NowIso8601()}, {"collections", std::move(collections)}};
  if (!reason.empty() && status != "ok") doc["reason"] = reason;
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct HttpOpsServer::Impl {
  httplib::Server http;
};

HttpOpsServer::HttpOpsServer(SearchHandler* handler, GenerationManager* manager, QueryCache* cache,
                             Metrics* metrics, JsonLog* log, const std::atomic<bool>* draining)
    : impl_(std::make_unique<Impl>()) {
  auto& http = impl_->http;
  http.set_keep_alive_max_count(100);
  // SO_REUSEADDR only (no SO_REUSEPORT): a second server on the same port must fail to bind,
  // not silently share it.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  http.Get("/health", [manager, draining](const httplib::Request&, httplib::Response& res) {
    int code = 200;
    res.set_content(HealthJson(*manager->snapshot(), draining->load(), &code), "application/json");
    res.status = code;
  });
  http.Get("/metrics", [handler, manager, cache, metrics, draining](const httplib::Request&, httplib::Response& res) {
    auto snap = manager->snapshot();
    std::vector<CollectionGauge> gauges;
    for (const auto& c : snap->collections) {
      CollectionGauge g;
      g.collection = c.name;
      g.serving = c.serving();
      g.swaps = c.swaps;
      g.load_failures = c.load_failures;
      if (c.serving()) {
        const auto& info = c.generation->info();
        g.generation = info.id;
        g.documents = info.live_docs;
        g.index_bytes = info.TotalBytes();
        g.built_at_seconds = info.built_at_micros / 1e6;
        g.loaded_at_seconds = std::chrono::duration<double>(c.loaded_at.time_since_epoch()).count();
      }
      gauges.push_back(std::move(g));
    }
    const SearchAdmission& admission = handler->admission();
    AdmissionGauge queue{admission.running(), admission.waiting(), admission.max_running(), admission.max_waiting()};
    res.set_content(
        metrics->Render(gauges, cache->entries(), cache->bytes(), cache->capacity_bytes(), queue, draining->load()),
        "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/search", [handler, metrics, log](const httplib::Request& req, httplib::Response& res) {
    auto started = std::chrono::steady_clock::now();
    metrics->InflightAdd(1);
    v1::SearchRequest request;
    v1::SearchResponse response;
    Status st = ParseSearchParams(req, &request);
    if (st.ok()) st = handler->Search(request, std::chrono::system_clock::time_point::max(), &response);
    metrics->InflightAdd(-1);
    (void)FinishCall(metrics, log, Rpc::kHttpSearch, started, st);
    if (!st.ok()) return SendError(res, st);
    res.set_content(ToJson(response), "application/json");
  });
  http.Get("/suggest", [handler](const httplib::Request& req, httplib::Response& res) {
    v1::SuggestRequest request;
    request.set_text(req.get_param_value("q"));
    for (auto& c : SplitComma(req.get_param_value("collections"))) request.add_collections(c);
    if (req.has_param("limit")) {
      auto limit = ParseUint("limit", req.get_param_value("limit"));
      if (!limit.ok()) return SendError(res, limit.status());
      request.set_limit(*limit);
    }
    v1::SuggestResponse response;
    Status st = handler->Suggest(request, std::chrono::system_clock::time_point::max(), &response);
    if (!st.ok()) return SendError(res, st);
    res.set_content(ToJson(response), "application/json");
  });
  http.Get("/stats", [handler](const httplib::Request& req, httplib::Response& res) {
    v1::GetStatsRequest request;
    v1::GetStatsResponse response;
    Status st = handler->GetStats(request, &response);
    if (!st.ok()) return SendError(res, st);
    res.set_content(ToJson(response), "application/json");
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) {
      SendError(res, Status::NotFound("no such endpoint (try /health, /metrics, /search, /suggest, /stats)"));
    }
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendError(res, Status::Internal("unexpected error"));
  });
}

HttpOpsServer::~HttpOpsServer() { Stop(); }

Status SplitHostPort(const std::string& address, std::string* host, int* port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 >= address.size()) {
    return Status::InvalidArgument(fmt::format("'{}' is not HOST:PORT", address));
  }
  *host = address.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  std::string p = address.substr(colon + 1);
  if (p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5 || std::stoi(p) > 65535) {
    return Status::InvalidArgument(fmt::format("'{}': bad port '{}'", address, p));
  }
  *port = std::stoi(p);
  if (host->empty()) *host = "0.0.0.0";
  return Status::Ok();
}

Status HttpOpsServer::Start(const std::string& address) {
  std::string host;
  int port = 0;
  BUSCA_RETURN_IF_ERROR(SplitHostPort(address, &host, &port));
  auto& http = impl_->http;
  if (port == 0) {
    port_ = http.bind_to_any_port(host.c_str());
    if (port_ < 0) return Status::IOError(fmt::format("http: cannot bind {}", address));
  } else {
    if (!http.bind_to_port(host.c_str(), port)) {
      return Status::IOError(fmt::format("http: cannot bind {} (in use?)", address));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { impl_->http.listen_after_bind(); });
  return Status::Ok();
}

void HttpOpsServer::Stop() {
  if (thread_.joinable()) {
    impl_->http.stop();
    thread_.join();
  }
}

}  // namespace busca::server
