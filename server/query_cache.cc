#include "server/query_cache.h"

namespace busca::server {

QueryCache::QueryCache(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

std::shared_ptr<const query::SearchResponse> QueryCache::Get(const std::string& key) {
  if (capacity_ == 0) return nullptr;
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void QueryCache::Put(const std::string& key, std::shared_ptr<const query::SearchResponse> value) {
  if (capacity_ == 0 || value == nullptr) return;
  uint64_t bytes = EstimateBytes(*value) + 2 * key.size() + 128;
  if (bytes > capacity_ / 4) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    auto entry = it->second;
    bytes_ -= entry->bytes;
    index_.erase(it);  // the key view points into the entry: drop the index first
    lru_.erase(entry);
  }
  lru_.push_front(Entry{key, std::move(value), bytes});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += bytes;
  while (bytes_ > capacity_ && !lru_.empty()) {
    Entry& last = lru_.back();
    bytes_ -= last.bytes;
    index_.erase(last.key);
    lru_.pop_back();
  }
}

void QueryCache::Clear() {
  std::lock_guard lock(mu_);
  index_.clear();
  lru_.clear();
  bytes_ = 0;
}

uint64_t QueryCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

uint64_t QueryCache::entries() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

uint64_t QueryCache::EstimateBytes(const query::SearchResponse& r) {
  uint64_t n = sizeof(r);
  for (const auto& g : r.generations) n += sizeof(g) + g.collection.capacity();
  for (const auto& h : r.hits) {
    n += sizeof(h) + h.collection.capacity() + h.id.capacity();
    for (const auto& f : h.fields) {
      n += sizeof(f) + f.name.capacity();
      if (auto* s = std::get_if<std::string>(&f.value)) n += s->capacity();
      if (auto* v = std::get_if<std::vector<std::string>>(&f.value)) {
        for (const auto& k : *v) n += sizeof(k) + k.capacity();
      }
    }
    for (const auto& hl : h.highlights) {
      n += sizeof(hl) + hl.field.capacity() + hl.text.capacity() + hl.marked.capacity() +
           hl.spans.capacity() * sizeof(hl.spans[0]);
    }
    for (const auto& p : h.score_parts) n += sizeof(p) + p.word.capacity() + p.field.capacity();
  }
  return n;
}

}  // namespace busca::server
