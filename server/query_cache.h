// QueryCache: an LRU cache of search responses bounded in bytes.
//
// Keys are built by the caller from the identities of the generations that would answer (one
// per queried collection, including a per-open serial number) plus the normalised request, so a
// generation swap changes every affected key: a stale result can never be served, and entries
// of swapped-out generations simply age out. Values are shared_ptr<const SearchResponse>, so a
// hit costs one refcount and no copy of the hits. Thread-safe (one mutex; the critical sections
// are a hash lookup and a list splice).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/query/searcher.h"

namespace busca::server {

class QueryCache {
 public:
  explicit QueryCache(uint64_t capacity_bytes);
  QueryCache(const QueryCache&) = delete;
  QueryCache& operator=(const QueryCache&) = delete;

  // Null on a miss.
  std::shared_ptr<const query::SearchResponse> Get(const std::string& key);
  // Inserts (or replaces) and evicts least-recently-used entries until within capacity. An entry
  // larger than a quarter of the capacity is not cached.
  void Put(const std::string& key, std::shared_ptr<const query::SearchResponse> value);
  void Clear();

  uint64_t capacity_bytes() const { return capacity_; }
  uint64_t bytes() const;
  uint64_t entries() const;

  // Approximate heap bytes of a response (strings, vectors, stored fields).
  static uint64_t EstimateBytes(const query::SearchResponse& response);

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const query::SearchResponse> value;
    uint64_t bytes;
  };
  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into Entry::key
  uint64_t bytes_ = 0;
};

}  // namespace busca::server
