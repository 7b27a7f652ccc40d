// ServerConfig: everything search-server is told by flags and environment (see
// tools/search_server/main.cc and deploy/OPERATIONS.md). Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace busca::server {

struct ServerConfig {
  std::filesystem::path index_dir;             // --index-dir: DIR/<collection>/CURRENT ...
  std::string listen = "127.0.0.1:50051";      // --listen: gRPC (port 0 = pick a free one)
  std::string http = "127.0.0.1:8080";         // --http: ops port; empty = disabled (port 0 = any)
  std::string database_url;                    // --database-url / DATABASE_URL: Rebuild RPC source
  std::filesystem::path schema_dir = "schemas/collections";  // Rebuild RPC schemas
  std::string admin_token;                     // from --admin-token-file / SEARCH_ADMIN_TOKEN; empty = admin off
  std::string tls_cert_file;                   // --tls-cert / --tls-key: PEM; both or neither
  std::string tls_key_file;
  std::string log_level = "info";              // trace|debug|info|warn|error|off
  std::string log_file;                        // empty = stderr
  uint64_t cache_bytes = 64ull << 20;          // --cache-bytes; 0 disables the result cache
  std::chrono::milliseconds slow_query{250};   // --slow-query-ms; 0 disables the slow log
  bool log_query_text = false;                 // --log-query-text: slow log shows the text, not a hash
  std::chrono::milliseconds poll_interval{1000};      // CURRENT polling
  std::chrono::milliseconds default_deadline{10000};  // for calls without a deadline
  std::chrono::milliseconds drain_timeout{15000};     // SIGTERM: wait this long for in-flight calls
  int max_message_bytes = 4 << 20;             // gRPC receive/send limit
  uint32_t search_threads = 0;                 // --search-threads: engine evaluations at once (0 = cores)
  uint32_t search_queue = 1000;                // --search-queue: searches waiting for one; more are refused
  // How often a queued or running search asks its gRPC call whether the client cancelled it, the
  // first time this long after the phase began (the check is expensive: ThrottledCancellation).
  // No flag; 0 = every time (tests).
  std::chrono::milliseconds cancel_check_interval{5};
  bool verify_checksums = true;                // Generation::Open verifies every file
  std::vector<std::string> expected_collections;  // --collections: reported missing when absent
};

}  // namespace busca::server
