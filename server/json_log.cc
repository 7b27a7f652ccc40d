#include "server/json_log.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <xxhash.h>

namespace busca::server {

JsonLog::JsonLog(std::string service, const std::string& level, const std::string& file)
    : service_(std::move(service)) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, /*truncate=*/false);
    } catch (const spdlog::spdlog_ex&) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    }
  }
  logger_ = std::make_shared<spdlog::logger>(service_, sink);
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::from_str(level));
  logger_->flush_on(spdlog::level::info);
}

void JsonLog::Log(spdlog::level::level_enum level, std::string_view event_type, nlohmann::json fields) {
  if (!logger_->should_log(level)) return;
  nlohmann::ordered_json line = nlohmann::ordered_json::object();  // ts, service, level, event_type first
  line["ts"] = NowIso8601();
  line["service"] = service_;
  auto lv = spdlog::level::to_string_view(level);
  line["level"] = std::string(lv.data(), lv.size());
  line["event_type"] = std::string(event_type);
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  }
  logger_->log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string QueryHash(std::string_view query) {
  std::string norm;
  bool space = false;
  for (char c : query) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !norm.empty();
      continue;
    }
    if (space) norm.push_back(' ');
    space = false;
    norm.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return fmt::format("q:{:016x}", XXH64(norm.data(), norm.size(), 0));
}

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, ms);
}

}  // namespace busca::server
