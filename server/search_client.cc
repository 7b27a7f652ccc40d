#include "server/search_client.h"

#include <grpcpp/grpcpp.h>

#include "busca/v1/search.grpc.pb.h"
#include "server/grpc_status.h"
#include "server/proto_convert.h"

namespace busca::server {

Result<query::SearchResponse> RemoteSearch(const std::string& target, const query::SearchRequest& request,
                                           std::chrono::milliseconds timeout) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto stub = v1::SearchService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::SearchRequest wire;
  ToProto(request, &wire);
  v1::SearchResponse response;
  grpc::Status st = stub->Search(&ctx, wire, &response);
  if (!st.ok()) return FromGrpcStatus(st, "search on " + target);
  return FromProto(response);
}

}  // namespace busca::server
