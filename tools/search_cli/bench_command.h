// search-cli bench --index-dir DIR --queries FILE [--collections a,b] [--limit 10] [--out FILE]
//   [--warmup-passes 1]
// Runs a query log (one query per line) in-process on one thread, after a warm-up pass over the
// whole file, and writes one line per query to --out (default stdout):
//   query_index<TAB>id1,id2,...<TAB>latency_us        (query_index counts lines from 0)
// A query that fails (syntax, limits) is written with an empty id list and counted as an error.
// Prints p50/p95/p99/max latency (microseconds), QPS and the error count to stderr (stdout when
// --out is a file). Issue #5's harness builds on it.
#pragma once

#include <CLI/CLI.hpp>

namespace busca::cli {

void RegisterBenchCommand(CLI::App& app);

}  // namespace busca::cli
