// CancellationToken: how a caller stops a running search (QueryControl::cancel, searcher.h).
//
// A token is cancelled either by Cancel() (a flag, e.g. set by another thread) or by its optional
// CancellationSource, which the engine polls through cancelled() between phases and every 256
// candidates during evaluation. The source is how a front end that can only be *asked* whether
// its call is still wanted (server/ wraps a gRPC ServerContext) plugs into the engine without the
// engine knowing gRPC. Once the source reports true, the token latches cancelled.
//
// Thread-safety: Cancel() and cancelled() may be called from any thread at once; a source must
// allow that too. cancelled() runs on the hot path, so a source must be cheap (rate-limit an
// expensive check inside the source).
#pragma once

#include <atomic>

namespace busca::query {

// Something outside the engine that can say a search is no longer wanted.
class CancellationSource {
 public:
  virtual ~CancellationSource() = default;
  // True once the work should stop. Must be thread-safe and cheap; called often.
  virtual bool IsCancelled() const = 0;
};

class CancellationToken {
 public:
  CancellationToken() = default;
  // `source` is not owned, may be null, and must outlive the token.
  explicit CancellationToken(const CancellationSource* source) : source_(source) {}
  CancellationToken(const CancellationToken&) = delete;
  CancellationToken& operator=(const CancellationToken&) = delete;

  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  bool cancelled() const {
    if (cancelled_.load(std::memory_order_relaxed)) return true;
    if (source_ == nullptr || !source_->IsCancelled()) return false;
    cancelled_.store(true, std::memory_order_relaxed);
    return true;
  }

 private:
  mutable std::atomic<bool> cancelled_{false};
  const CancellationSource* source_ = nullptr;
};

}  // namespace busca::query
