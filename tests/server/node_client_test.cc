// The contract from the caller's side: the Node.js example client (clients/node, @grpc/grpc-js +
// @grpc/proto-loader over schemas/proto) runs against a real server on a real index. Skips only
// when node is not installed; installs the locked dependencies (npm ci) when node_modules is
// missing.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace busca::testing {
namespace {

struct Output {
  int exit_code = -1;
  std::string out;
};

Output RunShell(const std::string& command) {
  Output o;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) o.out.append(buf, n);
  int status = pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::string SourceDir() {
  const char* s = std::getenv("BUSCA_SOURCE_DIR");
  return s ? s : ".";
}

class NodeClientTest : public ServerFixture {
 protected:
  void SetUp() override {
    if (RunShell("command -v node >/dev/null 2>&1 && echo yes").out.find("yes") == std::string::npos) {
      GTEST_SKIP() << "node is not installed (scripts/setup-deps.sh installs nodejs and npm)";
    }
    client_dir_ = SourceDir() + "/clients/node";
    if (!std::filesystem::exists(client_dir_ + "/node_modules/@grpc/grpc-js")) {
      auto npm = RunShell("cd '" + client_dir_ + "' && npm ci --no-audit --no-fund 2>&1");
      ASSERT_EQ(npm.exit_code, 0) << "npm ci failed:\n" << npm.out;
    }
    ServerFixture::SetUp();
  }

  nlohmann::json Example(const std::string& args) {
    auto o = RunShell("node '" + client_dir_ + "/example.js' --target " + target_ + " " + args + " 2>&1");
    EXPECT_EQ(o.exit_code, 0) << o.out;
    try {
      return nlohmann::json::parse(o.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << o.out;
      return {};
    }
  }

  std::string client_dir_;
};

TEST_F(NodeClientTest, SearchSuggestAndHealthFromNode) {
  auto health = Example("health");
  EXPECT_EQ(health["status"], "SERVING");

  auto search = Example("search 'pão de queijo' --collections products --limit 5");
  auto q = Query("pão de queijo", 5);
  q.add_collections("products");
  q.set_return_stored(true);
  auto expected = MustSearch(q);
  EXPECT_EQ(search["total"], expected.total_hits());
  ASSERT_EQ(search["results"].size(), static_cast<size_t>(expected.hits_size()));
  for (int i = 0; i < expected.hits_size(); ++i) {
    EXPECT_EQ(search["results"][i]["id"], expected.hits(i).id());
    EXPECT_EQ(search["results"][i]["collection"], "products");
    EXPECT_NEAR(search["results"][i]["score"].get<double>(), expected.hits(i).score(), 1e-9);
    EXPECT_EQ(search["results"][i]["fields"]["price"], expected.hits(i).fields().at("price").number());
  }
  EXPECT_EQ(search["generations"][0]["generation"], products_gen_);

  auto suggest = Example("suggest 'pão de que' --collections products");
  bool found = false;
  for (const auto& s : suggest["suggestions"]) found |= s["completion"] == "pão de queijo";
  EXPECT_TRUE(found) << suggest.dump();

  // Errors surface with the gRPC code.
  auto bad = RunShell("node '" + client_dir_ + "/example.js' --target " + target_ + " search 'queijo' --limit 5000 2>&1");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("INVALID_ARGUMENT"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace busca::testing
