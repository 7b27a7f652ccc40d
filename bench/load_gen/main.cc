// load_gen: a gRPC load generator for search-server (busca.v1.SearchService/Search).
//
//   load_gen --target 127.0.0.1:50051 --queries queries.txt --concurrency 8 --duration 30
//            [--rate 2000] [--requests N] [--collections a,b] [--limit 10] [--connections 8]
//            [--client-threads 1] [--warmup 2] [--bypass-cache] [--json out.json]
//
// `concurrency` clients each keep one Search call in flight over `connections` separate HTTP/2
// connections, cycling through the query file (one query per line; each client starts at a
// different offset). Closed loop (no --rate) a client sends its next call as soon as the last one
// is back, and `client-threads` threads drive all the clients through gRPC's asynchronous API:
// the generator shares the machine with the server it measures, and a thread per blocking client
// cost that server about a tenth of its throughput. With --rate R the total rate is paced (each
// client, on its own thread, sends every concurrency/R seconds) and latency is measured from the
// *scheduled* send time, so a stalled server is not hidden by the generator slowing down (no
// coordinated omission). Prints p50/p95/p99/max latency, QPS, and errors by gRPC code; exit code
// 1 if any request failed.
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

// One client's call in flight.
struct Call {
  int client = 0;
  size_t next_query = 0;        // the client's next line of the query file
  Clock::time_point scheduled;  // latency counts from here (the send time it was due)
  bool measured = false;        // issued after the warm-up
  std::unique_ptr<grpc::ClientContext> ctx;  // one per call
  busca::v1::SearchRequest request;
  busca::v1::SearchResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<busca::v1::SearchResponse>> reader;
};

// What one client measured.
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
  int client_threads = 1;

  CLI::App app{"load_gen: gRPC load generator for search-server"};
  app.add_option("--target", target, "HOST:PORT of search-server")->capture_default_str();
  app.add_option("--queries", queries_file, "Query file, one query per line")->required()->check(CLI::ExistingFile);
  app.add_option("--concurrency", concurrency, "Concurrent client threads")->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--client-threads", client_threads, "Threads driving the clients' calls (asynchronously)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
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
  client_threads = std::min(client_threads, concurrency);

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
  const auto start = Clock::now();
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      rate > 0 ? std::chrono::duration<double>(concurrency / rate) : std::chrono::duration<double>(0));

  // A driver thread runs the calls of clients d, d + drivers, ... on its own CompletionQueue.
  // Closed loop it sends a client's next call as soon as its last one completes, and one thread
  // drives several clients (why: the top of the file). With --rate every client has its own
  // driver, which sleeps until the client's next scheduled send (sleep_until is precise to tens
  // of µs; gRPC's completion-queue timers only to about a millisecond).
  const int drivers = rate > 0 ? concurrency : client_threads;
  auto driver = [&](int d) {
    grpc::CompletionQueue cq;
    std::vector<std::unique_ptr<Call>> calls(concurrency);
    size_t in_flight = 0;

    // Starts client w's next call, due at `scheduled` (none once --requests are used up).
    auto send = [&](int w, Clock::time_point scheduled) {
      const bool measured = measuring.load(std::memory_order_relaxed);
      if (measured && requests > 0 && issued.fetch_add(1) >= requests) return;
      Call& c = *calls[w];
      c.scheduled = scheduled;
      c.measured = measured;
      c.ctx = std::make_unique<grpc::ClientContext>();
      c.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
      c.request.Clear();
      c.request.set_query(queries[c.next_query]);
      c.next_query = (c.next_query + 1) % queries.size();
      for (const auto& col : collections) c.request.add_collections(col);
      c.request.set_limit(limit);
      c.request.set_bypass_cache(bypass_cache);
      c.response.Clear();
      ++in_flight;
      c.reader = stubs[w % connections]->AsyncSearch(c.ctx.get(), c.request, &cq);
      c.reader->Finish(&c.response, &c.status, &c);
    };

    for (int w = d; w < concurrency; w += drivers) {
      calls[w] = std::make_unique<Call>();
      calls[w]->client = w;
      calls[w]->next_query = (queries.size() * static_cast<size_t>(w)) / static_cast<size_t>(concurrency);
    }
    // Rate mode (this driver's one client, d): when its next call is due.
    Clock::time_point due = start + interval * d / concurrency;
    if (rate == 0) {
      for (int w = d; w < concurrency; w += drivers) send(w, Clock::now());
    }
    while (true) {
      if (rate > 0 && in_flight == 0) {
        if (stop.load()) break;
        // The client's last call is back: its next goes at its scheduled time, or at once if
        // that has passed (its latency still counts from the scheduled time: no coordinated
        // omission).
        std::this_thread::sleep_until(due);
        if (stop.load()) break;
        send(d, due);
        due += interval;
        if (in_flight == 0) break;  // --requests used up
        continue;
      }
      if (stop.load() && in_flight == 0) break;
      void* tag = nullptr;
      bool ok = false;
      // Returns at least every 20 ms to notice `stop`. (gRPC takes system_clock deadlines.)
      auto got = cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::milliseconds(20));
      if (got == grpc::CompletionQueue::TIMEOUT) continue;
      if (got != grpc::CompletionQueue::GOT_EVENT) break;
      --in_flight;
      Call& c = *static_cast<Call*>(tag);
      const auto finished = Clock::now();
      WorkerResult& r = results[c.client];
      if (c.measured) {
        r.latencies_us.push_back(std::chrono::duration<double, std::micro>(finished - c.scheduled).count());
        if (!c.status.ok()) {
          r.errors[c.status.error_code()]++;
        } else {
          r.hits += static_cast<uint64_t>(c.response.hits_size());
        }
      }
      if (rate == 0 && !stop.load()) send(c.client, finished);
    }
    cq.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
    }
  };

  std::vector<std::thread> threads;
  for (int d = 0; d < drivers; ++d) threads.emplace_back(driver, d);
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
