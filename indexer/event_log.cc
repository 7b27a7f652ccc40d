// EventLog (see event_log.h).
#include "indexer/event_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace busca::indexer {

std::string UtcTimestampNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Status::IOError("cannot create log directory " + path.parent_path().string() + ": " +
                           ec.message());
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("cannot open log file " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<EventLog>(new EventLog(fd, path));
}

EventLog::~EventLog() { ::close(fd_); }

void EventLog::Write(nlohmann::json event) {
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = UtcTimestampNow();
  line["service"] = "rebuild-index";
  for (auto& [key, value] : event.items()) line[key] = value;
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard<std::mutex> guard(mu_);
  ssize_t n = ::write(fd_, text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size()) && last_error_.ok()) {
    last_error_ = Status::IOError("writing log file " + path_.string() + ": " +
                                  (n < 0 ? std::strerror(errno) : "short write"));
  }
}

Status EventLog::last_error() const {
  std::lock_guard<std::mutex> guard(mu_);
  return last_error_;
}

}  // namespace busca::indexer
