// Implementation of bench_command.h.
#include "tools/search_cli/bench_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "engine/query/searcher.h"
#include "tools/search_cli/commands.h"

namespace busca::cli {
namespace {

struct BenchOptions {
  std::string index_dir;
  std::string queries;
  std::vector<std::string> collections;
  uint32_t limit = 10;
  std::string out;
  int warmup_passes = 1;
  uint64_t total_hits_threshold = 0;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

int Run(const BenchOptions& o) {
  std::ifstream in(o.queries);
  if (!in) {
    std::cerr << "search-cli bench: cannot open query file " << o.queries << "\n";
    return 2;
  }
  std::vector<std::string> queries;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    queries.push_back(line);
  }
  auto searcher = query::Searcher::Open(o.index_dir, o.collections);
  if (!searcher.ok()) {
    std::cerr << "search-cli bench: " << searcher.status().ToString() << "\n";
    return 1;
  }
  const query::Searcher& s = **searcher;
  auto make_request = [&](const std::string& q) {
    query::SearchRequest req;
    req.query = q;
    req.collections = o.collections;
    req.limit = o.limit;
    req.total_hits_threshold = o.total_hits_threshold;
    return req;
  };
  for (int pass = 0; pass < o.warmup_passes; ++pass) {
    for (const std::string& q : queries) (void)s.Search(make_request(q));
  }
  std::FILE* out = stdout;
  if (!o.out.empty()) {
    out = std::fopen(o.out.c_str(), "w");
    if (out == nullptr) {
      std::cerr << "search-cli bench: cannot write " << o.out << "\n";
      return 1;
    }
  }
  std::vector<double> latencies;
  latencies.reserve(queries.size());
  uint64_t errors = 0;
  auto start = std::chrono::steady_clock::now();
  std::string ids;
  for (size_t i = 0; i < queries.size(); ++i) {
    query::SearchRequest req = make_request(queries[i]);
    auto t0 = std::chrono::steady_clock::now();
    Result<query::SearchResponse> r = s.Search(req);
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    latencies.push_back(us);
    ids.clear();
    if (r.ok()) {
      for (size_t h = 0; h < r->hits.size(); ++h) {
        if (h > 0) ids += ',';
        ids += r->hits[h].id;
      }
    } else {
      if (errors++ < 5) std::cerr << "search-cli bench: query " << i << ": " << r.status().ToString() << "\n";
    }
    std::fprintf(out, "%zu\t%s\t%.1f\n", i, ids.c_str(), us);
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out != stdout) std::fclose(out);
  std::vector<double> sorted = latencies;
  std::sort(sorted.begin(), sorted.end());
  std::FILE* summary = o.out.empty() ? stderr : stdout;
  std::fprintf(summary,
               "queries %zu  errors %llu  p50 %.1f us  p95 %.1f us  p99 %.1f us  max %.1f us  QPS %.0f (1 thread)\n",
               queries.size(), static_cast<unsigned long long>(errors), Percentile(sorted, 0.50),
               Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted.empty() ? 0.0 : sorted.back(),
               total_s > 0 ? static_cast<double>(queries.size()) / total_s : 0.0);
  return 0;
}

}  // namespace

void RegisterBenchCommand(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Replay a query log in-process (one thread) and report latencies");
  cmd->add_option("--index-dir", opts->index_dir, "Index root directory")->required();
  cmd->add_option("--queries", opts->queries, "Query file, one query per line")->required();
  cmd->add_option("--collections", opts->collections, "Collections to search (default: all)")->delimiter(',');
  cmd->add_option("--limit", opts->limit, "Hits per query");
  cmd->add_option("--total-hits-threshold", opts->total_hits_threshold,
                  "Count matches exactly up to N (beyond: a lower bound); 0 = the engine default");
  cmd->add_option("--out", opts->out, "Per-query output file (default: stdout)");
  cmd->add_option("--warmup-passes", opts->warmup_passes, "Warm-up passes over the file before measuring");
  cmd->callback([opts] { SetExitCode(Run(*opts)); });
}

}  // namespace busca::cli
