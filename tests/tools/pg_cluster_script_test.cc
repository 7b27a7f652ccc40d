// scripts/pg-cluster.sh for real (label postgres): start creates a UTF8 / C.UTF-8 cluster on a
// loopback port and prints its URL, a second start is a no-op, status and url report it, stop
// removes it, and a port held by someone else is refused with a clear message.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <string>

#include "tests/support/temp_dir.h"

namespace busca::testing {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout only
};

CommandResult RunScript(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r;
}

// A loopback port nobody listens on (the kernel's choice), and a socket holding one.
int FreePort(int* held_fd = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  if (held_fd != nullptr) {
    ::listen(fd, 1);
    *held_fd = fd;
  } else {
    ::close(fd);
  }
  return port;
}

class PgClusterScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/lib/postgresql/15/bin/initdb")) {
      GTEST_SKIP() << "PostgreSQL 15 is not installed (scripts/setup-deps.sh installs it)";
    }
    const char* src = std::getenv("BUSCA_SOURCE_DIR");
    script_ = std::string(src != nullptr ? src : ".") + "/scripts/pg-cluster.sh";
  }
  std::string script_;
};

TEST_F(PgClusterScriptTest, StartStatusUrlStop) {
  TempDir tmp("pg-cluster-test");
  const std::string dir = (tmp.path() / "cluster").string();
  const int port = FreePort();
  ASSERT_GT(port, 0);
  // The postgres user must reach the directory.
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::all);
  const std::string args = " --port " + std::to_string(port) + " --dir " + dir;
  const std::string expected_url =
      "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/busca";

  CommandResult start = RunScript(script_ + " start" + args);
  ASSERT_EQ(start.exit_code, 0);
  EXPECT_EQ(start.out, expected_url);
  CommandResult again = RunScript(script_ + " start" + args);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, expected_url);
  EXPECT_EQ(RunScript(script_ + " status" + args).out, "running " + expected_url);
  EXPECT_EQ(RunScript(script_ + " url" + args).out, expected_url);
  EXPECT_TRUE(std::filesystem::exists(dir + "/DATABASE_URL"));
  {
    pqxx::connection conn(expected_url);
    pqxx::nontransaction tx(conn);
    EXPECT_EQ(tx.exec("SHOW server_encoding")[0][0].as<std::string>(), "UTF8");
    EXPECT_EQ(tx.exec("SHOW lc_ctype")[0][0].as<std::string>(), "C.UTF-8");
    EXPECT_EQ(tx.exec("SHOW listen_addresses")[0][0].as<std::string>(), "127.0.0.1");
    EXPECT_EQ(tx.exec("SHOW unix_socket_directories")[0][0].as<std::string>(), dir);
    EXPECT_EQ(
        tx.exec("SELECT to_tsvector('portuguese', 'Pães Açúcar')::text")[0][0].as<std::string>(),
        "'açúc':2 'pã':1");
  }
  CommandResult stop = RunScript(script_ + " stop" + args);
  EXPECT_EQ(stop.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(RunScript(script_ + " status" + args + " 2>/dev/null").exit_code, 3);
  EXPECT_EQ(RunScript(script_ + " stop" + args + " 2>/dev/null").exit_code, 0);  // idempotent
}

TEST_F(PgClusterScriptTest, RefusesAPortInUse) {
  TempDir tmp("pg-cluster-test");
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::all);
  int fd = -1;
  const int port = FreePort(&fd);
  ASSERT_GT(port, 0);
  const std::string args =
      " --port " + std::to_string(port) + " --dir " + (tmp.path() / "c").string();
  CommandResult r = RunScript(script_ + " start" + args + " 2>&1");
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("already in use"), std::string::npos) << r.out;
  RunScript(script_ + " stop" + args + " 2>/dev/null");
}

TEST_F(PgClusterScriptTest, RefusesAForeignDirectory) {
  TempDir tmp("pg-cluster-test");
  std::filesystem::create_directories(tmp.path() / "x");
  {
    std::FILE* f = std::fopen((tmp.path() / "x" / "precious.txt").c_str(), "w");
    std::fclose(f);
  }
  const std::string args =
      " --port " + std::to_string(FreePort()) + " --dir " + tmp.path().string();
  EXPECT_EQ(RunScript(script_ + " start" + args + " 2>/dev/null").exit_code, 1);
  EXPECT_EQ(RunScript(script_ + " stop" + args + " 2>/dev/null").exit_code, 1);
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "x" / "precious.txt"));
}

}  // namespace
}  // namespace busca::testing
