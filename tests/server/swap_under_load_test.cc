// Zero-downtime swap under load: several client threads query continuously while new generations
// of `products` are built and published (picked up by the poller or by an admin Reload), several
// times. Asserts zero failed queries, that no response mixes generations (one generation per
// collection, every hit from it) and that each response's content is exactly that generation's
// (a marker document stores its generation; the total of a query is known per generation), and
// that old generations are released once unused. Prints p99 idle vs during swaps (not asserted:
// a timing on 2 shared cores is noise; bench/ reports the ratio).
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include "tests/server/server_fixture.h"

namespace busca::testing {
namespace {

// products generation k: the base corpus of 200 + 10*k docs plus a marker document whose tags
// hold "g<generation id>".
std::vector<index::Document> GenerationDocs(const index::CollectionSchema& schema, uint32_t k, uint64_t gen_id) {
  auto docs = ProductDocs(schema, 200 + 10 * k);
  index::Document marker = ProductDoc(schema, 0, "marker_");
  marker.id = "marker";
  marker.values[0] = std::string("marcador de geração");
  marker.values[1] = std::string("documento de controle do teste");
  marker.values[3] = std::vector<std::string>{"g" + std::to_string(gen_id)};
  docs.push_back(std::move(marker));
  return docs;
}

uint64_t QueijoTotal(uint32_t n) {
  uint64_t t = 0;
  for (uint32_t i = 0; i < n; ++i) t += (i % 15 == 0 || i % 15 == 4) ? 1 : 0;
  return t;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

class SwapUnderLoadTest : public ServerFixture {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("busca-swap");
    auto schema = ProductsSchema("products");
    uint64_t id = *index::IndexDir(root_->path()).NextGenerationId("products");
    products_gen_ = BuildGeneration(root_->path(), schema, GenerationDocs(schema, 0, id));
    ASSERT_EQ(products_gen_, id);
    expected_total_[products_gen_] = QueijoTotal(200);
    auto posts = ProductsSchema("posts");
    posts_gen_ = BuildGeneration(root_->path(), posts, ProductDocs(posts, 60, "post_"));
    StartServer();
  }
  void Configure(server::ServerConfig* config) override { config->poll_interval = std::chrono::milliseconds(100); }

  std::map<uint64_t, uint64_t> expected_total_;  // generation -> total of "queijo" in products
};

TEST_F(SwapUnderLoadTest, ZeroFailuresAndNoMixedGenerations) {
  constexpr int kThreads = 4;
  constexpr int kSwaps = 5;
  std::atomic<bool> stop{false};
  std::atomic<bool> swapping{false};
  std::atomic<uint64_t> ok{0}, failed{0}, mixed{0};
  std::mutex mu;
  std::vector<double> idle_us, swap_us;
  std::map<uint64_t, uint64_t> totals_copy;
  std::mutex totals_mu;
  std::vector<std::string> failures;

  auto worker = [&](int t) {
    auto channel = grpc::CreateChannel(target_, grpc::InsecureChannelCredentials());
    auto stub = v1::SearchService::NewStub(channel);
    uint64_t n = 0;
    while (!stop.load()) {
      v1::SearchRequest req;
      // Alternate: the marker query (content check) and a multi-collection query (mixing check).
      bool marker = (n++ % 2) == 0;
      req.set_query(marker ? "marcador" : "queijo");
      req.set_limit(marker ? 5 : 1000);
      req.set_return_stored(marker);
      req.set_bypass_cache(t % 2 == 0);  // half the threads exercise the cache across swaps
      v1::SearchResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      bool during = swapping.load();
      auto start = std::chrono::steady_clock::now();
      grpc::Status st = stub->Search(&ctx, req, &resp);
      double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      if (!st.ok()) {
        failed++;
        std::lock_guard lock(mu);
        failures.push_back(std::to_string(st.error_code()) + ": " + st.error_message());
        continue;
      }
      ok++;
      {
        std::lock_guard lock(mu);
        (during ? swap_us : idle_us).push_back(us);
      }
      // One generation per collection, and every hit from it.
      std::map<std::string, uint64_t> gens;
      bool bad = false;
      for (const auto& g : resp.generations()) bad |= !gens.emplace(g.collection(), g.generation()).second;
      for (const auto& h : resp.hits()) bad |= gens.count(h.collection()) == 0 || gens[h.collection()] != h.generation();
      uint64_t products_gen = gens.count("products") ? gens["products"] : 0;
      if (products_gen == 0) bad = true;
      if (marker) {
        // The marker doc of the answering generation stores that generation's id.
        bool found = false;
        for (const auto& h : resp.hits()) {
          if (h.id() != "marker") continue;
          found = true;
          auto it = h.fields().find("tags");
          bad |= it == h.fields().end() || it->second.keywords().values_size() != 1 ||
                 it->second.keywords().values(0) != "g" + std::to_string(products_gen);
        }
        bad |= !found;
      } else {
        uint64_t products_hits = 0;
        for (const auto& h : resp.hits()) products_hits += h.collection() == "products";
        std::lock_guard lock(totals_mu);
        auto it = totals_copy.find(products_gen);
        bad |= it == totals_copy.end() || products_hits != it->second;
      }
      if (bad) {
        mixed++;
        std::lock_guard lock(mu);
        failures.push_back("inconsistent response: " + resp.ShortDebugString().substr(0, 300));
      }
    }
  };
  {
    std::lock_guard lock(totals_mu);
    totals_copy = expected_total_;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // idle baseline

  auto schema = ProductsSchema("products");
  std::vector<uint64_t> gens{products_gen_};
  for (int k = 1; k <= kSwaps; ++k) {
    // No ASSERT_ here: the client threads must be joined whatever happens.
    swapping.store(true);
    uint64_t id = *index::IndexDir(root_->path()).NextGenerationId("products");
    {
      std::lock_guard lock(totals_mu);
      totals_copy[id] = QueijoTotal(200 + 10 * k);
    }
    uint64_t built = BuildGeneration(root_->path(), schema, GenerationDocs(schema, k, id));
    if (built != id) {
      ADD_FAILURE() << "built generation " << built << ", expected " << id;
      break;
    }
    gens.push_back(id);
    if (k % 2 == 0) {  // every other swap via the admin API; the others via the CURRENT poller
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", std::string("Bearer ") + kTestAdminToken);
      v1::ReloadRequest req;
      v1::ReloadResponse resp;
      EXPECT_TRUE(admin_->Reload(&ctx, req, &resp).ok());
    }
    bool swapped = WaitFor(
        [&] {
          auto snap = server_->manager().snapshot();
          auto* c = snap->Find("products");
          return c && c->serving() && c->generation->id() == id;
        },
        std::chrono::seconds(3));
    if (!swapped) {
      ADD_FAILURE() << "generation " << id << " not picked up";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    swapping.store(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  swapping.store(false);
  stop.store(true);
  for (auto& t : threads) t.join();

  for (size_t i = 0; i < std::min<size_t>(failures.size(), 5); ++i) ADD_FAILURE() << failures[i];
  EXPECT_EQ(failed.load(), 0u);
  EXPECT_EQ(mixed.load(), 0u);
  EXPECT_GT(ok.load(), 100u);
  std::printf("[swap-under-load] queries=%llu failed=%llu mixed=%llu swaps=%d\n",
              static_cast<unsigned long long>(ok.load()), static_cast<unsigned long long>(failed.load()),
              static_cast<unsigned long long>(mixed.load()), kSwaps);
  std::printf("[swap-under-load] p50 idle=%.0fus during-swap=%.0fus; p99 idle=%.0fus during-swap=%.0fus (ratio %.2f)\n",
              Percentile(idle_us, 0.5), Percentile(swap_us, 0.5), Percentile(idle_us, 0.99), Percentile(swap_us, 0.99),
              Percentile(idle_us, 0.99) > 0 ? Percentile(swap_us, 0.99) / Percentile(idle_us, 0.99) : 0.0);

  // Every superseded generation is released (unmapped, in-use lock dropped) now that no query
  // holds it; the live one is still in use.
  index::IndexDir dir(root_->path());
  for (size_t i = 0; i + 1 < gens.size(); ++i) {
    EXPECT_TRUE(WaitFor([&] { return !*dir.IsGenerationInUse("products", gens[i]); }, std::chrono::seconds(2)))
        << "generation " << gens[i] << " still in use";
  }
  EXPECT_TRUE(*dir.IsGenerationInUse("products", gens.back()));
}

}  // namespace
}  // namespace busca::testing
