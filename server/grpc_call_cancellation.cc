#include "server/grpc_call_cancellation.h"

#include <grpcpp/server_context.h>

namespace busca::server {

bool GrpcCallCancellation::IsCancelled() const {
  if (cancelled_.load(std::memory_order_relaxed)) return true;
  if (!context_->IsCancelled()) return false;
  cancelled_.store(true, std::memory_order_relaxed);
  return true;
}

}  // namespace busca::server
