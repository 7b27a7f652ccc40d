// SearchAdmission: bounds how many searches run in the engine at once (like Elasticsearch's
// `thread_pool.search`). At most max_running() requests hold a Permit; the others wait in a
// bounded FIFO queue and are admitted strictly in arrival order (a released permit is handed
// directly to the oldest waiter, so nobody can overtake). When max_waiting() requests already
// wait, Acquire fails at once with ResourceExhausted.
//
// Why: with more concurrent searches than cores, every search is time-sliced with all the others
// (processor sharing), so each takes as long as all of them together; admitting only as many as
// there are cores lets each admitted search run at full speed while the rest queue, and bounds
// the work in flight (measured effect on served latency: server/README.md, "Measured").
//
// A waiter gives up when its deadline passes (DeadlineExceeded; a permit is never handed to a
// waiter whose deadline has passed) or when its CancellationToken reports cancelled (Cancelled).
// A gRPC sync call can only be asked, not notified, and asking is not cheap (~20 µs, and it runs
// gRPC's poller on the asking thread), so each waiter asks every Options::cancel_poll_interval,
// stretched to `waiting() x Options::poll_spacing_per_waiter` when many wait: all waiters
// together ask at most ~200 times a second, however long the queue. (A cancelled call admitted
// before it noticed is stopped by the engine's own checks.) A Permit is move-only and releases
// its slot when destroyed (RAII).
//
// Thread-safe. The SearchAdmission must outlive every Permit it granted and every Acquire call.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>

#include "engine/query/cancellation.h"
#include "engine/util/status.h"

namespace busca::server {

class SearchAdmission {
 public:
  struct Options {
    size_t max_running = 0;     // 0 = 4 x std::thread::hardware_concurrency()
    size_t max_waiting = 1000;  // queue bound; 0 = never wait (refuse when all slots are busy)
    // How often a waiter asks its CancellationToken whether the caller went away (at least).
    std::chrono::milliseconds cancel_poll_interval{20};
    // ... stretched to waiting() x this when many wait.
    std::chrono::microseconds poll_spacing_per_waiter{5000};
  };

  // The right to run one search in the engine. Empty after a move; releases on destruction.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { Release(); }

    bool held() const { return owner_ != nullptr; }
    // Gives the slot back now (idempotent).
    void Release();

   private:
    friend class SearchAdmission;
    explicit Permit(SearchAdmission* owner) : owner_(owner) {}
    SearchAdmission* owner_ = nullptr;
  };

  explicit SearchAdmission(Options options);
  SearchAdmission(const SearchAdmission&) = delete;
  SearchAdmission& operator=(const SearchAdmission&) = delete;

  // Waits for a slot. `deadline` is absolute (time_point::max() = none); `cancel` may be null.
  // Errors: ResourceExhausted ("search queue is full (N waiting); retry later"),
  // DeadlineExceeded, Cancelled.
  Result<Permit> Acquire(std::chrono::steady_clock::time_point deadline,
                         const query::CancellationToken* cancel);

  size_t max_running() const { return max_running_; }
  size_t max_waiting() const { return max_waiting_; }
  size_t running() const;
  size_t waiting() const;
  uint64_t rejected() const;

 private:
  struct Waiter {
    std::condition_variable cv;
    std::chrono::steady_clock::time_point deadline;
    bool queued = true;    // false once Release took it off the queue
    bool granted = false;  // true when Release handed it the slot
  };
  void ReleaseSlot();
  // Hands the slot of a finished permit to the oldest waiter whose deadline has not passed, or
  // frees it. REQUIRES: mu_ held.
  void HandOffLocked();

  const size_t max_running_;
  const size_t max_waiting_;
  const std::chrono::milliseconds cancel_poll_interval_;
  const std::chrono::microseconds poll_spacing_per_waiter_;
  mutable std::mutex mu_;
  size_t running_ = 0;        // slots held (by permits or handed to a waiter not yet awake)
  std::list<Waiter*> queue_;  // FIFO; non-empty only while running_ == max_running_
  uint64_t rejected_ = 0;
};

}  // namespace busca::server
