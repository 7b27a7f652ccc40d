// SearchAdmission: at most N permits at once, strict FIFO admission, a bounded queue
// (RESOURCE_EXHAUSTED beyond it), deadlines and cancellation while queued, and the permit given
// back on every path (RAII, moves, explicit release, giving up, being skipped).
//
// No sleep decides an outcome: threads are lined up by waiting until the admission reports them
// queued (waiting() == k), then the test releases a permit and checks what happened.
#include "server/search_admission.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "engine/query/cancellation.h"
#include "tests/support/await_state.h"

namespace busca::server {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

SearchAdmission::Options Opts(size_t running, size_t waiting) {
  SearchAdmission::Options o;
  o.max_running = running;
  o.max_waiting = waiting;
  o.cancel_poll_interval = std::chrono::milliseconds(1);
  return o;
}

using busca::testing::AwaitState;

SearchAdmission::Permit MustAcquire(SearchAdmission& a) {
  auto p = a.Acquire(kNoDeadline, nullptr);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : SearchAdmission::Permit();
}

// A CancellationSource that reports cancelled once `flag` is set, counting the polls.
class FlagSource : public query::CancellationSource {
 public:
  bool IsCancelled() const override {
    polls.fetch_add(1);
    return flag.load();
  }
  std::atomic<bool> flag{false};
  mutable std::atomic<int> polls{0};
};

TEST(SearchAdmissionTest, DefaultsToTheNumberOfCores) {
  SearchAdmission a(SearchAdmission::Options{});
  EXPECT_EQ(a.max_running(), 4 * std::max<size_t>(1, std::thread::hardware_concurrency()));
  EXPECT_EQ(a.max_waiting(), 1000u);
}

TEST(SearchAdmissionTest, AdmitsUpToTheLimitAtOnce) {
  SearchAdmission a(Opts(2, 0));
  auto p1 = MustAcquire(a);
  auto p2 = MustAcquire(a);
  EXPECT_EQ(a.running(), 2u);
  auto p3 = a.Acquire(kNoDeadline, nullptr);
  ASSERT_FALSE(p3.ok());
  EXPECT_EQ(p3.status().code(), StatusCode::kResourceExhausted);
  p1.Release();
  EXPECT_EQ(a.running(), 1u);
  auto p4 = MustAcquire(a);
  EXPECT_EQ(a.running(), 2u);
}

TEST(SearchAdmissionTest, AdmitsWaitersInArrivalOrder) {
  constexpr int kWaiters = 12;
  SearchAdmission a(Opts(1, 100));
  auto first = MustAcquire(a);
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&, i] {
      auto p = a.Acquire(kNoDeadline, nullptr);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      std::lock_guard lock(mu);
      order.push_back(i);
    });  // the permit goes back when the thread's Result goes out of scope
    AwaitState([&] {
      return a.waiting() == static_cast<size_t>(i + 1);
    });  // i is queued before i+1 arrives
  }
  EXPECT_EQ(a.running(), 1u);
  first.Release();
  for (auto& t : threads) t.join();
  std::vector<int> expected(kWaiters);
  for (int i = 0; i < kWaiters; ++i) expected[i] = i;
  EXPECT_EQ(order, expected);
  EXPECT_EQ(a.running(), 0u);
  EXPECT_EQ(a.waiting(), 0u);
}

TEST(SearchAdmissionTest, LaterArrivalsDoNotOvertakeWaiters) {
  // A slot freed while someone waits goes to the waiter, not to a newcomer.
  SearchAdmission a(Opts(1, 10));
  auto held = MustAcquire(a);
  std::atomic<bool> waiter_done{false};
  std::optional<SearchAdmission::Permit> waiter_permit;
  std::thread waiter([&] {
    auto p = a.Acquire(kNoDeadline, nullptr);
    ASSERT_TRUE(p.ok());
    waiter_permit.emplace(std::move(p).value());
    waiter_done = true;
  });
  AwaitState([&] { return a.waiting() == 1; });
  held.Release();
  // The slot was handed to the waiter: a newcomer with no time to wait is refused a slot.
  auto newcomer = a.Acquire(Clock::now() + std::chrono::milliseconds(1), nullptr);
  waiter.join();
  EXPECT_TRUE(waiter_done);
  ASSERT_FALSE(newcomer.ok());
  EXPECT_EQ(newcomer.status().code(), StatusCode::kDeadlineExceeded);
  waiter_permit.reset();
  EXPECT_EQ(a.running(), 0u);
}

TEST(SearchAdmissionTest, RefusesAtOnceWhenTheQueueIsFull) {
  SearchAdmission a(Opts(1, 2));
  auto held = MustAcquire(a);
  std::vector<std::thread> waiters;
  std::atomic<int> admitted{0};
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&] {
      auto p = a.Acquire(kNoDeadline, nullptr);
      if (p.ok()) admitted.fetch_add(1);
    });
  }
  AwaitState([&] { return a.waiting() == 2; });
  auto refused = a.Acquire(kNoDeadline, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(), "search queue is full (2 waiting); retry later");
  EXPECT_EQ(a.rejected(), 1u);
  EXPECT_EQ(a.waiting(), 2u);  // the refusal did not queue
  held.Release();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(admitted.load(), 2);
  EXPECT_EQ(a.running(), 0u);
  EXPECT_EQ(a.waiting(), 0u);
}

TEST(SearchAdmissionTest, GivesUpWhenTheDeadlinePassesWhileQueued) {
  SearchAdmission a(Opts(1, 10));
  auto held = MustAcquire(a);
  auto r = a.Acquire(Clock::now() + std::chrono::milliseconds(30), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(a.waiting(), 0u);
  EXPECT_EQ(a.running(), 1u);
  held.Release();
  EXPECT_EQ(a.running(), 0u);  // no slot was left to the waiter that gave up
  // A deadline already past never waits, even with a free slot.
  auto late = a.Acquire(Clock::now() - std::chrono::milliseconds(1), nullptr);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(a.running(), 0u);
}

TEST(SearchAdmissionTest, NeverHandsASlotToAWaiterPastItsDeadline) {
  // A (short deadline) queued before B (none). Once A's deadline has passed, the freed slot goes
  // to B, whether A noticed first or the hand-off skipped it; A never gets a permit.
  SearchAdmission a(Opts(1, 10));
  auto held = MustAcquire(a);
  Clock::time_point a_deadline = Clock::now() + std::chrono::milliseconds(20);
  std::optional<Status> a_status;
  std::optional<Status> b_status;
  std::atomic<bool> a_done{false};
  std::thread ta([&] {
    auto p = a.Acquire(a_deadline, nullptr);
    a_status = p.status();
    a_done = true;
  });
  AwaitState([&] { return a.waiting() == 1; });
  std::thread tb([&] {
    auto p = a.Acquire(kNoDeadline, nullptr);
    b_status = p.status();
  });
  // B is queued (with A still queued, or after A gave up by itself), and A's deadline has passed.
  AwaitState([&] { return a.waiting() == 2 || (a_done && a.waiting() == 1); });
  AwaitState([&] { return Clock::now() > a_deadline; });
  held.Release();
  ta.join();
  tb.join();
  ASSERT_TRUE(a_status.has_value());
  ASSERT_TRUE(b_status.has_value());
  EXPECT_EQ(a_status->code(), StatusCode::kDeadlineExceeded) << a_status->ToString();
  EXPECT_TRUE(b_status->ok()) << b_status->ToString();
  EXPECT_EQ(a.running(), 0u);
  EXPECT_EQ(a.waiting(), 0u);
}

TEST(SearchAdmissionTest, LeavesTheQueueWhenCancelled) {
  SearchAdmission a(Opts(1, 10));
  auto held = MustAcquire(a);
  query::CancellationToken token;
  std::optional<Status> status;
  std::thread waiter([&] {
    auto p = a.Acquire(kNoDeadline, &token);
    status = p.status();
  });
  AwaitState([&] { return a.waiting() == 1; });
  token.Cancel();
  waiter.join();  // returns only because it noticed: nobody releases `held`
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), StatusCode::kCancelled);
  EXPECT_EQ(a.waiting(), 0u);
  EXPECT_EQ(a.running(), 1u);
  held.Release();
  EXPECT_EQ(a.running(), 0u);
}

TEST(SearchAdmissionTest, PollsTheCancellationSourceWhileQueued) {
  SearchAdmission a(Opts(1, 10));
  auto held = MustAcquire(a);
  FlagSource source;
  query::CancellationToken token(&source);
  std::optional<Status> status;
  std::thread waiter([&] {
    auto p = a.Acquire(kNoDeadline, &token);
    status = p.status();
  });
  AwaitState([&] { return a.waiting() == 1; });
  int polls_before = source.polls.load();
  source.flag = true;
  waiter.join();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), StatusCode::kCancelled);
  EXPECT_GT(source.polls.load(), polls_before);
  EXPECT_EQ(a.waiting(), 0u);
  // Cancelled before arriving: refused without taking a free slot.
  held.Release();
  query::CancellationToken gone;
  gone.Cancel();
  auto r = a.Acquire(kNoDeadline, &gone);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(a.running(), 0u);
}

TEST(SearchAdmissionTest, PermitIsGivenBackOnEveryPath) {
  SearchAdmission a(Opts(2, 0));
  {
    auto r = a.Acquire(kNoDeadline, nullptr);  // never unwrapped: the Result owns the permit
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(a.running(), 1u);
  }
  EXPECT_EQ(a.running(), 0u);
  {
    auto p = MustAcquire(a);
    SearchAdmission::Permit moved(std::move(p));
    EXPECT_FALSE(p.held());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_TRUE(moved.held());
    EXPECT_EQ(a.running(), 1u);
    SearchAdmission::Permit assigned;
    assigned = std::move(moved);
    EXPECT_EQ(a.running(), 1u);
    auto other = MustAcquire(a);
    EXPECT_EQ(a.running(), 2u);
    assigned = std::move(other);  // the overwritten permit is released
    EXPECT_EQ(a.running(), 1u);
    assigned.Release();
    assigned.Release();  // idempotent
    EXPECT_FALSE(assigned.held());
    EXPECT_EQ(a.running(), 0u);
  }
  EXPECT_EQ(a.running(), 0u);
  {
    auto p1 = MustAcquire(a);
    auto p2 = MustAcquire(a);
    auto refused = a.Acquire(kNoDeadline, nullptr);
    EXPECT_FALSE(refused.ok());
  }
  EXPECT_EQ(a.running(), 0u);
  EXPECT_EQ(a.waiting(), 0u);
}

// Property: under many threads acquiring with random deadlines, cancellations and release
// styles, no more than N permits are ever held at once, every attempt ends in exactly one
// outcome, and at the end nothing is held or queued.
TEST(SearchAdmissionTest, NeverMoreThanNRunningUnderRandomContention) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    std::mt19937 setup(seed);
    const size_t n = 1 + setup() % 4;
    const size_t queue = (seed % 3 == 0) ? 3 : 1000;  // some runs also exercise refusals
    SearchAdmission a(Opts(n, queue));
    constexpr int kThreads = 12;
    constexpr int kRounds = 150;
    std::atomic<int> inside{0};
    std::atomic<int> max_inside{0};
    std::atomic<int> violations{0};
    std::atomic<int> admitted{0}, timed_out{0}, cancelled{0}, refused{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(seed * 1000 + t);
        for (int i = 0; i < kRounds; ++i) {
          query::CancellationToken token;
          if (rng() % 8 == 0) token.Cancel();
          Clock::time_point deadline = kNoDeadline;
          if (rng() % 4 == 0) deadline = Clock::now() + std::chrono::microseconds(rng() % 300);
          auto r = a.Acquire(deadline, rng() % 2 ? &token : nullptr);
          if (!r.ok()) {
            switch (r.status().code()) {
              case StatusCode::kDeadlineExceeded:
                timed_out.fetch_add(1);
                break;
              case StatusCode::kCancelled:
                cancelled.fetch_add(1);
                break;
              case StatusCode::kResourceExhausted:
                refused.fetch_add(1);
                break;
              default:
                other.fetch_add(1);
                break;
            }
            continue;
          }
          admitted.fetch_add(1);
          int now_inside = inside.fetch_add(1) + 1;
          if (now_inside > static_cast<int>(n)) violations.fetch_add(1);
          int seen = max_inside.load();
          while (now_inside > seen && !max_inside.compare_exchange_weak(seen, now_inside)) {
          }
          for (uint32_t spin = rng() % 2000; spin > 0; --spin) {
            if (spin % 256 == 0) std::this_thread::yield();
          }
          inside.fetch_sub(1);
          switch (rng() % 3) {
            case 0:
              r->Release();
              break;  // explicit
            case 1: {
              SearchAdmission::Permit moved(std::move(*r));
              break;
            }  // moved, then destroyed
            default:
              break;  // the Result's destructor
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " n " << n << " queue " << queue);
    EXPECT_EQ(violations.load(), 0);
    EXPECT_LE(max_inside.load(), static_cast<int>(n));
    EXPECT_GE(max_inside.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(admitted + timed_out + cancelled + refused, kThreads * kRounds);
    EXPECT_EQ(static_cast<uint64_t>(refused.load()), a.rejected());
    EXPECT_EQ(a.running(), 0u);
    EXPECT_EQ(a.waiting(), 0u);
    // Everything was given back: all N slots can be taken again at once.
    std::vector<SearchAdmission::Permit> all;
    for (size_t i = 0; i < n; ++i) {
      auto p = a.Acquire(Clock::now() + std::chrono::seconds(5), nullptr);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      all.push_back(std::move(p).value());
    }
    EXPECT_EQ(a.running(), n);
  }
}

}  // namespace
}  // namespace busca::server
