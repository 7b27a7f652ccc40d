// TempDir: a fresh, private directory for one test, removed recursively on destruction.
//
// Created with mkdtemp under $TMPDIR (or /tmp) as "<tag>-XXXXXX", so two tests (or two test
// processes) never share one. Move-only; not thread-safe (one owner).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace busca::testing {

class TempDir {
 public:
  // Aborts the test binary (with a message) if the directory cannot be created.
  explicit TempDir(std::string_view tag = "busca-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / relative.
  std::filesystem::path operator/(const std::filesystem::path& relative) const {
    return path_ / relative;
  }
  // Keeps the directory on destruction (for debugging a failing test).
  void Keep() { keep_ = true; }

 private:
  void Remove();

  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace busca::testing
