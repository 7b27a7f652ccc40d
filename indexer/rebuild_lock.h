// RebuildLock: the exclusive per-collection lock held while a rebuild or rollback runs.
//
// Two layers, because Boost 1.74's interprocess::file_lock is an fcntl() record lock: fcntl
// locks are per process (a second lock from the same process succeeds) and closing ANY
// descriptor of the file drops them. So: (1) an in-process registry (mutex + set of held lock
// paths) refuses a second holder inside this process before the file is even opened, and (2) a
// boost::interprocess::file_lock (try_lock, never blocking) on DIR/<collection>/.rebuild.lock, a
// dedicated file that nothing else opens, refuses other processes. The holder's pid and start
// time go to a separate file (.rebuild.owner) so the refusal can say who holds it.
//
// Move-only RAII; released on destruction (and by the kernel if the process dies).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/util/status.h"

namespace busca::indexer {

class RebuildLock {
 public:
  RebuildLock() = default;
  ~RebuildLock();
  RebuildLock(RebuildLock&&) noexcept;
  RebuildLock& operator=(RebuildLock&&) noexcept;
  RebuildLock(const RebuildLock&) = delete;
  RebuildLock& operator=(const RebuildLock&) = delete;

  // Creates `collection_dir` if needed and takes the lock without waiting. kAlreadyExists with
  // a message naming the collection, the lock file and (when known) the holder's pid when
  // another rebuild holds it, in this process or another.
  static Result<RebuildLock> Acquire(const std::filesystem::path& collection_dir,
                                     const std::string& collection);

  bool held() const { return impl_ != nullptr; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace busca::indexer
