// Metrics: counters by RPC and code, histogram buckets (cumulative, +Inf = count), collection
// gauges, search admission (queue wait, waiting, running, refused) and rebuild state in
// Prometheus text format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "server/metrics.h"

namespace busca::server {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersHistogramsAndGauges) {
  Metrics m;
  m.RecordRequest(Rpc::kSearch, 0, std::chrono::microseconds(300));
  m.RecordRequest(Rpc::kSearch, 0, std::chrono::milliseconds(3));
  m.RecordRequest(Rpc::kSearch, 3, std::chrono::seconds(10));
  m.RecordCache(true);
  m.RecordCache(false);
  m.RecordCache(false);
  m.RecordRebuild(1.5, false);
  CollectionGauge g;
  g.collection = "products";
  g.serving = true;
  g.generation = 42;
  g.documents = 12456;
  m.RecordSearchQueueWait(std::chrono::microseconds(50));
  m.RecordSearchQueueWait(std::chrono::milliseconds(20));
  m.RecordSearchRejected();
  AdmissionGauge queue{2, 5, 2, 1000};
  std::string text = m.Render({g}, 3, 1000, 4096, queue, false);
  EXPECT_THAT(text, HasSubstr("busca_requests_total{rpc=\"Search\",code=\"OK\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_requests_total{rpc=\"Search\",code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("busca_request_errors_total{rpc=\"Search\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("busca_request_duration_seconds_bucket{rpc=\"Search\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("busca_request_duration_seconds_bucket{rpc=\"Search\",le=\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_request_duration_seconds_bucket{rpc=\"Search\",le=\"2.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_request_duration_seconds_bucket{rpc=\"Search\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("busca_request_duration_seconds_count{rpc=\"Search\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("busca_cache_hits_total 1\n"));
  EXPECT_THAT(text, HasSubstr("busca_cache_misses_total 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_collection_generation{collection=\"products\"} 42\n"));
  EXPECT_THAT(text, HasSubstr("busca_collection_documents{collection=\"products\"} 12456\n"));
  EXPECT_THAT(text, HasSubstr("busca_rebuild_last_success 0\n"));
  EXPECT_THAT(text, HasSubstr("busca_rebuilds_total{result=\"failed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE busca_search_queue_wait_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_wait_seconds_bucket{le=\"0.0001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_wait_seconds_bucket{le=\"0.025\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_wait_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_wait_seconds_sum 0.020050000\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_wait_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_waiting 5\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_running 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_threads 2\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_capacity 1000\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE busca_search_queue_rejected_total counter\n"));
  EXPECT_THAT(text, HasSubstr("busca_search_queue_rejected_total 1\n"));
  EXPECT_EQ(m.search_rejected(), 1u);
  EXPECT_EQ(m.search_queue_waits(), 2u);
  EXPECT_EQ(m.requests(Rpc::kSearch, 0), 2u);
  // Every sample line is "name{labels} value" or "name value".
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_NE(line.find(' '), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace busca::server
