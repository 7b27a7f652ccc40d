// GrpcCallCancellation: a query::CancellationSource over one sync-API gRPC call, so a call the
// client cancelled (or whose connection went away) stops the engine and leaves the admission
// queue. Keeps gRPC out of engine/: the engine only sees the CancellationSource interface.
//
// grpc::ServerContext::IsCancelled() is documented as always safe and thread-safe with the sync
// API, but it is far from free: it plucks the call's completion queue, i.e. runs gRPC's poller on
// the asking thread (15-20 µs on an idle 2-core VM, gRPC 1.51, and futex waits under load;
// steady_clock::now() is ~30 ns). So this class asks on every call and callers throttle it
// (ThrottledCancellation, server/throttled_cancellation.h). Once the call reports cancelled the
// answer is latched. Thread-safe; must not outlive the ServerContext.
#pragma once

#include <atomic>

#include "engine/query/cancellation.h"

namespace grpc {
class ServerContext;
}  // namespace grpc

namespace busca::server {

class GrpcCallCancellation final : public query::CancellationSource {
 public:
  explicit GrpcCallCancellation(const grpc::ServerContext* context) : context_(context) {}
  GrpcCallCancellation(const GrpcCallCancellation&) = delete;
  GrpcCallCancellation& operator=(const GrpcCallCancellation&) = delete;

  bool IsCancelled() const override;

 private:
  const grpc::ServerContext* context_;
  mutable std::atomic<bool> cancelled_{false};
};

}  // namespace busca::server
