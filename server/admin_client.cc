#include "server/admin_client.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <grpcpp/grpcpp.h>

#include "busca/v1/search.grpc.pb.h"
#include "server/grpc_status.h"

namespace busca::server {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  auto end = s.find_last_not_of(ws);
  s.erase(end == std::string::npos ? 0 : end + 1);
  return s;
}

}  // namespace

Result<std::string> LoadAdminToken(const std::string& token_file) {
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) return Status::IOError("cannot read admin token file " + token_file);
    std::string line;
    std::getline(in, line);
    line = Trim(line);
    if (line.empty()) return Status::InvalidArgument("admin token file " + token_file + " is empty");
    return line;
  }
  if (const char* env = std::getenv("SEARCH_ADMIN_TOKEN"); env != nullptr) {
    std::string token = Trim(env);
    if (!token.empty()) return token;
  }
  return Status::NotFound("no admin token: pass --admin-token-file or set SEARCH_ADMIN_TOKEN");
}

Status NotifyReload(const std::string& target, const std::string& token) {
  return NotifyReload(target, token, {});
}

Status NotifyReload(const std::string& target, const std::string& token,
                    const std::vector<std::string>& collections, std::chrono::milliseconds timeout) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto stub = busca::v1::AdminService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  ctx.AddMetadata("authorization", "Bearer " + token);
  busca::v1::ReloadRequest request;
  for (const auto& c : collections) request.add_collections(c);
  busca::v1::ReloadResponse response;
  grpc::Status st = stub->Reload(&ctx, request, &response);
  if (!st.ok()) return FromGrpcStatus(st, "reload on " + target);
  std::string errors;
  for (const auto& c : response.collections()) {
    if (!c.error().empty()) errors += (errors.empty() ? "" : "; ") + c.collection() + ": " + c.error();
  }
  if (!errors.empty()) return Status::FailedPrecondition("reload on " + target + ": " + errors);
  return Status::Ok();
}

}  // namespace busca::server
