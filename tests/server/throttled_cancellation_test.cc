// ThrottledCancellation: asks the inner source at most once per interval (the first time one
// interval after construction), latches a cancellation, and treats a null source as "never".
#include "server/throttled_cancellation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace busca::server {
namespace {

class CountingSource : public query::CancellationSource {
 public:
  bool IsCancelled() const override {
    asks.fetch_add(1);
    return cancelled.load();
  }
  std::atomic<bool> cancelled{false};
  mutable std::atomic<int> asks{0};
};

TEST(ThrottledCancellationTest, ZeroIntervalAsksEveryTimeAndLatches) {
  CountingSource inner;
  ThrottledCancellation t(&inner, std::chrono::nanoseconds(0));
  EXPECT_FALSE(t.IsCancelled());
  EXPECT_FALSE(t.IsCancelled());
  EXPECT_EQ(inner.asks.load(), 2);
  inner.cancelled = true;
  EXPECT_TRUE(t.IsCancelled());
  inner.cancelled = false;  // latched: not asked again
  EXPECT_TRUE(t.IsCancelled());
  EXPECT_EQ(inner.asks.load(), 3);
}

TEST(ThrottledCancellationTest, DoesNotAskBeforeTheFirstInterval) {
  CountingSource inner;
  inner.cancelled = true;
  ThrottledCancellation t(&inner, std::chrono::hours(1));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(t.IsCancelled());
  EXPECT_EQ(inner.asks.load(), 0);
}

TEST(ThrottledCancellationTest, AsksOnceTheIntervalHasPassed) {
  CountingSource inner;
  inner.cancelled = true;
  auto start = std::chrono::steady_clock::now();
  ThrottledCancellation t(&inner, std::chrono::milliseconds(1));
  bool seen = false;
  while (!seen) {
    seen = t.IsCancelled();
    ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1));
  EXPECT_EQ(inner.asks.load(), 1);
}

TEST(ThrottledCancellationTest, NullSourceIsNeverCancelled) {
  ThrottledCancellation t(nullptr, std::chrono::nanoseconds(0));
  EXPECT_FALSE(t.IsCancelled());
}

}  // namespace
}  // namespace busca::server
