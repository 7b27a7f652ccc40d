#include "engine/index/index_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/index/file_format.h"

namespace busca::index {
namespace fs = std::filesystem;
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (!AllDigits(s) || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

constexpr std::string_view kTmpPrefix = ".tmp-gen-";

// ".tmp-gen-<N>-<pid>" -> (N, pid)
std::optional<std::pair<uint64_t, int64_t>> ParseTempDirName(std::string_view name) {
  if (name.substr(0, kTmpPrefix.size()) != kTmpPrefix) return std::nullopt;
  name.remove_prefix(kTmpPrefix.size());
  size_t dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto n = ParseU64(name.substr(0, dash));
  auto pid = ParseU64(name.substr(dash + 1));
  if (!n || !pid) return std::nullopt;
  return std::make_pair(*n, static_cast<int64_t>(*pid));
}

Status ValidateCollectionName(std::string_view collection) {
  if (collection.empty() || collection.find('/') != std::string_view::npos || collection == "." ||
      collection == ".." || collection[0] == '.') {
    return Status::InvalidArgument("invalid collection name \"" + std::string(collection) + "\"");
  }
  return Status::Ok();
}

}  // namespace

std::string GenerationDirName(uint64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "gen-%06llu", static_cast<unsigned long long>(id));
  return buf;
}

std::optional<uint64_t> ParseGenerationDirName(std::string_view name) {
  if (name.substr(0, 4) != "gen-") return std::nullopt;
  name.remove_prefix(4);
  if (name.size() < 6) return std::nullopt;
  return ParseU64(name);
}

// ---------------------------------------------------------------------------------------------
// TempGenerationDir

TempGenerationDir::TempGenerationDir(fs::path collection_dir, uint64_t id, fs::path path)
    : collection_dir_(std::move(collection_dir)), id_(id), path_(std::move(path)), active_(true) {}

TempGenerationDir::~TempGenerationDir() { Remove(); }

TempGenerationDir::TempGenerationDir(TempGenerationDir&& other) noexcept
    : collection_dir_(std::move(other.collection_dir_)),
      id_(other.id_),
      path_(std::move(other.path_)),
      active_(other.active_) {
  other.active_ = false;
}

TempGenerationDir& TempGenerationDir::operator=(TempGenerationDir&& other) noexcept {
  if (this != &other) {
    Remove();
    collection_dir_ = std::move(other.collection_dir_);
    id_ = other.id_;
    path_ = std::move(other.path_);
    active_ = other.active_;
    other.active_ = false;
  }
  return *this;
}

void TempGenerationDir::Remove() {
  if (!active_) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
  active_ = false;
}

Result<fs::path> TempGenerationDir::Finalize() {
  if (!active_) return Status::FailedPrecondition("temp generation dir already finalized or removed");
  BUSCA_RETURN_IF_ERROR(SyncDirectory(path_));
  fs::path final_path = collection_dir_ / GenerationDirName(id_);
  if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST || err == ENOTEMPTY) {
      return Status::AlreadyExists(final_path.string() + " already exists (another build took this id)");
    }
    return Status::IOError("rename " + path_.string() + " -> " + final_path.string() + ": " + ErrnoText(err));
  }
  active_ = false;
  path_ = final_path;
  BUSCA_RETURN_IF_ERROR(SyncDirectory(collection_dir_));
  return final_path;
}

// ---------------------------------------------------------------------------------------------
// GenerationLock

GenerationLock::~GenerationLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

GenerationLock::GenerationLock(GenerationLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

GenerationLock& GenerationLock::operator=(GenerationLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Result<GenerationLock> GenerationLock::AcquireShared(const fs::path& generation_dir) {
  fs::path lock_path = generation_dir / std::string(kLockFileName);
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) fd = ::open(lock_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("open " + lock_path.string() + ": " + ErrnoText(errno));
  while (::flock(fd, LOCK_SH) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return Status::IOError("flock " + lock_path.string() + ": " + ErrnoText(err));
  }
  return GenerationLock(fd);
}

// ---------------------------------------------------------------------------------------------
// IndexDir

fs::path IndexDir::CollectionPath(std::string_view collection) const { return root_ / std::string(collection); }

fs::path IndexDir::GenerationPath(std::string_view collection, uint64_t id) const {
  return CollectionPath(collection) / GenerationDirName(id);
}

Result<std::vector<std::string>> IndexDir::ListCollections() const {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return Status::NotFound("index dir " + root_.string() + " does not exist");
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    bool has = fs::exists(entry.path() / std::string(kCurrentFileName));
    if (!has) {
      for (const auto& sub : fs::directory_iterator(entry.path(), ec)) {
        if (sub.is_directory() && ParseGenerationDirName(sub.path().filename().string())) {
          has = true;
          break;
        }
      }
    }
    if (has) out.push_back(name);
  }
  if (ec) return Status::IOError(root_.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<uint64_t>> IndexDir::ListGenerations(std::string_view collection) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path dir = CollectionPath(collection);
  std::vector<uint64_t> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    if (auto id = ParseGenerationDirName(entry.path().filename().string())) out.push_back(*id);
  }
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<uint64_t> IndexDir::ReadCurrent(std::string_view collection) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path path = CollectionPath(collection) / std::string(kCurrentFileName);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": no live generation (CURRENT missing)");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path.string() + ": read error");
  if (content.empty() || content.back() != '\n') {
    return Status::Corruption(path.string() + ": expected one line \"gen-<N>\\n\"");
  }
  content.pop_back();
  auto id = ParseGenerationDirName(content);
  if (!id) return Status::Corruption(path.string() + ": \"" + content + "\" is not a generation name");
  std::error_code ec;
  if (!fs::is_directory(GenerationPath(collection, *id), ec)) {
    return Status::NotFound(path.string() + " names " + content + ", which does not exist");
  }
  return *id;
}

Status IndexDir::PublishCurrent(std::string_view collection, uint64_t id) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path dir = CollectionPath(collection);
  fs::path gen = GenerationPath(collection, id);
  std::error_code ec;
  if (!fs::is_directory(gen, ec)) return Status::NotFound("cannot publish " + gen.string() + ": no such generation");
  fs::path tmp = dir / ("CURRENT.tmp-" + std::to_string(::getpid()));
  std::string content = GenerationDirName(id) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("create " + tmp.string() + ": " + ErrnoText(errno));
  ssize_t n = ::write(fd, content.data(), content.size());
  int err = errno;
  if (n != static_cast<ssize_t>(content.size())) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IOError("write " + tmp.string() + ": " + ErrnoText(err));
  }
  if (::fsync(fd) != 0) {
    err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IOError("fsync " + tmp.string() + ": " + ErrnoText(err));
  }
  ::close(fd);
  fs::path current = dir / std::string(kCurrentFileName);
  if (::rename(tmp.c_str(), current.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("rename " + tmp.string() + " -> " + current.string() + ": " + ErrnoText(err));
  }
  return SyncDirectory(dir);
}

Result<uint64_t> IndexDir::NextGenerationId(std::string_view collection) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path dir = CollectionPath(collection);
  uint64_t max_id = 0;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return uint64_t{1};
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (auto id = ParseGenerationDirName(name)) max_id = std::max(max_id, *id);
    if (auto tmp = ParseTempDirName(name)) max_id = std::max(max_id, tmp->first);
  }
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  return max_id + 1;
}

Result<TempGenerationDir> IndexDir::CreateTempGenerationDir(std::string_view collection) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path dir = CollectionPath(collection);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir.string() + ": " + ec.message());
  // Retry when a concurrent builder takes the same id between listing and mkdir.
  for (int attempt = 0; attempt < 16; ++attempt) {
    BUSCA_ASSIGN_OR_RETURN(uint64_t id, NextGenerationId(collection));
    fs::path tmp = dir / (std::string(kTmpPrefix) + std::to_string(id) + "-" + std::to_string(::getpid()));
    if (::mkdir(tmp.c_str(), 0755) == 0) {
      // A concurrent builder in another process may have picked the same id; the final rename
      // never replaces, so the loser gets AlreadyExists from Finalize().
      return TempGenerationDir(dir, id, tmp);
    }
    if (errno != EEXIST) return Status::IOError("mkdir " + tmp.string() + ": " + ErrnoText(errno));
  }
  return Status::IOError("could not create a temp generation dir in " + dir.string());
}

Result<bool> IndexDir::IsGenerationInUse(std::string_view collection, uint64_t id) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path lock_path = GenerationPath(collection, id) / std::string(kLockFileName);
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      std::error_code ec;
      if (!fs::is_directory(GenerationPath(collection, id), ec)) {
        return Status::NotFound(GenerationPath(collection, id).string() + " does not exist");
      }
      return false;  // never opened (no LOCK file yet)
    }
    return Status::IOError("open " + lock_path.string() + ": " + ErrnoText(errno));
  }
  bool in_use = false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      in_use = true;
    } else {
      int err = errno;
      ::close(fd);
      return Status::IOError("flock " + lock_path.string() + ": " + ErrnoText(err));
    }
  }
  ::close(fd);
  return in_use;
}

Status IndexDir::RemoveGeneration(std::string_view collection, uint64_t id) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path gen = GenerationPath(collection, id);
  std::error_code ec;
  if (!fs::is_directory(gen, ec)) return Status::NotFound(gen.string() + " does not exist");
  auto current = ReadCurrent(collection);
  if (current.ok() && *current == id) {
    return Status::FailedPrecondition("cannot remove " + gen.string() + ": it is CURRENT");
  }
  fs::path lock_path = gen / std::string(kLockFileName);
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("open " + lock_path.string() + ": " + ErrnoText(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::FailedPrecondition("cannot remove " + gen.string() + ": in use by a reader");
    return Status::IOError("flock " + lock_path.string() + ": " + ErrnoText(err));
  }
  // Move it out of the way first so no reader can start opening it, then delete.
  fs::path doomed = CollectionPath(collection) / (".del-" + GenerationDirName(id) + "-" + std::to_string(::getpid()));
  fs::rename(gen, doomed, ec);
  if (ec) {
    ::close(fd);
    return Status::IOError("rename " + gen.string() + ": " + ec.message());
  }
  fs::remove_all(doomed, ec);
  ::close(fd);
  if (ec) return Status::IOError("remove " + doomed.string() + ": " + ec.message());
  return SyncDirectory(CollectionPath(collection));
}

Result<int> IndexDir::RemoveStaleTempDirs(std::string_view collection) const {
  BUSCA_RETURN_IF_ERROR(ValidateCollectionName(collection));
  fs::path dir = CollectionPath(collection);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  int removed = 0;
  std::vector<fs::path> doomed;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    auto tmp = ParseTempDirName(name);
    if (!tmp) continue;
    pid_t pid = static_cast<pid_t>(tmp->second);
    bool alive = pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
    if (!alive) doomed.push_back(entry.path());
  }
  for (const auto& p : doomed) {
    fs::remove_all(p, ec);
    if (ec) return Status::IOError("remove " + p.string() + ": " + ec.message());
    ++removed;
  }
  return removed;
}

}  // namespace busca::index
