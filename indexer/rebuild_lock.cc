// RebuildLock (see rebuild_lock.h).
#include "indexer/rebuild_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/sync/file_lock.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>

namespace busca::indexer {
namespace {

constexpr const char* kLockFile = ".rebuild.lock";
constexpr const char* kOwnerFile = ".rebuild.owner";

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::set<std::string>& HeldPaths() {
  static std::set<std::string> held;
  return held;
}

std::string ReadOwner(const std::filesystem::path& dir) {
  std::ifstream in(dir / kOwnerFile);
  std::string line;
  if (in && std::getline(in, line) && !line.empty()) return " (held by " + line + ")";
  return "";
}

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

struct RebuildLock::Impl {
  std::string key;                           // lock file path, registry key
  std::filesystem::path dir;
  boost::interprocess::file_lock file_lock;  // the only descriptor of .rebuild.lock we open
  bool locked = false;

  ~Impl() {
    if (locked) {
      std::error_code ec;
      std::filesystem::remove(dir / kOwnerFile, ec);
      try {
        file_lock.unlock();
      } catch (...) {
      }
    }
    std::lock_guard<std::mutex> guard(RegistryMutex());
    HeldPaths().erase(key);
  }
};

RebuildLock::~RebuildLock() = default;
RebuildLock::RebuildLock(RebuildLock&&) noexcept = default;
RebuildLock& RebuildLock::operator=(RebuildLock&&) noexcept = default;

Result<RebuildLock> RebuildLock::Acquire(const std::filesystem::path& collection_dir,
                                         const std::string& collection) {
  std::error_code ec;
  std::filesystem::create_directories(collection_dir, ec);
  if (ec) {
    return Status::IOError("cannot create " + collection_dir.string() + ": " + ec.message());
  }
  const std::filesystem::path lock_path = collection_dir / kLockFile;
  std::string key = std::filesystem::absolute(lock_path).lexically_normal().string();
  const std::string refused = "another rebuild or rollback of collection '" + collection +
                              "' is running: lock " + lock_path.string() + " is held";
  {
    std::lock_guard<std::mutex> guard(RegistryMutex());
    if (!HeldPaths().insert(key).second) {
      return Status::AlreadyExists(refused + " by this process" + ReadOwner(collection_dir));
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->key = key;
  impl->dir = collection_dir;
  // From here on, ~Impl releases the registry entry on every path.
  {
    // Create the lock file if missing. This descriptor is closed before any lock is taken, so
    // closing it cannot drop an fcntl lock of ours.
    int fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Status::IOError("cannot create lock file " + lock_path.string() + ": " +
                             std::error_code(errno, std::generic_category()).message());
    }
    ::close(fd);
  }
  try {
    boost::interprocess::file_lock lock(lock_path.c_str());
    if (!lock.try_lock()) {
      return Status::AlreadyExists(refused + " by another process" + ReadOwner(collection_dir));
    }
    impl->file_lock.swap(lock);
    impl->locked = true;
  } catch (const boost::interprocess::interprocess_exception& e) {
    return Status::IOError("cannot lock " + lock_path.string() + ": " + e.what());
  }
  {
    std::ofstream owner(collection_dir / kOwnerFile, std::ios::trunc);
    owner << "pid " << ::getpid() << ", started " << NowUtc() << "\n";
  }
  RebuildLock result;
  result.impl_ = std::move(impl);
  return result;
}

}  // namespace busca::indexer
