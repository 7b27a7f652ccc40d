#include "server/search_admission.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace busca::server {
namespace {

using Clock = std::chrono::steady_clock;

size_t DefaultRunning(size_t requested) {
  if (requested > 0) return requested;
  // Four per core: on a 2-core box one per core cost 20-35% QPS at 64 clients and did not lower
  // the p99 at 8 (server/README.md, "Measured"); the bound still caps a burst.
  return 4 * std::max<size_t>(1, std::thread::hardware_concurrency());
}

}  // namespace

SearchAdmission::Permit& SearchAdmission::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

void SearchAdmission::Permit::Release() {
  if (owner_ == nullptr) return;
  owner_->ReleaseSlot();
  owner_ = nullptr;
}

SearchAdmission::SearchAdmission(Options options)
    : max_running_(DefaultRunning(options.max_running)),
      max_waiting_(options.max_waiting),
      cancel_poll_interval_(std::max(options.cancel_poll_interval, std::chrono::milliseconds(1))),
      poll_spacing_per_waiter_(options.poll_spacing_per_waiter) {}

size_t SearchAdmission::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

size_t SearchAdmission::waiting() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

uint64_t SearchAdmission::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

Result<SearchAdmission::Permit> SearchAdmission::Acquire(Clock::time_point deadline,
                                                         const query::CancellationToken* cancel) {
  if (cancel != nullptr && cancel->cancelled()) {
    return Status::Cancelled("search cancelled before admission");
  }
  if (deadline != Clock::time_point::max() && Clock::now() >= deadline) {
    return Status::DeadlineExceeded("search deadline exceeded before admission");
  }
  std::unique_lock lock(mu_);
  if (running_ < max_running_) {  // then the queue is empty: nobody to overtake
    ++running_;
    return Permit(this);
  }
  if (queue_.size() >= max_waiting_) {
    ++rejected_;
    return Status::ResourceExhausted(
        fmt::format("search queue is full ({} waiting); retry later", queue_.size()));
  }
  Waiter self;
  self.deadline = deadline;
  auto position = queue_.insert(queue_.end(), &self);
  // Leaves the queue (if still in it) and reports why.
  auto give_up = [&](Status why) -> Result<Permit> {
    if (self.queued) queue_.erase(position);
    self.queued = false;
    return why;
  };
  const Status expired =
      Status::DeadlineExceeded("search deadline exceeded while queued for admission");
  while (!self.granted) {
    if (!self.queued) return expired;  // HandOffLocked skipped us: our deadline had passed
    Clock::time_point now = Clock::now();
    if (now >= deadline) return give_up(expired);
    if (cancel == nullptr) {
      if (deadline == Clock::time_point::max()) {
        self.cv.wait(lock);
      } else {
        self.cv.wait_until(lock, deadline);
      }
      continue;
    }
    Clock::duration interval =
        std::max<Clock::duration>(cancel_poll_interval_, queue_.size() * poll_spacing_per_waiter_);
    Clock::time_point poll_at = deadline - now < interval ? deadline : now + interval;
    bool notified = self.cv.wait_until(lock, poll_at) == std::cv_status::no_timeout;
    if (notified || self.granted || !self.queued || Clock::now() >= deadline) continue;
    // Time to ask the token; without holding mu_ (a source may be slow, e.g. a gRPC poll).
    lock.unlock();
    bool cancelled = cancel->cancelled();
    lock.lock();
    if (!cancelled) continue;
    Status why = Status::Cancelled("search cancelled while queued for admission");
    if (!self.granted) return give_up(why);
    HandOffLocked();  // we were handed the slot meanwhile: pass it on to the next waiter
    return why;
  }
  return Permit(this);
}

void SearchAdmission::ReleaseSlot() {
  std::lock_guard lock(mu_);
  HandOffLocked();
}

void SearchAdmission::HandOffLocked() {
  if (!queue_.empty()) {
    Clock::time_point now = Clock::now();
    while (!queue_.empty()) {
      Waiter* next = queue_.front();
      queue_.pop_front();
      next->queued = false;
      // Notified under mu_: the waiter (and its cv) cannot go away before we let go of mu_.
      if (now < next->deadline) {
        next->granted = true;  // the slot moves to it; running_ stays the same
        next->cv.notify_one();
        return;
      }
      next->cv.notify_one();  // expired: it reports DeadlineExceeded
    }
  }
  --running_;
}

}  // namespace busca::server
