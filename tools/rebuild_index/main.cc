// rebuild-index: rebuilds collections from PostgreSQL into new index generations and swaps them
// in with zero downtime (indexer::RunRebuild), or rolls back (indexer::RunRollback). A thin main:
// flags, progress display, summary, exit codes, and the optional --server notification.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "indexer/rebuild.h"
#include "server/admin_client.h"
#include "tools/rebuild_index/terminal_progress.h"

namespace {

using busca::Result;
using busca::Status;
using busca::indexer::ExitCodeFor;
using busca::indexer::FailureKind;

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success\n"
    "  1  internal error (a bug)\n"
    "  2  usage error: bad flags, schema files, unknown collection or service\n"
    "  3  another rebuild or rollback of a collection is running (lock held)\n"
    "  4  source unreachable: cannot connect to PostgreSQL / open the snapshot\n"
    "  5  source failed mid-stream: connection lost, statement timeout, bad source data\n"
    "  6  validation refused: new generation corrupt, doc count mismatch, or fewer than\n"
    "     --min-ratio of the live documents (use --force); for --rollback: nothing to roll back to\n"
    "  7  swap failed: CURRENT could not be published (the old generation stays live)\n"
    "  8  index write failed: disk full or I/O error while writing the new generation\n"
    "  9  swapped, but notifying --server failed (it picks the change up within seconds anyway)\n"
    "In every failure case except 9 the live index is untouched and no partial generation is\n"
    "left behind.\n";

// "1GiB", "512MiB", "64M", "1073741824" -> bytes.
Result<uint64_t> ParseBytes(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) return Status::InvalidArgument("--memory-budget: not a size: '" + text + "'");
  const uint64_t number = std::stoull(text.substr(0, i));
  std::string unit = text.substr(i);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t multiplier = 0;
  if (unit.empty() || unit == "b") multiplier = 1;
  if (unit == "k" || unit == "kb" || unit == "kib") multiplier = 1ull << 10;
  if (unit == "m" || unit == "mb" || unit == "mib") multiplier = 1ull << 20;
  if (unit == "g" || unit == "gb" || unit == "gib") multiplier = 1ull << 30;
  if (multiplier == 0) {
    return Status::InvalidArgument("--memory-budget: unknown unit in '" + text +
                                   "' (use B, KiB, MiB or GiB)");
  }
  return number * multiplier;
}

int Fail(FailureKind kind, const std::string& message) {
  std::fprintf(stderr, "❌ rebuild-index failed [%s, exit %d]: %s\n",
               std::string(busca::indexer::FailureKindName(kind)).c_str(), ExitCodeFor(kind),
               message.c_str());
  return ExitCodeFor(kind);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Rebuild search collections from PostgreSQL into new index generations and swap them in "
      "atomically (zero downtime), or roll back to the previous generation."};
  app.footer(kExitCodes);
  std::string database_url;
  std::string index_dir;
  std::string service;
  std::vector<std::string> collections;
  std::string schema_dir = "schemas/collections";
  bool force = false;
  bool rollback = false;
  std::string server;
  std::string admin_token_file;
  std::string memory_budget = "1GiB";
  int keep = 3;
  double min_ratio = 0.5;
  int threads = 0;
  int64_t statement_timeout_ms = 0;
  std::string log_file = "logs/search-rebuild.log";
  bool no_progress = false;

  app.add_option("--database-url", database_url,
                 "PostgreSQL URL (default: $DATABASE_URL)");
  app.add_option("--index-dir", index_dir, "Index root directory")->required();
  app.add_option("--service", service, "all | community | marketplace | academy")
      ->check(CLI::IsMember({"all", "community", "marketplace", "academy"}));
  app.add_option("--collection", collections, "Collection name (repeatable)");
  app.add_option("--schema-dir", schema_dir, "Directory of collection schema files")
      ->capture_default_str();
  app.add_flag("--force", force, "Publish even when the new generation shrinks below --min-ratio");
  app.add_flag("--rollback", rollback,
               "Point CURRENT back at the previous intact generation instead of rebuilding");
  app.add_option("--server", server, "HOST:PORT of a search-server to tell to Reload after the swap");
  app.add_option("--admin-token-file", admin_token_file,
                 "File holding the admin token (default: $SEARCH_ADMIN_TOKEN)");
  app.add_option("--memory-budget", memory_budget, "Memory budget of the build (e.g. 1GiB, 512MiB)")
      ->capture_default_str();
  app.add_option("--keep", keep, "Old generations kept for --rollback")->capture_default_str();
  app.add_option("--min-ratio", min_ratio,
                 "Refuse a generation with fewer than this share of the live one's documents")
      ->capture_default_str();
  app.add_option("--threads", threads, "Analyser threads (0 = all cores)")->capture_default_str();
  app.add_option("--statement-timeout-ms", statement_timeout_ms,
                 "PostgreSQL statement_timeout for the snapshot (0 = server default)")
      ->capture_default_str();
  app.add_option("--log-file", log_file, "JSON-lines event log ('' = none)")->capture_default_str();
  app.add_flag("--no-progress", no_progress, "No progress bar / progress lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : ExitCodeFor(FailureKind::kUsage);
  }

  // Collections: --collection names, else --service (default all).
  std::vector<std::string> names = collections;
  if (!service.empty() && !collections.empty()) {
    return Fail(FailureKind::kUsage, "--service and --collection are mutually exclusive");
  }
  // --rollback without --service/--collection: every collection of the index dir.
  if (names.empty() && !(rollback && service.empty())) {
    Result<std::vector<std::string>> from_service =
        busca::indexer::CollectionsForService(service.empty() ? "all" : service);
    if (!from_service.ok()) return Fail(FailureKind::kUsage, from_service.status().message());
    names = *from_service;
  }

  const bool interactive = !no_progress && ::isatty(STDERR_FILENO) == 1;
  busca::tools::TerminalProgress display(stderr, interactive);
  busca::indexer::ProgressSink* sink = no_progress ? nullptr : &display;

  busca::indexer::RebuildOutcome outcome;
  if (rollback) {
    busca::indexer::RollbackOptions options;
    options.index_dir = index_dir;
    options.collections = names;
    options.log_path = log_file;
    outcome = busca::indexer::RunRollback(options, sink);
  } else {
    if (database_url.empty()) {
      if (const char* env = std::getenv("DATABASE_URL"); env != nullptr) database_url = env;
    }
    if (database_url.empty()) {
      return Fail(FailureKind::kUsage, "no database: pass --database-url or set DATABASE_URL");
    }
    Result<uint64_t> budget = ParseBytes(memory_budget);
    if (!budget.ok()) return Fail(FailureKind::kUsage, budget.status().message());
    busca::indexer::RebuildOptions options;
    options.database_url = database_url;
    options.index_dir = index_dir;
    options.schema_dir = schema_dir;
    options.collections = names;
    options.force = force;
    options.min_ratio = min_ratio;
    options.memory_budget_bytes = *budget;
    options.keep_generations = keep;
    options.threads = threads;
    options.statement_timeout = std::chrono::milliseconds(statement_timeout_ms);
    options.log_path = log_file;
    outcome = busca::indexer::RunRebuild(options, sink);
  }
  display.Close();
  if (!outcome.ok()) return Fail(outcome.failure, outcome.status.ToString());
  std::fputs((rollback ? busca::tools::TerminalProgress::RollbackSummaryText(outcome.summary)
                       : busca::tools::TerminalProgress::RebuildSummaryText(outcome.summary))
                 .c_str(),
             stdout);
  std::fflush(stdout);

  if (!server.empty()) {
    Result<std::string> token = busca::server::LoadAdminToken(admin_token_file);
    Status notified = !token.ok()    ? token.status()
                      : names.empty() ? busca::server::NotifyReload(server, *token)
                                      : busca::server::NotifyReload(server, *token, names);
    if (!notified.ok()) {
      std::fprintf(stderr,
                   "⚠️  index swapped, but telling %s to reload failed: %s (the server notices "
                   "the new CURRENT by itself within a few seconds)\n",
                   server.c_str(), notified.ToString().c_str());
      return busca::indexer::kExitServerNotifyFailed;
    }
    std::printf("Server %s reloaded\n", server.c_str());
  }
  return 0;
}
