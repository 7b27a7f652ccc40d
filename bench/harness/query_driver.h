// QueryDriver: runs a query log against one system the same way for every system.
//
// The side-by-side benchmark (issue #5) compares our engine with PostgreSQL FTS and Xapian on
// the same query log. Each peer program wraps its system in a Searcher and hands it to the
// functions here, which own the measuring: a warm-up pass, a single-threaded measured pass that
// writes one line per query in the format of `search-cli bench`
// (`query_index<TAB>id1,id2,...<TAB>latency_us`), and throughput runs at several thread counts,
// each thread with its own Searcher (one connection / one database handle per thread).
//
// Thread-safety: a Searcher is used by one thread only; a SearcherFactory is called from the
// driver thread only, before the measured threads start.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/harness/latency_summary.h"
#include "engine/util/status.h"

namespace busca::bench {

class Searcher {
 public:
  virtual ~Searcher() = default;
  // Returns the external ids of the top `limit` hits, best first.
  virtual Result<std::vector<std::string>> Search(const std::string& query, int limit) = 0;
};

using SearcherFactory = std::function<Result<std::unique_ptr<Searcher>>()>;

// Reads a query file: one query per line, UTF-8, empty lines kept (they are queries too, so
// line numbers stay aligned with the known-item file). A trailing newline ends the last query.
Result<std::vector<std::string>> ReadQueryFile(const std::string& path);

// A warm-up pass over the first `warmup_queries` queries (all when negative or larger than the
// log; none when 0), then one measured pass over all queries on the calling thread. Writes
// `out_path` (when not empty) in the `search-cli bench` format.
Result<LatencySummary> RunSingleThreaded(Searcher& searcher, const std::vector<std::string>& queries,
                                         int limit, int64_t warmup_queries, const std::string& out_path);

// `threads` threads, each with a Searcher made by `factory` (made before the clock starts),
// each walking the query log from its own offset (i * n / threads) for `seconds` seconds.
Result<LatencySummary> RunThroughput(const SearcherFactory& factory,
                                     const std::vector<std::string>& queries, int limit,
                                     int threads, double seconds);

// The `query` subcommand every peer program shares.
struct QueryCommandOptions {
  std::string queries_path;
  std::string out_path;         // per-query results of the single-threaded pass
  std::string json_path;        // summary; stdout when empty
  int limit = 10;
  bool no_warmup = false;
  int64_t warmup_queries = -1;  // -1 = the whole log
  std::vector<int> threads;     // throughput runs; none when empty
  double seconds = 10;          // duration of each throughput run
  std::string system;           // name recorded in the JSON ("postgres_fts", "xapian")
};

void AddQueryCommandOptions(CLI::App& command, QueryCommandOptions& options);

// Runs the single-threaded pass and the throughput runs, writes the JSON summary:
// {"system", "queries_file", "single": {...}, "throughput": [{"threads", ...}, ...]}.
Status RunQueryCommand(const QueryCommandOptions& options, const SearcherFactory& factory,
                       nlohmann::json extra = nlohmann::json::object());

// Peak resident set size of this process in bytes (getrusage).
int64_t PeakRssBytes();

// Writes `value` to `path` (pretty-printed), or to stdout when `path` is empty.
Status WriteJson(const nlohmann::json& value, const std::string& path);

}  // namespace busca::bench
