#include "server/throttled_cancellation.h"

namespace busca::server {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ThrottledCancellation::ThrottledCancellation(const query::CancellationSource* inner,
                                             std::chrono::nanoseconds interval)
    : inner_(inner),
      interval_nanos_(interval.count()),
      next_ask_nanos_(NowNanos() + interval.count()) {}

bool ThrottledCancellation::IsCancelled() const {
  if (cancelled_.load(std::memory_order_relaxed)) return true;
  if (inner_ == nullptr) return false;
  if (interval_nanos_ > 0) {
    int64_t now = NowNanos();
    int64_t next = next_ask_nanos_.load(std::memory_order_relaxed);
    if (now < next) return false;
    // One thread wins the right to ask; the others keep the last answer.
    if (!next_ask_nanos_.compare_exchange_strong(next, now + interval_nanos_,
                                                 std::memory_order_relaxed)) {
      return false;
    }
  }
  if (!inner_->IsCancelled()) return false;
  cancelled_.store(true, std::memory_order_relaxed);
  return true;
}

}  // namespace busca::server
