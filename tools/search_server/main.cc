// search-server: serves the index directory's live generations over gRPC (busca.v1) with an
// HTTP ops port (/health, /metrics, /search). A thin main over server::SearchServer.
//
// Exit codes (deploy/OPERATIONS.md): 0 clean shutdown after SIGTERM/SIGINT; 2 bad flags;
// 3 index directory missing; 4 a port cannot be bound; 5 TLS or admin-token file unreadable.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pthread.h>

#include <CLI/CLI.hpp>

#include "server/admin_client.h"
#include "server/search_server.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitIndexDir = 3;
constexpr int kExitBind = 4;
constexpr int kExitCredentials = 5;

}  // namespace

int main(int argc, char** argv) {
  busca::server::ServerConfig config;
  std::string index_dir;
  std::string admin_token_file;
  int64_t slow_query_ms = config.slow_query.count();
  int64_t poll_ms = config.poll_interval.count();
  int64_t deadline_ms = config.default_deadline.count();
  int64_t drain_ms = config.drain_timeout.count();
  bool no_verify = false;
  std::string schema_dir = config.schema_dir.string();

  CLI::App app{"search-server: the Busca gRPC search API with an HTTP ops port"};
  app.add_option("--index-dir", index_dir, "Index root: DIR/<collection>/CURRENT + gen-N dirs")->required();
  app.add_option("--listen", config.listen, "gRPC address HOST:PORT")->capture_default_str();
  app.add_option("--http", config.http, "HTTP ops address HOST:PORT (empty = off)")->capture_default_str();
  app.add_option("--database-url", config.database_url, "PostgreSQL URL for the Rebuild RPC")->envname("DATABASE_URL");
  app.add_option("--schema-dir", schema_dir, "Collection schemas for the Rebuild RPC")->capture_default_str();
  app.add_option("--admin-token-file", admin_token_file,
                 "File holding the admin bearer token (else SEARCH_ADMIN_TOKEN; none = admin API off)");
  app.add_option("--tls-cert", config.tls_cert_file, "PEM certificate chain (with --tls-key)");
  app.add_option("--tls-key", config.tls_key_file, "PEM private key (with --tls-cert)");
  app.add_option("--log-level", config.log_level, "trace|debug|info|warn|error|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--log-file", config.log_file, "JSON-lines log file (default stderr)");
  app.add_option("--cache-bytes", config.cache_bytes, "Result cache bound in bytes (0 = off)")->capture_default_str();
  app.add_option("--slow-query-ms", slow_query_ms, "Slow-query log threshold (0 = off)")->capture_default_str();
  app.add_flag("--log-query-text", config.log_query_text,
               "Slow-query log shows query text instead of a hash (PII: off by default)");
  app.add_option("--poll-ms", poll_ms, "How often CURRENT is checked")->capture_default_str()->check(CLI::Range(50, 60000));
  app.add_option("--default-deadline-ms", deadline_ms, "Deadline of calls that carry none")->capture_default_str();
  app.add_option("--drain-timeout-ms", drain_ms, "SIGTERM: time in-flight calls get to finish")->capture_default_str();
  app.add_option("--max-message-bytes", config.max_message_bytes, "gRPC message size limit")->capture_default_str();
  app.add_option("--search-threads", config.search_threads,
                 "Searches evaluated in the engine at once, the rest wait in FIFO order (0 = 4 x the number of cores)")
      ->capture_default_str();
  app.add_option("--search-queue", config.search_queue,
                 "Searches allowed to wait for an engine slot; beyond it RESOURCE_EXHAUSTED")
      ->capture_default_str();
  app.add_option("--collections", config.expected_collections,
                 "Collections that must exist (reported missing otherwise)")->delimiter(',');
  app.add_flag("--no-verify-checksums", no_verify, "Skip whole-file checksum verification at open (huge indexes)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  config.index_dir = index_dir;
  config.schema_dir = schema_dir;
  config.slow_query = std::chrono::milliseconds(slow_query_ms);
  config.poll_interval = std::chrono::milliseconds(poll_ms);
  config.default_deadline = std::chrono::milliseconds(deadline_ms);
  config.drain_timeout = std::chrono::milliseconds(drain_ms);
  config.verify_checksums = !no_verify;

  auto token = busca::server::LoadAdminToken(admin_token_file);
  if (token.ok()) {
    config.admin_token = *token;
  } else if (token.status().code() != busca::StatusCode::kNotFound) {
    std::cerr << "search-server: --admin-token-file: " << token.status().message() << "\n";
    return kExitCredentials;
  }

  // Signals are taken by one watcher thread (sigwait); every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = busca::server::SearchServer::Start(config);
  if (!server.ok()) {
    const busca::Status& st = server.status();
    std::cerr << "search-server: " << st.message() << "\n";
    if (st.message().rfind("--index-dir", 0) == 0) return kExitIndexDir;
    if (st.message().rfind("--tls", 0) == 0) return kExitCredentials;
    if (st.code() == busca::StatusCode::kIOError) return kExitBind;
    return kExitUsage;
  }
  std::cout << "search-server: gRPC on port " << (*server)->grpc_port() << ", HTTP on port "
            << (*server)->http_port() << std::endl;

  std::thread watcher([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    (*server)->log().Info("signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    (*server)->Shutdown();
  });
  (*server)->Wait();
  watcher.join();
  return 0;
}
