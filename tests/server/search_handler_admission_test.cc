// SearchHandler with the search admission and the caller's cancellation: the cancellation
// reaches the engine (a search whose control reports cancelled returns CANCELLED) and the
// admission queue (a queued search leaves it); a full queue is RESOURCE_EXHAUSTED (not the
// INVALID_ARGUMENT of the engine's query limits); a queued search honours its deadline; a cache
// hit needs no permit. The last test does the same end to end: a gRPC client cancels a call that
// waits in a real server's queue, and the server lets it go.
#include <atomic>
#include <optional>
#include <thread>

#include "server/search_admission.h"
#include "server/search_handler.h"
#include "tests/server/server_fixture.h"
#include "tests/support/await_state.h"

namespace busca::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
constexpr auto kNoDeadline = std::chrono::system_clock::time_point::max();

// Reports cancelled from poll number `cancel_at` on (1-based), or once `flag` is set.
class TestSource : public query::CancellationSource {
 public:
  explicit TestSource(int cancel_at = 0) : cancel_at_(cancel_at) {}
  bool IsCancelled() const override {
    int n = polls.fetch_add(1) + 1;
    return flag.load() || (cancel_at_ > 0 && n >= cancel_at_);
  }
  std::atomic<bool> flag{false};
  mutable std::atomic<int> polls{0};

 private:
  const int cancel_at_;
};

using busca::testing::AwaitState;

v1::SearchRequest Query(const std::string& q, bool bypass_cache = true) {
  v1::SearchRequest r;
  r.set_query(q);
  r.set_limit(10);
  r.set_bypass_cache(bypass_cache);
  return r;
}

// A SearchHandler over a real generation manager, with one engine slot and a queue of two.
class SearchHandlerAdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("busca-handler");
    ASSERT_GT(BuildGeneration(root_->path(), ProductsSchema("products"),
                              ProductDocs(ProductsSchema("products"), 300)),
              0u);
    config_.index_dir = root_->path();
    config_.cancel_check_interval = std::chrono::milliseconds(0);  // ask the source every time
    server::GenerationManager::Options mo;
    mo.index_dir = root_->path();
    auto manager = server::GenerationManager::Create(mo);
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    manager_ = std::move(manager).value();
    cache_ = std::make_unique<server::QueryCache>(1 << 20);
    server::SearchAdmission::Options ao;
    ao.max_running = 1;
    ao.max_waiting = 2;
    ao.cancel_poll_interval = std::chrono::milliseconds(1);
    admission_ = std::make_unique<server::SearchAdmission>(ao);
    log_ = std::make_unique<server::JsonLog>("test", "off");
    handler_ = std::make_unique<server::SearchHandler>(config_, manager_.get(), cache_.get(),
                                                       admission_.get(), &metrics_, log_.get());
  }

  // Takes the only engine slot (as a running search would).
  server::SearchAdmission::Permit HoldTheSlot() {
    auto p = admission_->Acquire(Clock::time_point::max(), nullptr);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : server::SearchAdmission::Permit();
  }

  std::unique_ptr<TempDir> root_;
  server::ServerConfig config_;
  std::unique_ptr<server::GenerationManager> manager_;
  std::unique_ptr<server::QueryCache> cache_;
  std::unique_ptr<server::SearchAdmission> admission_;
  server::Metrics metrics_;
  std::unique_ptr<server::JsonLog> log_;
  std::unique_ptr<server::SearchHandler> handler_;
};

TEST_F(SearchHandlerAdmissionTest, SearchesAndGivesTheSlotBack) {
  TestSource never;
  v1::SearchResponse r;
  Status st = handler_->Search(Query("queijo"), kNoDeadline, &r, &never);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GT(r.total_hits(), 0u);
  EXPECT_GT(never.polls.load(), 0);  // the handler did consult the caller
  EXPECT_EQ(admission_->running(), 0u);
  EXPECT_EQ(metrics_.search_queue_waits(), 1u);
}

TEST_F(SearchHandlerAdmissionTest, CancellationReachesTheEngine) {
  // Poll 1 is the admission's (not cancelled yet); from poll 2 on, which only the engine makes,
  // the caller is gone. Without a token in the engine's QueryControl the search succeeds.
  TestSource source(/*cancel_at=*/2);
  v1::SearchResponse r;
  Status st = handler_->Search(Query("queijo"), kNoDeadline, &r, &source);
  EXPECT_EQ(st.code(), StatusCode::kCancelled) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr("search cancelled"));
  EXPECT_EQ(source.polls.load(), 2);  // latched: asked no more after it said yes
  EXPECT_EQ(admission_->running(), 0u);

  TestSource suggest_source(/*cancel_at=*/2);
  v1::SuggestRequest sr;
  sr.set_text("quei");
  v1::SuggestResponse sresp;
  st = handler_->Suggest(sr, kNoDeadline, &sresp, &suggest_source);
  EXPECT_EQ(st.code(), StatusCode::kCancelled) << st.ToString();
  EXPECT_EQ(admission_->running(), 0u);

  // Already cancelled on arrival: refused before admission, nothing held.
  TestSource gone(/*cancel_at=*/1);
  st = handler_->Search(Query("queijo"), kNoDeadline, &r, &gone);
  EXPECT_EQ(st.code(), StatusCode::kCancelled) << st.ToString();
  EXPECT_EQ(admission_->running(), 0u);
}

TEST_F(SearchHandlerAdmissionTest, CacheHitNeedsNoSlot) {
  v1::SearchResponse first;
  ASSERT_TRUE(handler_->Search(Query("queijo", /*bypass_cache=*/false), kNoDeadline, &first).ok());
  EXPECT_FALSE(first.cached());
  auto held = HoldTheSlot();
  // With the only slot taken, an engine search could only time out; the cached one answers.
  v1::SearchResponse again;
  Status st = handler_->Search(Query("queijo", false),
                               std::chrono::system_clock::now() + std::chrono::seconds(5), &again);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(again.cached());
  EXPECT_EQ(again.total_hits(), first.total_hits());
  EXPECT_EQ(admission_->waiting(), 0u);
  EXPECT_EQ(metrics_.search_queue_waits(), 1u);  // only the first search was admitted
}

TEST_F(SearchHandlerAdmissionTest, FullQueueIsResourceExhausted) {
  auto held = HoldTheSlot();
  std::vector<std::thread> waiters;
  std::atomic<int> ok{0};
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&] {
      v1::SearchResponse r;
      if (handler_->Search(Query("queijo"), kNoDeadline, &r).ok()) ok.fetch_add(1);
    });
  }
  AwaitState([&] { return admission_->waiting() == 2; });
  v1::SearchResponse r;
  Status st = handler_->Search(Query("queijo"), kNoDeadline, &r);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_EQ(st.message(), "search queue is full (2 waiting); retry later");
  v1::SuggestRequest sr;
  sr.set_text("quei");
  v1::SuggestResponse sresp;
  st = handler_->Suggest(sr, kNoDeadline, &sresp);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_EQ(metrics_.search_rejected(), 2u);
  held.Release();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(ok.load(), 2);
  EXPECT_EQ(admission_->running(), 0u);
}

TEST_F(SearchHandlerAdmissionTest, QueuedSearchLeavesWhenTheCallerCancels) {
  auto held = HoldTheSlot();
  TestSource source;
  std::optional<Status> status;
  std::thread waiter([&] {
    v1::SearchResponse r;
    status = handler_->Search(Query("queijo"), kNoDeadline, &r, &source);
  });
  AwaitState([&] { return admission_->waiting() == 1; });
  source.flag = true;
  waiter.join();  // returns although the slot is still held
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), StatusCode::kCancelled) << status->ToString();
  EXPECT_EQ(admission_->waiting(), 0u);
  EXPECT_EQ(admission_->running(), 1u);
  EXPECT_EQ(metrics_.search_queue_waits(), 1u);  // the wait of the search that gave up is recorded
}

TEST_F(SearchHandlerAdmissionTest, QueuedSearchHonoursItsDeadline) {
  auto held = HoldTheSlot();
  v1::SearchResponse r;
  Status st = handler_->Search(
      Query("queijo"), std::chrono::system_clock::now() + std::chrono::milliseconds(50), &r);
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded) << st.ToString();
  EXPECT_EQ(admission_->waiting(), 0u);
  EXPECT_EQ(admission_->running(), 1u);
}

// End to end: a real server with one engine slot; the slot is taken, a gRPC Search queues, the
// client cancels it, and the server drops it from the queue while the slot is still taken.
class GrpcCancellationTest : public ServerFixture {
 protected:
  void Configure(server::ServerConfig* config) override {
    config->search_threads = 1;
    config->search_queue = 4;
  }
};

TEST_F(GrpcCancellationTest, CancelledCallLeavesTheQueue) {
  server::SearchAdmission& admission = server_->admission();
  ASSERT_EQ(admission.max_running(), 1u);
  auto held = admission.Acquire(Clock::time_point::max(), nullptr);
  ASSERT_TRUE(held.ok());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  grpc::Status client_status;
  std::thread caller([&] {
    v1::SearchResponse r;
    v1::SearchRequest q = Query("queijo");
    q.set_bypass_cache(true);
    client_status = search_->Search(&ctx, q, &r);
  });
  AwaitState([&] { return admission.waiting() == 1; });
  ctx.TryCancel();
  caller.join();
  EXPECT_EQ(client_status.error_code(), grpc::StatusCode::CANCELLED);
  // The server notices through ServerContext::IsCancelled and gives up its place.
  AwaitState([&] { return admission.waiting() == 0; });
  AwaitState([&] {
    return server_->metrics().requests(server::Rpc::kSearch, grpc::StatusCode::CANCELLED) == 1;
  });
  EXPECT_EQ(admission.running(), 1u);  // still ours: the cancelled call never ran
  held->Release();
  EXPECT_TRUE(MustSearch(Query("queijo")).total_hits() > 0);
  EXPECT_EQ(admission.running(), 0u);
}

}  // namespace
}  // namespace busca::testing
