#include "bench/harness/query_driver.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace busca::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

}  // namespace

Result<std::vector<std::string>> ReadQueryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open query file " + path);
  std::vector<std::string> queries;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    queries.push_back(line);
  }
  if (in.bad()) return Status::IOError("error reading query file " + path);
  if (queries.empty()) return Status::InvalidArgument("query file " + path + " holds no query");
  return queries;
}

Result<LatencySummary> RunSingleThreaded(Searcher& searcher, const std::vector<std::string>& queries,
                                         int limit, int64_t warmup_queries, const std::string& out_path) {
  const size_t warmup = warmup_queries < 0 ? queries.size()
                                           : std::min(queries.size(), static_cast<size_t>(warmup_queries));
  for (size_t i = 0; i < warmup; ++i) {
    auto ignored = searcher.Search(queries[i], limit);
    (void)ignored;
  }
  std::vector<double> latencies;
  latencies.reserve(queries.size());
  std::vector<std::string> lines;
  lines.reserve(queries.size());
  int64_t errors = 0;
  std::string first_error;
  const auto run_start = Clock::now();
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto start = Clock::now();
    auto hits = searcher.Search(queries[i], limit);
    const double us = MicrosSince(start);
    latencies.push_back(us);
    std::string ids;
    if (hits.ok()) {
      for (size_t k = 0; k < hits->size(); ++k) {
        if (k) ids += ',';
        ids += (*hits)[k];
      }
    } else {
      ++errors;
      if (first_error.empty()) first_error = "query " + std::to_string(i) + ": " + hits.status().ToString();
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", us);
    lines.push_back(std::to_string(i) + '\t' + ids + '\t' + buf);
  }
  const double wall = MicrosSince(run_start) / 1e6;
  if (!first_error.empty()) {
    std::cerr << "warning: " << errors << " queries failed; first: " << first_error << '\n';
  }
  if (!out_path.empty()) {
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot write " + out_path);
    for (const auto& l : lines) out << l << '\n';
    if (!out.flush()) return Status::IOError("error writing " + out_path);
  }
  return LatencySummary::FromLatencies(std::move(latencies), errors, wall);
}

Result<LatencySummary> RunThroughput(const SearcherFactory& factory,
                                     const std::vector<std::string>& queries, int limit,
                                     int threads, double seconds) {
  if (threads < 1) return Status::InvalidArgument("thread count must be >= 1");
  if (queries.empty()) return Status::InvalidArgument("no queries");
  std::vector<std::unique_ptr<Searcher>> searchers;
  for (int t = 0; t < threads; ++t) {
    auto s = factory();
    if (!s.ok()) return s.status().WithContext("opening searcher " + std::to_string(t));
    searchers.push_back(std::move(s).value());
  }
  std::vector<std::vector<double>> latencies(threads);
  std::vector<int64_t> errors(threads, 0);
  std::atomic<bool> go{false};
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Clock::time_point start;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const auto deadline = start + duration;
      size_t i = static_cast<size_t>(t) * queries.size() / static_cast<size_t>(threads);
      auto& lat = latencies[t];
      while (Clock::now() < deadline) {
        const auto q_start = Clock::now();
        auto hits = searchers[t]->Search(queries[i], limit);
        lat.push_back(MicrosSince(q_start));
        if (!hits.ok()) ++errors[t];
        if (++i == queries.size()) i = 0;
      }
    });
  }
  start = Clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  const double wall = MicrosSince(start) / 1e6;
  std::vector<double> all;
  int64_t all_errors = 0;
  for (int t = 0; t < threads; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    all_errors += errors[t];
  }
  return LatencySummary::FromLatencies(std::move(all), all_errors, wall);
}

void AddQueryCommandOptions(CLI::App& command, QueryCommandOptions& options) {
  command.add_option("--queries", options.queries_path, "Query file, one query per line")->required();
  command.add_option("--out", options.out_path,
                     "Per-query results of the single-threaded pass (search-cli bench format)");
  command.add_option("--json", options.json_path, "Summary JSON file (default: stdout)");
  command.add_option("--limit", options.limit, "Hits per query")->check(CLI::Range(1, 1000));
  command.add_flag("--no-warmup", options.no_warmup, "Skip the warm-up pass");
  command.add_option("--warmup-queries", options.warmup_queries,
                     "Warm up with the first N queries only (default: the whole log)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  command.add_option("--threads", options.threads, "Throughput runs at these thread counts, e.g. 1,2,8,64")
      ->delimiter(',')
      ->check(CLI::Range(1, 1024));
  command.add_option("--seconds", options.seconds, "Duration of each throughput run")
      ->check(CLI::Range(0.1, 3600.0));
}

Status RunQueryCommand(const QueryCommandOptions& options, const SearcherFactory& factory,
                       nlohmann::json extra) {
  BUSCA_ASSIGN_OR_RETURN(auto queries, ReadQueryFile(options.queries_path));
  nlohmann::json out = std::move(extra);
  out["system"] = options.system;
  out["queries_file"] = options.queries_path;
  out["limit"] = options.limit;
  {
    BUSCA_ASSIGN_OR_RETURN(auto searcher, factory());
    BUSCA_ASSIGN_OR_RETURN(auto single, RunSingleThreaded(*searcher, queries, options.limit,
                                                          options.no_warmup ? 0 : options.warmup_queries,
                                                          options.out_path));
    out["single"] = single.ToJson();
    std::cerr << options.system << " single-threaded: " << single.queries << " queries, p50 "
              << single.p50_us << " us, p99 " << single.p99_us << " us, " << single.qps << " QPS\n";
  }
  out["throughput"] = nlohmann::json::array();
  for (int threads : options.threads) {
    BUSCA_ASSIGN_OR_RETURN(auto t, RunThroughput(factory, queries, options.limit, threads, options.seconds));
    auto j = t.ToJson();
    j["threads"] = threads;
    out["throughput"].push_back(j);
    std::cerr << options.system << " " << threads << " threads: " << t.qps << " QPS, p50 " << t.p50_us
              << " us, p99 " << t.p99_us << " us\n";
  }
  out["peak_rss_bytes"] = PeakRssBytes();
  return WriteJson(out, options.json_path);
}

int64_t PeakRssBytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

Status WriteJson(const nlohmann::json& value, const std::string& path) {
  const std::string text = value.dump(2) + "\n";
  if (path.empty()) {
    std::cout << text << std::flush;
    return Status::Ok();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + path);
  out << text;
  if (!out.flush()) return Status::IOError("error writing " + path);
  return Status::Ok();
}

}  // namespace busca::bench
