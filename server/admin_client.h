// Client side of the AdminService for tools: `rebuild-index --server` and `search-cli` tell a
// running search-server to pick up newly published generations. Also the one place that reads
// the admin token (flag file or SEARCH_ADMIN_TOKEN). Stateless functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/util/status.h"

namespace busca::server {

// The admin token: the first line of `token_file` (surrounding whitespace trimmed) when the path
// is non-empty, else the environment variable SEARCH_ADMIN_TOKEN. NotFound when neither gives a
// non-empty token; IOError naming the file when it cannot be read.
Result<std::string> LoadAdminToken(const std::string& token_file);

// Calls AdminService.Reload on `target` (HOST:PORT, plaintext) with `authorization: Bearer
// <token>`; every collection is reloaded. Returns the server's error when a collection could not
// be swapped (the message names it), Unavailable when the server cannot be reached, and
// FailedPrecondition "unauthenticated: ..." when the token is refused.
Status NotifyReload(const std::string& target, const std::string& token);
Status NotifyReload(const std::string& target, const std::string& token,
                    const std::vector<std::string>& collections,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace busca::server
