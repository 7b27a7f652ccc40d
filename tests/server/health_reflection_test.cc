// The standard services through real clients: grpc.health.v1.Health via the stubs generated from
// our shipped schemas/proto/grpc/health/v1/health.proto, and server reflection v1alpha the way
// grpcurl uses it: a raw bidi stream whose messages are encoded/decoded with our shipped
// reflection.proto (compiled by protoc into a descriptor set at build time and loaded at run
// time, never linked as C++), then a dynamic Search call built only from the descriptors the
// server returned.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include <cstdlib>
#include <fstream>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/server/server_fixture.h"

namespace busca::testing {
namespace {

namespace pb = google::protobuf;
using ::testing::Contains;

class HealthReflectionTest : public ServerFixture {};

TEST_F(HealthReflectionTest, HealthCheckReportsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string service : {"", "busca.v1.SearchService"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status st = health->Check(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << service << ": " << st.error_message();
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("no.such.Service");
  grpc::health::v1::HealthCheckResponse resp;
  EXPECT_EQ(health->Check(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(HealthReflectionTest, HealthTurnsNotServingWhenDraining) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext watch_ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("busca.v1.SearchService");
  auto watch = health->Watch(&watch_ctx, req);
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  std::thread stopper([this] { server_->Shutdown(); });
  // The watch may repeat SERVING before the drain's NOT_SERVING arrives (a busy machine sees it).
  bool not_serving = false;
  while (!not_serving && watch->Read(&resp)) {
    not_serving = resp.status() == grpc::health::v1::HealthCheckResponse::NOT_SERVING;
  }
  EXPECT_TRUE(not_serving);
  watch_ctx.TryCancel();
  stopper.join();
}

// Encodes/decodes reflection messages with a pool built from the descriptor set of our shipped
// schemas/proto/grpc/reflection/v1alpha/reflection.proto (BUSCA_REFLECTION_DESC).
class ReflectionClient {
 public:
  explicit ReflectionClient(std::shared_ptr<grpc::Channel> channel) : channel_(std::move(channel)) {
    pb::FileDescriptorSet set;
    std::ifstream in(BUSCA_REFLECTION_DESC, std::ios::binary);
    if (in && set.ParseFromIstream(&in)) {
      for (const auto& f : set.file()) file_ = pool_.BuildFile(f);
    }
    request_type_ = pool_.FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
    response_type_ = pool_.FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
    stream_.reset(grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
        channel_.get(),
        grpc::internal::RpcMethod("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                  grpc::internal::RpcMethod::BIDI_STREAMING),
        &ctx_));
  }
  bool loaded() const { return file_ != nullptr && request_type_ != nullptr && response_type_ != nullptr; }

  // Sends a request with `field` = `value`; returns the decoded response (null on failure).
  std::unique_ptr<pb::Message> Ask(const std::string& field, const std::string& value) {
    std::unique_ptr<pb::Message> req(factory_.GetPrototype(request_type_)->New());
    req->GetReflection()->SetString(req.get(), request_type_->FindFieldByName(field), value);
    std::string bytes = req->SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer out(&slice, 1);
    if (!stream_->Write(out)) return nullptr;
    grpc::ByteBuffer in;
    if (!stream_->Read(&in)) return nullptr;
    std::vector<grpc::Slice> slices;
    if (!in.Dump(&slices).ok()) return nullptr;
    std::string got;
    for (const auto& s : slices) got.append(reinterpret_cast<const char*>(s.begin()), s.size());
    std::unique_ptr<pb::Message> resp(factory_.GetPrototype(response_type_)->New());
    if (!resp->ParseFromString(got)) return nullptr;
    return resp;
  }

  const pb::Descriptor* response_type() const { return response_type_; }

  ~ReflectionClient() {
    if (stream_) {
      stream_->WritesDone();
      (void)stream_->Finish();
    }
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  pb::DescriptorPool pool_;
  const pb::FileDescriptor* file_ = nullptr;
  const pb::Descriptor* request_type_ = nullptr;
  const pb::Descriptor* response_type_ = nullptr;
  pb::DynamicMessageFactory factory_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream_;
};

const pb::Message& Sub(const pb::Message& m, const std::string& field) {
  return m.GetReflection()->GetMessage(m, m.GetDescriptor()->FindFieldByName(field));
}

TEST_F(HealthReflectionTest, ReflectionListsServicesAndServesDescriptors) {
  ReflectionClient client(channel_);
  ASSERT_TRUE(client.loaded());

  auto listed = client.Ask("list_services", "*");
  ASSERT_NE(listed, nullptr);
  const pb::Message& list = Sub(*listed, "list_services_response");
  const pb::FieldDescriptor* service_field = list.GetDescriptor()->FindFieldByName("service");
  std::vector<std::string> names;
  for (int i = 0; i < list.GetReflection()->FieldSize(list, service_field); ++i) {
    const pb::Message& s = list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.push_back(s.GetReflection()->GetString(s, s.GetDescriptor()->FindFieldByName("name")));
  }
  EXPECT_THAT(names, Contains("busca.v1.SearchService"));
  EXPECT_THAT(names, Contains("busca.v1.AdminService"));
  EXPECT_THAT(names, Contains("grpc.reflection.v1alpha.ServerReflection"));

  auto files = client.Ask("file_containing_symbol", "busca.v1.SearchService");
  ASSERT_NE(files, nullptr);
  const pb::Message& fdr = Sub(*files, "file_descriptor_response");
  const pb::FieldDescriptor* fdp = fdr.GetDescriptor()->FindFieldByName("file_descriptor_proto");
  int n = fdr.GetReflection()->FieldSize(fdr, fdp);
  ASSERT_GE(n, 1);
  // Build a pool from what the server sent, then call Search dynamically (what grpcurl does).
  pb::DescriptorPool pool;
  for (int i = 0; i < n; ++i) {
    pb::FileDescriptorProto proto;
    ASSERT_TRUE(proto.ParseFromString(fdr.GetReflection()->GetRepeatedString(fdr, fdp, i)));
    ASSERT_NE(pool.BuildFile(proto), nullptr) << proto.name();
  }
  const pb::ServiceDescriptor* service = pool.FindServiceByName("busca.v1.SearchService");
  ASSERT_NE(service, nullptr);
  const pb::MethodDescriptor* search = service->FindMethodByName("Search");
  ASSERT_NE(search, nullptr);
  pb::DynamicMessageFactory factory(&pool);
  std::unique_ptr<pb::Message> req(factory.GetPrototype(search->input_type())->New());
  req->GetReflection()->SetString(req.get(), search->input_type()->FindFieldByName("query"), "queijo");
  req->GetReflection()->AddString(req.get(), search->input_type()->FindFieldByName("collections"), "products");
  std::string bytes = req->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  grpc::Status st = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel_.get(), grpc::internal::RpcMethod("/busca.v1.SearchService/Search", grpc::internal::RpcMethod::NORMAL_RPC),
      &ctx, request, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string got;
  for (const auto& s : slices) got.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<pb::Message> resp(factory.GetPrototype(search->output_type())->New());
  ASSERT_TRUE(resp->ParseFromString(got));
  EXPECT_EQ(resp->GetReflection()->GetUInt64(*resp, search->output_type()->FindFieldByName("total_hits")), 40u);
}

}  // namespace
}  // namespace busca::testing
