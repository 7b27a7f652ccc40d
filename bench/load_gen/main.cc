// load_gen: a gRPC load generator for search-server (busca.v1.SearchService/Search).
//
//   load_gen --target 127.0.0.1:50051 --queries queries.txt --concurrency 8 --duration 30
//            [--rate 2000] [--requests N] [--collections a,b] [--limit 10] [--connections 8]
//            [--warmup 2] [--bypass-cache] [--json out.json]
//
// `concurrency` client threads each issue blocking Search calls over `connections` separate
// HTTP/2 connections, cycling through the query file (one query per line; each thread starts at a
// different offset). With --rate R the total rate is paced (each thread sends every
// concurrency/R seconds) and latency is measured from the *scheduled* send time, so a stalled
// server is not hidden by the generator slowing down (no coordinated omission). Without --rate it
// runs closed-loop as fast as the server answers. Prints p50/p95/p99/max latency, QPS, and
// errors by gRPC code; exit code 1 if any request failed.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "busca/v1/search.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct WorkerResult {
  std::vector<double> latencies_us;
  std::map<int, uint64_t> errors;  // grpc code -> count
  uint64_t hits = 0;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

std::string CodeName(int code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                 "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : std::to_string(code);
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "127.0.0.1:50051";
  std::string queries_file;
  int concurrency = 1;
  int connections = 0;
  double rate = 0;
  double duration = 10;
  uint64_t requests = 0;
  double warmup = 1;
  std::vector<std::string> collections;
  uint32_t limit = 10;
  bool bypass_cache = false;
  std::string json_out;
  int timeout_ms = 5000;

  CLI::App app{"load_gen: gRPC load generator for search-server"};
  app.add_option("--target", target, "HOST:PORT of search-server")->capture_default_str();
  app.add_option("--queries", queries_file, "Query file, one query per line")->required()->check(CLI::ExistingFile);
  app.add_option("--concurrency", concurrency, "Concurrent client threads")->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--connections", connections, "HTTP/2 connections (default min(concurrency, 8))");
  app.add_option("--rate", rate, "Total requests/s (0 = closed loop, as fast as possible)")->capture_default_str();
  app.add_option("--duration", duration, "Seconds to run (after warm-up)")->capture_default_str();
  app.add_option("--requests", requests, "Stop after this many requests in total (overrides --duration)");
  app.add_option("--warmup", warmup, "Seconds of warm-up not measured")->capture_default_str();
  app.add_option("--collections", collections, "Collections to search (default all)")->delimiter(',');
  app.add_option("--limit", limit, "Hits per query")->capture_default_str();
  app.add_flag("--bypass-cache", bypass_cache, "Ask the server not to use its result cache");
  app.add_option("--timeout-ms", timeout_ms, "Per-request deadline")->capture_default_str();
  app.add_option("--json", json_out, "Also write the figures as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> queries;
  {
    std::ifstream in(queries_file);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) queries.push_back(line);
    }
  }
  if (queries.empty()) {
    std::cerr << "load_gen: " << queries_file << " has no queries\n";
    return 2;
  }
  if (connections <= 0) connections = std::min(concurrency, 8);

  std::vector<std::unique_ptr<busca::v1::SearchService::Stub>> stubs;
  for (int c = 0; c < connections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a separate connection per channel
    args.SetInt("busca.load_gen.channel", c);
    stubs.push_back(busca::v1::SearchService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
  }

  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> issued{0};
  std::vector<WorkerResult> results(concurrency);
  auto start = Clock::now();
  const auto interval = rate > 0 ? std::chrono::duration<double>(concurrency / rate) : std::chrono::duration<double>(0);

  auto worker = [&](int w) {
    auto& stub = stubs[w % connections];
    WorkerResult& r = results[w];
    size_t qi = (queries.size() * static_cast<size_t>(w)) / static_cast<size_t>(concurrency);
    auto next = start + std::chrono::duration_cast<Clock::duration>(interval * (static_cast<double>(w) / concurrency));
    while (!stop.load(std::memory_order_relaxed)) {
      if (rate > 0) {
        std::this_thread::sleep_until(next);
      } else {
        next = Clock::now();
      }
      bool measured = measuring.load(std::memory_order_relaxed);
      if (measured && requests > 0 && issued.fetch_add(1) >= requests) break;
      busca::v1::SearchRequest req;
      req.set_query(queries[qi]);
      qi = (qi + 1) % queries.size();
      for (const auto& c : collections) req.add_collections(c);
      req.set_limit(limit);
      req.set_bypass_cache(bypass_cache);
      busca::v1::SearchResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
      grpc::Status st = stub->Search(&ctx, req, &resp);
      auto done = Clock::now();
      if (measured) {
        r.latencies_us.push_back(std::chrono::duration<double, std::micro>(done - next).count());
        if (!st.ok()) {
          r.errors[st.error_code()]++;
        } else {
          r.hits += static_cast<uint64_t>(resp.hits_size());
        }
      }
      if (rate > 0) next += std::chrono::duration_cast<Clock::duration>(interval);
    }
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < concurrency; ++w) threads.emplace_back(worker, w);
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  auto measure_start = Clock::now();
  measuring.store(true);
  if (requests > 0) {
    while (issued.load() < requests) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } else {
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  }
  measuring.store(false);
  auto measure_end = Clock::now();
  stop.store(true);
  for (auto& t : threads) t.join();

  std::vector<double> all;
  std::map<int, uint64_t> errors;
  uint64_t total_errors = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
    for (auto [code, n] : r.errors) {
      errors[code] += n;
      total_errors += n;
    }
  }
  std::sort(all.begin(), all.end());
  double seconds = std::chrono::duration<double>(measure_end - measure_start).count();
  double qps = seconds > 0 ? static_cast<double>(all.size()) / seconds : 0;
  std::printf("target=%s concurrency=%d connections=%d rate=%s queries=%zu\n", target.c_str(), concurrency,
              connections, rate > 0 ? std::to_string(rate).c_str() : "closed-loop", queries.size());
  std::printf("requests=%zu errors=%llu seconds=%.2f qps=%.0f\n", all.size(),
              static_cast<unsigned long long>(total_errors), seconds, qps);
  std::printf("latency_us p50=%.0f p95=%.0f p99=%.0f max=%.0f\n", Percentile(all, 0.50), Percentile(all, 0.95),
              Percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  for (auto [code, n] : errors) std::printf("errors %s=%llu\n", CodeName(code).c_str(), static_cast<unsigned long long>(n));
  if (!json_out.empty()) {
    nlohmann::json j = {{"target", target},
                        {"concurrency", concurrency},
                        {"connections", connections},
                        {"rate", rate},
                        {"requests", all.size()},
                        {"errors", total_errors},
                        {"seconds", seconds},
                        {"qps", qps},
                        {"p50_us", Percentile(all, 0.50)},
                        {"p95_us", Percentile(all, 0.95)},
                        {"p99_us", Percentile(all, 0.99)},
                        {"max_us", all.empty() ? 0.0 : all.back()}};
    nlohmann::json by_code = nlohmann::json::object();
    for (auto [code, n] : errors) by_code[CodeName(code)] = n;
    j["errors_by_code"] = by_code;
    std::ofstream(json_out) << j.dump(2) << "\n";
  }
  return total_errors == 0 ? 0 : 1;
}
