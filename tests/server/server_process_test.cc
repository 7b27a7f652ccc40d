// The real `search-server` executable: flags, exit codes, serving on the ports it prints, admin
// token from a file, JSON-lines logs, and graceful SIGTERM (exit 0 after draining).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "server/admin_client.h"
#include "tests/server/server_fixture.h"

extern char** environ;

namespace busca::testing {
namespace {

std::string ServerBinary() {
  const char* bin = std::getenv("BUSCA_BIN_DIR");
  return std::string(bin ? bin : "build/bin") + "/search-server";
}

// A child process with its stdout+stderr in a pipe.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    EXPECT_EQ(rc, 0) << "cannot start " << args[0];
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    fd_ = fds[0];
    fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Reads output until `re` matches (or EOF / timeout); returns the captured groups.
  std::vector<std::string> WaitForOutput(const std::regex& re, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      Drain();
      std::smatch m;
      if (std::regex_search(output_, m, re)) {
        std::vector<std::string> groups;
        for (const auto& g : m) groups.push_back(g.str());
        return groups;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
  }
  int Wait(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      Drain();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        Drain();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  void Signal(int sig) { kill(pid_, sig); }
  const std::string& output() const { return output_; }

 private:
  void Drain() {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd_, buf, sizeof(buf))) > 0) output_.append(buf, static_cast<size_t>(n));
  }
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::string output_;
};

TEST(ServerProcessTest, ServesThenDrainsOnSigterm) {
  TempDir root("busca-proc");
  auto schema = ProductsSchema("products");
  uint64_t gen = BuildGeneration(root.path(), schema, ProductDocs(schema, 100));
  std::ofstream(root / "token") << "  file-token-123\n";
  Child child({ServerBinary(), "--index-dir", root.path().string(), "--listen", "127.0.0.1:0", "--http",
               "127.0.0.1:0", "--admin-token-file", (root / "token").string(), "--log-level", "info"});
  auto m = child.WaitForOutput(std::regex("gRPC on port (\\d+), HTTP on port (\\d+)"));
  ASSERT_EQ(m.size(), 3u) << child.output();
  int grpc_port = std::stoi(m[1]);
  int http_port = std::stoi(m[2]);

  httplib::Client http("127.0.0.1", http_port);
  auto health = http.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find("\"ok\""), std::string::npos);
  auto search = http.Get("/search?q=queijo&limit=3");
  ASSERT_TRUE(search);
  EXPECT_EQ(search->status, 200);

  std::string target = "127.0.0.1:" + std::to_string(grpc_port);
  Status reload = server::NotifyReload(target, "file-token-123");
  EXPECT_TRUE(reload.ok()) << reload.ToString();
  Status wrong = server::NotifyReload(target, "nope");
  EXPECT_FALSE(wrong.ok());
  EXPECT_NE(wrong.message().find("unauthenticated"), std::string::npos) << wrong.ToString();

  // Logs are JSON lines with service, level and event_type; the startup line names the gen.
  child.WaitForOutput(std::regex("server_started"));
  EXPECT_NE(child.output().find("\"service\":\"search-server\""), std::string::npos) << child.output();
  EXPECT_NE(child.output().find("\"event_type\":\"server_started\""), std::string::npos);
  EXPECT_NE(child.output().find("serving@" + std::to_string(gen)), std::string::npos);

  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(), 0) << child.output();
  EXPECT_NE(child.output().find("server_stopped"), std::string::npos);
}

TEST(ServerProcessTest, ExitCodes) {
  {
    Child child({ServerBinary(), "--index-dir", "/nonexistent/busca-index", "--listen", "127.0.0.1:0", "--http", ""});
    EXPECT_EQ(child.Wait(), 3) << child.output();
  }
  {
    Child child({ServerBinary(), "--no-such-flag"});
    EXPECT_EQ(child.Wait(), 2) << child.output();
  }
  {
    TempDir root("busca-proc");
    Child child({ServerBinary(), "--index-dir", root.path().string(), "--admin-token-file", "/nonexistent/token"});
    EXPECT_EQ(child.Wait(), 5) << child.output();
  }
  {
    TempDir root("busca-proc");
    // A first server holds its ports; a second one on the same HTTP port must fail (exit 4).
    Child first({ServerBinary(), "--index-dir", root.path().string(), "--listen", "127.0.0.1:0", "--http",
                 "127.0.0.1:0"});
    auto m = first.WaitForOutput(std::regex("gRPC on port (\\d+), HTTP on port (\\d+)"));
    ASSERT_EQ(m.size(), 3u) << first.output();
    Child child({ServerBinary(), "--index-dir", root.path().string(), "--listen", "127.0.0.1:0", "--http",
                 "127.0.0.1:" + m[2]});
    EXPECT_EQ(child.Wait(), 4) << child.output();
  }
}

}  // namespace
}  // namespace busca::testing
