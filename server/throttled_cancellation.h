// ThrottledCancellation: asks an expensive query::CancellationSource (a gRPC call:
// GrpcCallCancellation) at most once per `interval`, the first time only `interval` after
// construction; in between the last answer stands. The engine asks its token every 256
// candidates, so without this a long search would ask gRPC thousands of times a second.
//
// SearchHandler makes one per phase of a request — one while it waits in the admission queue,
// a fresh one when its engine evaluation starts — so a search that runs for less than `interval`
// never pays for the check, however long it queued. Once the inner source reports cancelled the
// answer is latched. Thread-safe; `inner` (may be null: never cancelled) must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "engine/query/cancellation.h"

namespace busca::server {

class ThrottledCancellation final : public query::CancellationSource {
 public:
  // `interval` zero = ask the inner source every time.
  ThrottledCancellation(const query::CancellationSource* inner, std::chrono::nanoseconds interval);
  ThrottledCancellation(const ThrottledCancellation&) = delete;
  ThrottledCancellation& operator=(const ThrottledCancellation&) = delete;

  bool IsCancelled() const override;

 private:
  const query::CancellationSource* inner_;
  const int64_t interval_nanos_;
  mutable std::atomic<int64_t> next_ask_nanos_;  // steady_clock nanoseconds
  mutable std::atomic<bool> cancelled_{false};
};

}  // namespace busca::server
