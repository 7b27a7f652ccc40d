// JsonLog: the server's structured log, one JSON object per line (spdlog underneath):
//   {"ts":"2026-11-28T11:00:00.123Z","service":"search-server","level":"info",
//    "event_type":"generation_swap","collection":"products","generation":43,"latency_ms":12.5}
// No PII: callers never pass query text unless the operator enabled --log-query-text; the
// slow-query log passes QueryHash() instead. Thread-safe (spdlog's mutexed sinks).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace busca::server {

class JsonLog {
 public:
  // `file` empty = stderr. `level`: trace|debug|info|warn|error|off.
  JsonLog(std::string service, const std::string& level, const std::string& file = "");
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  bool Enabled(spdlog::level::level_enum level) const { return logger_->should_log(level); }
  void Log(spdlog::level::level_enum level, std::string_view event_type, nlohmann::json fields = {});
  void Info(std::string_view event_type, nlohmann::json fields = {}) {
    Log(spdlog::level::info, event_type, std::move(fields));
  }
  void Warn(std::string_view event_type, nlohmann::json fields = {}) {
    Log(spdlog::level::warn, event_type, std::move(fields));
  }
  void Error(std::string_view event_type, nlohmann::json fields = {}) {
    Log(spdlog::level::err, event_type, std::move(fields));
  }
  void Flush() { logger_->flush(); }

 private:
  std::string service_;
  std::shared_ptr<spdlog::logger> logger_;
};

// "q:" + 16 hex digits of xxhash64 of the whitespace-collapsed, lower-cased query: equal queries
// hash alike (for counting), the text cannot be read back.
std::string QueryHash(std::string_view query);

// ISO-8601 UTC with milliseconds.
std::string NowIso8601();

}  // namespace busca::server
