// AwaitState: lets a concurrency test wait for a state another thread reaches (a waiter being
// queued, a slot being taken) without sleeping for a guessed time. Header-only.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace busca::testing {

// Spins (yielding) until `pred` holds; fails the test after 20 s (a hang, not a timing check).
template <typename Pred>
void AwaitState(Pred pred) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!pred()) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "state never reached";
    std::this_thread::yield();
  }
}

}  // namespace busca::testing
