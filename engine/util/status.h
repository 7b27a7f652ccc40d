// Status and Result<T>: the one error style of the whole code base.
//
// Functions that can fail return a [[nodiscard]] Status (no value) or Result<T> (a value or an
// error). Exceptions thrown by third-party libraries (ICU, libpqxx, gRPC, nlohmann-json, Boost)
// are caught at the boundary where we call them and converted into a Status; exceptions never
// cross our own APIs. Messages name what is wrong: the file, the field, the byte offset, the query
// position. Status is cheap to copy when OK (no allocation).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace busca {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from a caller: query syntax, flags, schema files
  kNotFound,           // a named thing does not exist: collection, generation, file
  kAlreadyExists,      // refused because something is already there (lock held, dir exists)
  kCorruption,         // bytes on disk are not what we wrote: checksum, magic, truncation
  kIOError,            // the OS said no: open/read/write/fsync/rename/mmap failed, disk full
  kFailedPrecondition, // the state does not allow it: validation refused, no generation live
  kResourceExhausted,  // a documented limit was hit (terms, expansions, memory budget)
  kDeadlineExceeded,   // the caller's deadline passed
  kCancelled,          // the caller cancelled
  kUnavailable,        // a dependency is unreachable (PostgreSQL down, server draining)
  kInternal,           // a bug: an invariant did not hold
};

// Returns "OK", "INVALID_ARGUMENT", ... (the gRPC spelling, so the server can map 1:1).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) { return {StatusCode::kFailedPrecondition, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) { return {StatusCode::kDeadlineExceeded, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "CORRUPTION: posts/3/postings.bin: checksum mismatch" (or "OK").
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>" (same code). OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;  // null when OK
};

// A value or an error. Access the value only when ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {     // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace busca

#define BUSCA_CONCAT_INNER_(a, b) a##b
#define BUSCA_CONCAT_(a, b) BUSCA_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define BUSCA_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::busca::Status busca_status_ = (expr);         \
    if (!busca_status_.ok()) return busca_status_;  \
  } while (0)

// `BUSCA_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its Status.
#define BUSCA_ASSIGN_OR_RETURN(lhs, expr) \
  BUSCA_ASSIGN_OR_RETURN_IMPL_(BUSCA_CONCAT_(busca_result_, __LINE__), lhs, expr)
#define BUSCA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
