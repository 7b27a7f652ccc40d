// search-cli query --index-dir DIR [--collections a,b] [--limit N] [--offset N] [--filter F]...
//   [--sort field:asc|desc] [--stored] [--highlight] [--explain] [--json] "texto"
// Runs one query in-process against the live generations of an index dir (engine/query's
// Searcher) and prints the hits; with --json: {"total": N, "total_is_lower_bound": b,
// "took_us": t, "hits": [{"collection", "id", "score", ...}], "explanation": {...}}.
// Filter syntax: see query::ParseFilter (category:bebidas, price:10..20, created_at>=2024-01-01).
// Exit codes: 0 ok, 2 bad query/flags (InvalidArgument), 1 anything else.
#pragma once

#include <CLI/CLI.hpp>

namespace busca::cli {

void RegisterQueryCommand(CLI::App& app);

}  // namespace busca::cli
