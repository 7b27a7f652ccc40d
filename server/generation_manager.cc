#include "server/generation_manager.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace busca::server {

std::string_view CollectionStateName(CollectionState state) {
  switch (state) {
    case CollectionState::kServing: return "serving";
    case CollectionState::kMissing: return "missing";
    case CollectionState::kCorrupt: return "corrupt";
    case CollectionState::kStale: return "stale";
  }
  return "unknown";
}

const CollectionStatus* ServingSnapshot::Find(std::string_view name) const {
  for (const auto& c : collections) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

size_t ServingSnapshot::serving_count() const {
  return static_cast<size_t>(std::count_if(collections.begin(), collections.end(),
                                           [](const CollectionStatus& c) { return c.serving(); }));
}

GenerationManager::GenerationManager(Options options, EventFn on_event)
    : options_(std::move(options)), dir_(options_.index_dir), on_event_(std::move(on_event)) {
  snapshot_.store(std::make_shared<const ServingSnapshot>());
}

Result<std::unique_ptr<GenerationManager>> GenerationManager::Create(Options options, EventFn on_event) {
  std::error_code ec;
  if (!std::filesystem::is_directory(options.index_dir, ec)) {
    return Status::NotFound(fmt::format("index directory {} does not exist", options.index_dir.string()));
  }
  std::unique_ptr<GenerationManager> m(new GenerationManager(std::move(options), std::move(on_event)));
  (void)m->Reload({}, /*force=*/true);
  return m;
}

GenerationManager::~GenerationManager() { Stop(); }

std::vector<ReloadOutcome> GenerationManager::Reload(const std::vector<std::string>& collections, bool force) {
  std::lock_guard lock(refresh_mu_);
  return RefreshLocked(collections, force);
}

std::vector<ReloadOutcome> GenerationManager::RefreshLocked(const std::vector<std::string>& only, bool force) {
  std::set<std::string> names;
  if (auto listed = dir_.ListCollections(); listed.ok()) names.insert(listed->begin(), listed->end());
  names.insert(options_.expected_collections.begin(), options_.expected_collections.end());
  for (const auto& [name, _] : tracked_) names.insert(name);
  if (!only.empty()) {
    std::set<std::string> filtered;
    for (const auto& n : only) filtered.insert(n);  // a named collection is looked at even if absent
    names = std::move(filtered);
  }

  const auto previous = tracked_;
  std::vector<ReloadOutcome> outcomes;
  bool changed_any = false;
  for (const std::string& name : names) {
    Tracked& t = tracked_[name];
    CollectionStatus& st = t.status;
    if (st.name.empty()) {
      st.name = name;
      changed_any = true;  // a new collection shows up in the snapshot
    }
    ReloadOutcome out;
    out.collection = name;
    out.previous_generation = st.serving() ? st.generation->id() : 0;
    out.generation = out.previous_generation;

    auto current = dir_.ReadCurrent(name);
    if (!current.ok()) {
      std::string error = "CURRENT: " + current.status().ToString();
      CollectionState state = st.serving() ? CollectionState::kStale
                              : current.status().code() == StatusCode::kCorruption ? CollectionState::kCorrupt
                                                                                     : CollectionState::kMissing;
      if (st.state != state || st.error != error) changed_any = true;
      st.state = state;
      st.error = error;
      out.error = error;
      outcomes.push_back(std::move(out));
      continue;
    }
    const uint64_t target = *current;
    if (st.serving() && st.generation->id() == target) {
      if (st.state != CollectionState::kServing) {
        st.state = CollectionState::kServing;
        st.error.clear();
        changed_any = true;
      }
      t.failed_generation = 0;
      outcomes.push_back(std::move(out));
      continue;
    }
    if (!force && t.failed_generation == target) {
      out.error = st.error;
      outcomes.push_back(std::move(out));
      continue;
    }

    auto started = std::chrono::steady_clock::now();
    index::OpenOptions open_options;
    open_options.verify_checksums = options_.verify_checksums;
    auto opened = index::Generation::Open(dir_.GenerationPath(name, target), open_options);
    std::shared_ptr<const query::Searcher> probe;
    if (opened.ok() && options_.warm) {
      // Warm the new generation off the serving path: a probe query and a suggestion touch the
      // dictionaries, postings and stored fields before any caller does.
      auto searcher = query::Searcher::Create({*opened});
      if (searcher.ok()) {
        query::SearchRequest warm;
        warm.query = "de";
        warm.limit = 10;
        warm.return_stored = true;
        (void)(*searcher)->Search(warm);
        query::SuggestRequest suggest;
        suggest.text = "pr";
        (void)(*searcher)->Suggest(suggest);
      }
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    changed_any = true;
    if (!opened.ok()) {
      t.failed_generation = target;
      st.load_failures++;
      st.error = fmt::format("{}: {}", index::GenerationDirName(target), opened.status().ToString());
      st.state = st.serving() ? CollectionState::kStale
                 : opened.status().code() == StatusCode::kNotFound ? CollectionState::kMissing
                                                                   : CollectionState::kCorrupt;
      out.error = st.error;
      if (on_event_) on_event_(name, out.previous_generation, target, seconds, st.error);
      outcomes.push_back(std::move(out));
      continue;
    }
    t.failed_generation = 0;
    st.generation = *opened;
    st.serial = next_serial_++;
    st.loaded_at = std::chrono::system_clock::now();
    st.swaps++;
    st.state = CollectionState::kServing;
    st.error.clear();
    out.generation = target;
    out.changed = true;
    if (on_event_) on_event_(name, out.previous_generation, target, seconds, "");
    outcomes.push_back(std::move(out));
  }

  if (changed_any) {
    std::vector<std::shared_ptr<const index::Generation>> gens;
    for (const auto& [name, t] : tracked_) {
      if (t.status.serving()) gens.push_back(t.status.generation);
    }
    std::shared_ptr<const query::Searcher> searcher;
    if (!gens.empty()) {
      auto created = query::Searcher::Create(std::move(gens));
      if (!created.ok()) {
        // Keep serving what was serving; report the failure on every collection involved.
        tracked_ = previous;
        for (auto& o : outcomes) {
          if (o.changed) {
            o.error = "searcher: " + created.status().ToString();
            o.changed = false;
            o.generation = o.previous_generation;
          }
        }
        return outcomes;
      }
      searcher = *created;
    }
    auto snap = std::make_shared<ServingSnapshot>();
    snap->searcher = std::move(searcher);
    for (const auto& [name, t] : tracked_) snap->collections.push_back(t.status);
    snap->epoch = ++epoch_;
    snapshot_.store(std::move(snap), std::memory_order_release);
  }
  return outcomes;
}

void GenerationManager::Start() {
  std::lock_guard lock(poll_mu_);
  if (poller_.joinable()) return;
  stop_ = false;
  poller_ = std::thread([this] { PollLoop(); });
}

void GenerationManager::Stop() {
  {
    std::lock_guard lock(poll_mu_);
    stop_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void GenerationManager::PollLoop() {
  std::unique_lock lock(poll_mu_);
  while (!stop_) {
    poll_cv_.wait_for(lock, options_.poll_interval, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    {
      std::lock_guard refresh(refresh_mu_);
      (void)RefreshLocked({}, /*force=*/false);
    }
    lock.lock();
  }
}

}  // namespace busca::server
