// GenerationManager: which generation of each collection this server serves, and hot swaps.
//
// The serving state is one immutable ServingSnapshot (a query::Searcher over one generation per
// serving collection, plus the state of every known collection) behind an atomically swapped
// shared_ptr<const ServingSnapshot>. A request loads the current snapshot once and uses only it,
// so a response never mixes two generations of a collection; a swap publishes a new snapshot and
// in-flight requests finish on the old one, whose generations are unmapped (and their in-use
// flocks released) when the last reference drops.
//
// Refresh(): for each collection (directories of the index root, plus expected names) read
// CURRENT; when it names a generation other than the serving one, open it (Generation::Open
// verifies every checksum, which also pulls the files into the page cache), warm it with a probe
// query, build a new Searcher and publish. A generation that fails to open is remembered and not
// retried until CURRENT changes or a forced reload; the collection keeps serving its previous
// generation (state STALE) or, if it never had one, is reported MISSING/CORRUPT while the others
// keep serving. A background thread calls Refresh every poll interval (Start/Stop); Reload() is
// the same, synchronous, on demand. Refreshes are serialised by a mutex.
//
// Thread-safety: snapshot() is lock-free-ish (atomic shared_ptr load) and safe from any thread;
// Refresh/Reload/Start/Stop may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/index/generation.h"
#include "engine/index/index_dir.h"
#include "engine/query/searcher.h"
#include "engine/util/status.h"

namespace busca::server {

enum class CollectionState { kServing, kMissing, kCorrupt, kStale };
std::string_view CollectionStateName(CollectionState state);  // "serving", "missing", ...

struct CollectionStatus {
  std::string name;
  CollectionState state = CollectionState::kMissing;
  std::string error;                                   // why not serving / why stale
  std::shared_ptr<const index::Generation> generation; // serving generation (null if none)
  uint64_t serial = 0;        // unique per successful open in this process (cache keys)
  std::chrono::system_clock::time_point loaded_at{};
  uint64_t swaps = 0;         // generations swapped in, startup included
  uint64_t load_failures = 0; // opens that failed

  bool serving() const { return generation != nullptr; }
};

struct ServingSnapshot {
  std::shared_ptr<const query::Searcher> searcher;  // null when no collection serves
  std::vector<CollectionStatus> collections;        // every known collection, by name
  uint64_t epoch = 0;                               // increases with every publish

  const CollectionStatus* Find(std::string_view name) const;
  size_t serving_count() const;
};

struct ReloadOutcome {
  std::string collection;
  uint64_t previous_generation = 0;
  uint64_t generation = 0;
  bool changed = false;
  std::string error;
};

class GenerationManager {
 public:
  struct Options {
    std::filesystem::path index_dir;
    std::chrono::milliseconds poll_interval{1000};
    std::vector<std::string> expected_collections;
    bool verify_checksums = true;
    bool warm = true;
  };
  // Swap events (for logs/metrics): collection, old gen (0 none), new gen, open+warm seconds,
  // error (empty on success).
  using EventFn = std::function<void(const std::string& collection, uint64_t old_gen, uint64_t new_gen,
                                     double seconds, const std::string& error)>;

  // Loads what is live now (synchronously). Fails only when the index root does not exist;
  // missing or corrupt collections are reported in the snapshot.
  static Result<std::unique_ptr<GenerationManager>> Create(Options options, EventFn on_event = {});
  ~GenerationManager();
  GenerationManager(const GenerationManager&) = delete;
  GenerationManager& operator=(const GenerationManager&) = delete;

  std::shared_ptr<const ServingSnapshot> snapshot() const { return snapshot_.load(std::memory_order_acquire); }

  // Re-reads CURRENT of `collections` (empty = all) and swaps what changed. `force` retries
  // generations that failed before.
  std::vector<ReloadOutcome> Reload(const std::vector<std::string>& collections = {}, bool force = true);

  // Background polling of CURRENT every poll interval.
  void Start();
  void Stop();

  const index::IndexDir& index_dir() const { return dir_; }

 private:
  struct Tracked {
    CollectionStatus status;
    uint64_t failed_generation = 0;  // last CURRENT target that failed to open (0 = none)
  };
  GenerationManager(Options options, EventFn on_event);
  std::vector<ReloadOutcome> RefreshLocked(const std::vector<std::string>& only, bool force);
  void Publish();
  void PollLoop();

  const Options options_;
  const index::IndexDir dir_;
  EventFn on_event_;
  std::mutex refresh_mu_;                   // serialises refreshes; guards tracked_
  std::map<std::string, Tracked> tracked_;  // by collection name
  uint64_t next_serial_ = 1;
  uint64_t epoch_ = 0;
  std::atomic<std::shared_ptr<const ServingSnapshot>> snapshot_;

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stop_ = false;
  std::thread poller_;
};

}  // namespace busca::server
