// IndexDir: the on-disk layout of an index root, shared by every tool (--index-dir DIR).
//
//   DIR/<collection>/gen-<N>/          one immutable generation (N zero-padded to 6 digits)
//   DIR/<collection>/gen-<N>/LOCK      empty; readers hold a shared flock on it while open
//   DIR/<collection>/CURRENT           "gen-000042\n": the live generation of the collection
//   DIR/<collection>/.tmp-gen-<N>-<pid>/  a generation being built (renamed to gen-<N> when done)
//
// CURRENT is published atomically (write CURRENT.tmp-<pid>, fsync, rename, fsync the dir), so a
// reader sees either the old or the new generation, never a partial one. A generation dir is
// created under its temporary name and renamed (without replacing anything) only once complete.
//
// "In use": Generation::Open takes a shared flock on gen-<N>/LOCK for the lifetime of the open
// generation (in any process); IsGenerationInUse() probes with a non-blocking exclusive flock and
// RemoveGeneration() refuses a generation that is in use or named by CURRENT.
//
// IndexDir is a cheap value (a path); all methods are const and safe to call from several threads
// and processes (the file system arbitrates). Errors name the path involved.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace busca::index {

inline constexpr std::string_view kCurrentFileName = "CURRENT";
inline constexpr std::string_view kLockFileName = "LOCK";

// "gen-000042" for 42 (at least 6 digits; more when N >= 10^6).
std::string GenerationDirName(uint64_t id);
// Parses "gen-<digits>"; nullopt for anything else (temp dirs included).
std::optional<uint64_t> ParseGenerationDirName(std::string_view name);

// A generation dir being built. Move-only RAII: removed recursively on destruction unless
// Finalize() succeeded.
class TempGenerationDir {
 public:
  TempGenerationDir() = default;
  TempGenerationDir(std::filesystem::path collection_dir, uint64_t id, std::filesystem::path path);
  ~TempGenerationDir();
  TempGenerationDir(TempGenerationDir&& other) noexcept;
  TempGenerationDir& operator=(TempGenerationDir&& other) noexcept;
  TempGenerationDir(const TempGenerationDir&) = delete;
  TempGenerationDir& operator=(const TempGenerationDir&) = delete;

  uint64_t id() const { return id_; }
  const std::filesystem::path& path() const { return path_; }

  // fsyncs the temp dir, renames it to <collection>/gen-<id> (AlreadyExists if that exists:
  // never replaces) and fsyncs the collection dir. Returns the final path.
  Result<std::filesystem::path> Finalize();

 private:
  void Remove();
  std::filesystem::path collection_dir_;
  uint64_t id_ = 0;
  std::filesystem::path path_;
  bool active_ = false;
};

// RAII shared flock on gen-<N>/LOCK (creates the file when missing). Move-only.
class GenerationLock {
 public:
  GenerationLock() = default;
  ~GenerationLock();
  GenerationLock(GenerationLock&& other) noexcept;
  GenerationLock& operator=(GenerationLock&& other) noexcept;
  GenerationLock(const GenerationLock&) = delete;
  GenerationLock& operator=(const GenerationLock&) = delete;

  // Blocks only while another process holds the exclusive probe lock (a few microseconds).
  static Result<GenerationLock> AcquireShared(const std::filesystem::path& generation_dir);
  bool held() const { return fd_ >= 0; }

 private:
  explicit GenerationLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

class IndexDir {
 public:
  explicit IndexDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path CollectionPath(std::string_view collection) const;
  std::filesystem::path GenerationPath(std::string_view collection, uint64_t id) const;

  // Collections (subdirectories with a CURRENT file or at least one gen-N), sorted by name.
  // NotFound when the root does not exist.
  Result<std::vector<std::string>> ListCollections() const;
  // Finished generations (gen-N dirs) of a collection, ascending; empty when the collection dir
  // does not exist.
  Result<std::vector<uint64_t>> ListGenerations(std::string_view collection) const;
  // The id named by CURRENT. NotFound when there is no CURRENT; Corruption when its content is
  // not "gen-<N>\n"; NotFound when it names a generation dir that does not exist.
  Result<uint64_t> ReadCurrent(std::string_view collection) const;
  // Points CURRENT at gen-<id> atomically. NotFound if gen-<id> does not exist.
  Status PublishCurrent(std::string_view collection, uint64_t id) const;
  // 1 + the largest id of any gen-N or .tmp-gen-N-* dir of the collection (1 when none).
  Result<uint64_t> NextGenerationId(std::string_view collection) const;
  // Creates the collection dir if needed and a fresh .tmp-gen-<N>-<pid> with N = NextGenerationId.
  Result<TempGenerationDir> CreateTempGenerationDir(std::string_view collection) const;

  // True when some process holds gen-<id> open (shared flock on its LOCK).
  Result<bool> IsGenerationInUse(std::string_view collection, uint64_t id) const;
  // Deletes gen-<id>. FailedPrecondition when it is CURRENT or in use (the exclusive probe lock
  // is held during the removal, so no reader can open it halfway).
  Status RemoveGeneration(std::string_view collection, uint64_t id) const;
  // Removes .tmp-gen-* dirs whose builder process no longer exists. Returns how many.
  Result<int> RemoveStaleTempDirs(std::string_view collection) const;

 private:
  std::filesystem::path root_;
};

}  // namespace busca::index
