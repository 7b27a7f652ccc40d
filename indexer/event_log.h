// EventLog: the rebuild's JSON-lines log (logs/search-rebuild.log by default), one object per
// event: {"ts":"2026-11-28T11:00:00.123Z","service":"rebuild-index","event":"phase",
// "collection":"posts","phase":"stream",...}. `tail -f` friendly: each line is written with one
// write(2) on an O_APPEND descriptor, so concurrent writers (tool + server) never interleave.
//
// Thread-safe. Logging never fails a rebuild: a write error is remembered (last_error()) and
// reported once by the caller.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"

namespace busca::indexer {

class EventLog {
 public:
  // Creates the parent directories and opens `path` for appending.
  static Result<std::unique_ptr<EventLog>> Open(const std::filesystem::path& path);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Adds "ts" and "service" (unless present) and appends the event as one line.
  void Write(nlohmann::json event);
  Status last_error() const;

 private:
  EventLog(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::filesystem::path path_;
  mutable std::mutex mu_;
  Status last_error_;
};

// "2026-11-28T11:00:00.123Z" (now, UTC, milliseconds).
std::string UtcTimestampNow();

}  // namespace busca::indexer
